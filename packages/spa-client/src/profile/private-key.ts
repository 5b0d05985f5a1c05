/** Loads the client's private key from --key FILE, --key - (stdin), SPA_PRIVATE_KEY or the profile's keyFile. @module */
import { parsePrivateKeyText, readPrivateKeyFileSync } from 'spa-node';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

export type KeySource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stdin' }
  | { readonly kind: 'env' };

const MAX_KEY_TEXT = 16 * 1024;

/** Where the key comes from, in order of precedence: --key, then SPA_PRIVATE_KEY, then the profile. */
export function chooseKeySource(
  keyOption: string | undefined,
  env: NodeJS.ProcessEnv,
  profileKeyFile: string | undefined,
): KeySource {
  if (keyOption === '-') return { kind: 'stdin' };
  if (keyOption !== undefined) return { kind: 'file', path: keyOption };
  if (env.SPA_PRIVATE_KEY !== undefined && env.SPA_PRIVATE_KEY !== '') return { kind: 'env' };
  if (profileKeyFile !== undefined) return { kind: 'file', path: profileKeyFile };
  throw new ClientError(
    CLIENT_ERROR_CODES.keyInvalid,
    'no private key: pass --key FILE (or --key - for stdin), set SPA_PRIVATE_KEY, or set keyFile in the profile',
  );
}

export function describeKeySource(source: KeySource): string {
  return source.kind === 'file' ? source.path : source.kind === 'env' ? 'SPA_PRIVATE_KEY' : 'stdin';
}

/** The 32-byte Ed25519 seed. Key files readable by group or others are refused (as ssh does). */
export async function loadPrivateKey(source: KeySource, env: NodeJS.ProcessEnv): Promise<Uint8Array> {
  // Synchronous: the asynchronous read would start libuv's thread pool, milliseconds of start-up.
  if (source.kind === 'file') return readPrivateKeyFileSync('client', source.path);
  if (source.kind === 'env')
    return parsePrivateKeyText('client', env.SPA_PRIVATE_KEY ?? '', 'SPA_PRIVATE_KEY');
  return parsePrivateKeyText('client', await readStdin(), 'stdin');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_KEY_TEXT) {
      throw new ClientError(CLIENT_ERROR_CODES.keyInvalid, 'stdin: more than 16 KiB, not a private key');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
