/** Private and public key files on disk: written 0600, refused when group or others may read them. @module */
// fs.promises is reached through node:fs, when an async function runs: loading node:fs/promises
// costs ~0.9 ms, and a client that reads its key with readPrivateKeyFileSync never needs it.
import { closeSync, constants, promises as fsp, fstatSync, openSync, readFileSync } from 'node:fs';
import type { CryptoBackend } from 'spa-protocol';
import {
  ERROR_CODES,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  type KeyKind,
  type KeyPair,
  parsePrivateKey,
  SpaError,
} from 'spa-protocol';

/** Keys in files are only trusted when nobody but the owner can read or write them (as ssh does). */
export async function readPrivateKeyFile(kind: KeyKind, path: string): Promise<Uint8Array> {
  let mode: number;
  try {
    mode = (await fsp.stat(path)).mode;
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidKey, `cannot read key file ${path}: ${describe(cause)}`, { cause });
  }
  assertOwnerOnly(path, mode);
  return parsePrivateKeyText(kind, await fsp.readFile(path, 'utf8'), path);
}

/**
 * The same checks without libuv's thread pool, for a CLI's start-up (starting the pool for two
 * reads costs milliseconds). The mode is read from the descriptor that is then read: no window
 * between the check and the read.
 */
export function readPrivateKeyFileSync(kind: KeyKind, path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidKey, `cannot read key file ${path}: ${describe(cause)}`, { cause });
  }
  try {
    assertOwnerOnly(path, fstatSync(fd).mode);
    return parsePrivateKeyText(kind, readFileSync(fd, 'utf8'), path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a key file its group or others may access. Not on Windows: there Node makes the mode up
 * from the read-only attribute (0666 or 0444 for every file, whoever may read it), so the bits would
 * refuse every key and prove nothing; the file's ACL is what protects it (docs/install.md).
 */
export function assertOwnerOnly(path: string, mode: number, platform: string = process.platform): void {
  if (platform === 'win32') return;
  if ((mode & 0o077) !== 0) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `key file ${path} is accessible by group or others (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${path}`,
    );
  }
}

/** For keys from an environment variable or stdin: same parsing, no file mode to check. */
export function parsePrivateKeyText(kind: KeyKind, text: string, source: string): Uint8Array {
  try {
    return parsePrivateKey(kind, text);
  } catch (cause) {
    // The parse error never includes key material, only what was expected.
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new SpaError(ERROR_CODES.invalidKey, `${source}: ${message}`, { cause });
  }
}

/**
 * Creates a new key pair and writes the private key with mode 0600 (O_EXCL: never overwrites an
 * existing file). With `writePublic`, also writes `${path}.pub` (0644). Returns the pair.
 */
export async function writeNewKeyFile(
  backend: CryptoBackend,
  kind: KeyKind,
  path: string,
  options: { writePublic?: boolean; comment?: string } = {},
): Promise<KeyPair> {
  const pair = generateKeyPair(backend, kind);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await fsp.open(path, flags, 0o600);
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidArgument, `cannot create ${path}: ${describe(cause)}`, { cause });
  }
  try {
    await handle.chmod(0o600); // the umask may have narrowed it further, never widened; make it exact
    await handle.writeFile(formatPrivateKey(kind, pair.secretKey), 'utf8');
  } finally {
    await handle.close();
  }
  if (options.writePublic) {
    const line = formatPublicKey(kind, pair.publicKey) + (options.comment ? ` ${options.comment}` : '');
    await fsp.writeFile(`${path}.pub`, `${line}\n`, { mode: 0o644 });
  }
  return pair;
}

function describe(cause: unknown): string {
  const code = (cause as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EEXIST') return 'file exists (refusing to overwrite a key)';
  if (code === 'EACCES') return 'permission denied';
  return cause instanceof Error ? cause.message : String(cause);
}
