/** Key pairs, their one-line text encodings, and key ids (docs/protocol.md §1). @module */

import { concatBytes } from './bytes.js';
import {
  CLIENT_PRIVATE_PREFIX,
  CLIENT_PUBLIC_PREFIX,
  KEY_ID_SIZE,
  KEY_SIZE,
  LABEL_KEY_ID,
  SERVER_PRIVATE_PREFIX,
  SERVER_PUBLIC_PREFIX,
} from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import { failsCheapKeyChecks, isWeakEd25519PublicKey } from './ed25519-checks.js';
import { knownPrimeOrderVerdict } from './ed25519-subgroup.js';
import { decodeBase64url, encodeBase64url } from './encoding.js';
import { assertBytes, ERROR_CODES, SpaError } from './errors.js';

export type KeyKind = 'client' | 'server';

export interface KeyPair {
  readonly kind: KeyKind;
  /** Client: the Ed25519 seed. Server: the X25519 scalar. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Randomness source: returns n fresh random bytes. Injected so tests are reproducible. */
export type RandomSource = (n: number) => Uint8Array;

/** Web Crypto's CSPRNG: a global in Node ≥ 19, Deno, Bun and browsers, so no `node:` import is needed. */
export const systemRandom: RandomSource = (n) => crypto.getRandomValues(new Uint8Array(n));

const PREFIX = {
  client: { public: CLIENT_PUBLIC_PREFIX, private: CLIENT_PRIVATE_PREFIX },
  server: { public: SERVER_PUBLIC_PREFIX, private: SERVER_PRIVATE_PREFIX },
} as const;

export function generateKeyPair(
  backend: CryptoBackend,
  kind: KeyKind,
  random: RandomSource = systemRandom,
): KeyPair {
  const secretKey = assertBytes(random(KEY_SIZE), KEY_SIZE, 'random output');
  return { kind, secretKey, publicKey: derivePublicKey(backend, kind, secretKey) };
}

export function derivePublicKey(backend: CryptoBackend, kind: KeyKind, secretKey: Uint8Array): Uint8Array {
  assertBytes(secretKey, KEY_SIZE, 'secretKey');
  return kind === 'client' ? backend.ed25519PublicKey(secretKey) : backend.x25519PublicKey(secretKey);
}

/** `spa-ed25519:…` or `spa-x25519:…`, one line, no comment. */
export function formatPublicKey(kind: KeyKind, publicKey: Uint8Array): string {
  return PREFIX[kind].public + encodeBase64url(assertBytes(publicKey, KEY_SIZE, 'publicKey'));
}

/**
 * Parses a public key line; a trailing ` comment` is allowed, as in SSH. Throws INVALID_KEY for
 * anything else, WEAK_KEY for a client key that could make forgeries verify (§1).
 */
export function parsePublicKey(kind: KeyKind, text: string): Uint8Array {
  const key = decodePublicKeyText(kind, text);
  if (kind === 'client' && isWeakEd25519PublicKey(key)) {
    throw new SpaError(
      ERROR_CODES.weakKey,
      'client public key is a small-order, torsioned, non-canonical or invalid point',
    );
  }
  return key;
}

/**
 * `parsePublicKey('client', text)` with §1's subgroup check (a scalar multiplication, a millisecond
 * or more each) left to the server's client table, which makes it before it trusts the key: the byte
 * checks, and a verdict already known for these bytes. For loading a fleet of keys.
 */
export function parseClientPublicKeyDeferred(text: string): Uint8Array {
  const key = decodePublicKeyText('client', text);
  if (failsCheapKeyChecks(key) || knownPrimeOrderVerdict(key) === false) {
    throw new SpaError(
      ERROR_CODES.weakKey,
      'client public key is a small-order, torsioned, non-canonical or invalid point',
    );
  }
  return key;
}

/**
 * `parsePublicKey('server', text)` for code that never reads a client key: it does not reference the
 * Ed25519 checks, so a bundle of the client CLI leaves the curve arithmetic out of its start-up.
 */
export function parseServerPublicKey(text: string): Uint8Array {
  return decodePublicKeyText('server', text);
}

/*
 * A load parses each key text three times (schema, key cache, resolve), and a reload all of them
 * again. No cache of decoded texts: the decode is a loop over the text (encoding.ts), cheaper than a
 * Map lookup and a copy, and a cache kept an array and a text per key for the collector to copy.
 */
function decodePublicKeyText(kind: KeyKind, text: string): Uint8Array {
  if (typeof text !== 'string') throw new SpaError(ERROR_CODES.invalidArgument, 'key text must be a string');
  const prefix = PREFIX[kind].public;
  // A key text alone, as configuration tools write it: no trim, split or slice to make. Any
  // other (spaces around it, a comment after it) takes the general path below.
  const bare = text.length === prefix.length + KEY_TEXT_SIZE && text.startsWith(prefix);
  const token = bare ? text : (text.trim().split(/\s+/, 1)[0] ?? '');
  if (!bare && !token.startsWith(prefix)) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `not a ${kind} public key: expected it to start with "${prefix}"`,
    );
  }
  const key = decodeBase64url(token, KEY_SIZE, prefix.length);
  if (!key) throw new SpaError(ERROR_CODES.invalidKey, `${kind} public key is not 32 bytes of base64url`);
  return key;
}

/** Characters of a 32-byte key in base64url without padding. */
const KEY_TEXT_SIZE = Math.ceil((KEY_SIZE * 4) / 3);

/** The private key file's content: one line and a newline (§1). */
export function formatPrivateKey(kind: KeyKind, secretKey: Uint8Array): string {
  return `${PREFIX[kind].private}${encodeBase64url(assertBytes(secretKey, KEY_SIZE, 'secretKey'))}\n`;
}

/** Parses a private key file's text; `#` comments and blank lines are ignored. Never echoes key material. */
export function parsePrivateKey(kind: KeyKind, text: string): Uint8Array {
  if (typeof text !== 'string') throw new SpaError(ERROR_CODES.invalidArgument, 'key text must be a string');
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const prefix = PREFIX[kind].private;
  // The .pub file next to the key is an easy mistake to make; say so rather than "malformed".
  if (!lines.some((l) => l.startsWith(prefix)) && lines.some((l) => l.startsWith(PREFIX[kind].public))) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `this is a public key; the private key file starts with ${prefix}`,
    );
  }
  if (lines.length !== 1 || !lines[0]!.startsWith(prefix)) {
    throw new SpaError(
      ERROR_CODES.invalidKey,
      `not a ${kind} private key: expected one line starting with "${prefix}"`,
    );
  }
  const key = decodeBase64url(lines[0]!.slice(prefix.length), KEY_SIZE);
  if (!key) throw new SpaError(ERROR_CODES.invalidKey, `${kind} private key is not 32 bytes of base64url`);
  return key;
}

/** §1.1: SHA-256("spa-v1 key-id" || clientPublicKey)[0..16]. */
export function computeKeyId(backend: CryptoBackend, clientPublicKey: Uint8Array): Uint8Array {
  assertBytes(clientPublicKey, KEY_SIZE, 'clientPublicKey');
  return backend.sha256(concatBytes(LABEL_KEY_ID, clientPublicKey)).slice(0, KEY_ID_SIZE);
}
