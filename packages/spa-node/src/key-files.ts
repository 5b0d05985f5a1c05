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

/*
 * Opened with O_NONBLOCK: a FIFO named as a key must not hang the caller; the descriptor is then
 * refused unless it is a regular file (a directory, a FIFO or a device is not a key).
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** Keys in files are only trusted when nobody but the owner can read or write them (as ssh does). */
export async function readPrivateKeyFile(kind: KeyKind, path: string): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await fsp.open(path, READ_FLAGS);
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidKey, `cannot read key file ${path}: ${describe(cause)}`, { cause });
  }
  try {
    const info = await handle.stat();
    assertKeyFile(path, info.isFile(), info.mode);
    return parsePrivateKeyText(kind, await handle.readFile('utf8'), path);
  } finally {
    await handle.close();
  }
}

/**
 * The same checks without libuv's thread pool, for a CLI's start-up (starting the pool for two
 * reads costs milliseconds). The mode is read from the descriptor that is then read: no window
 * between the check and the read.
 */
export function readPrivateKeyFileSync(kind: KeyKind, path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidKey, `cannot read key file ${path}: ${describe(cause)}`, { cause });
  }
  try {
    const info = fstatSync(fd);
    assertKeyFile(path, info.isFile(), info.mode);
    return parsePrivateKeyText(kind, readFileSync(fd, 'utf8'), path);
  } finally {
    closeSync(fd);
  }
}

/** A key is a regular file only its owner may access. */
function assertKeyFile(path: string, isFile: boolean, mode: number): void {
  if (!isFile) throw new SpaError(ERROR_CODES.invalidKey, `cannot read key file ${path}: not a regular file`);
  assertOwnerOnly(path, mode);
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
 * Creates a new key pair and writes the private key with mode 0600. With `writePublic`, also writes
 * `${path}.pub` (0644). Neither file is ever overwritten, and neither is reached through a link
 * planted at its name (O_CREAT | O_EXCL refuses both): `.pub` is claimed first, so a name already
 * taken refuses the whole pair before a private key is made that has no public file. Returns the pair.
 */
export async function writeNewKeyFile(
  backend: CryptoBackend,
  kind: KeyKind,
  path: string,
  options: { writePublic?: boolean; comment?: string } = {},
): Promise<KeyPair> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  const publicPath = `${path}.pub`;
  const publicHandle = options.writePublic ? await createExclusive(publicPath, flags, 0o644) : undefined;
  let handle: Awaited<ReturnType<typeof fsp.open>>;
  try {
    handle = await createExclusive(path, flags, 0o600);
  } catch (error) {
    // The key's name was taken: the public file claimed for it is this call's own, and empty.
    await publicHandle?.close();
    await fsp.unlink(publicPath).catch(() => undefined);
    throw error;
  }
  const pair = generateKeyPair(backend, kind);
  try {
    await handle.chmod(0o600); // the umask may have narrowed it further, never widened; make it exact
    await handle.writeFile(formatPrivateKey(kind, pair.secretKey), 'utf8');
  } finally {
    await handle.close();
  }
  if (publicHandle) {
    const line = formatPublicKey(kind, pair.publicKey) + (options.comment ? ` ${options.comment}` : '');
    try {
      await publicHandle.writeFile(`${line}\n`, 'utf8');
    } finally {
      await publicHandle.close();
    }
  }
  return pair;
}

/** Opens a new file that must not exist yet (no link followed), or throws naming it. */
async function createExclusive(
  path: string,
  flags: number,
  mode: number,
): Promise<Awaited<ReturnType<typeof fsp.open>>> {
  try {
    return await fsp.open(path, flags, mode);
  } catch (cause) {
    throw new SpaError(ERROR_CODES.invalidArgument, `cannot create ${path}: ${describe(cause)}`, { cause });
  }
}

function describe(cause: unknown): string {
  const code = (cause as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EEXIST') return 'file exists (refusing to overwrite a key or follow a link)';
  if (code === 'EACCES') return 'permission denied';
  return cause instanceof Error ? cause.message : String(cause);
}
