/** The datagram (docs/protocol.md §3): encode on the client; the cheap and the unsealing checks on the server. @module */
import { decodeBody, encodeBody } from './body.js';
import { concatBytes, equalBytes, isAllZero } from './bytes.js';
import {
  EPHEMERAL_OFFSET,
  HEADER_SIZE,
  KEY_SIZE,
  LABEL_SIGNATURE,
  MAC1_SIZE,
  MAX_DATAGRAM_SIZE,
  MIN_DATAGRAM_SIZE,
  NONCE_SIZE,
  OVERHEAD,
  PAD_BLOCK,
  PROTOCOL_VERSION,
  SIGNATURE_SIZE,
} from './constants.js';
import type { CryptoBackend } from './crypto/backend.js';
import { assertBytes, ERROR_CODES, SpaError } from './errors.js';
import { computeKeyId, type RandomSource, systemRandom } from './keys.js';
import { checkMac1, computeMac1, deriveMac1Key } from './mac.js';
import { ok, type RefusalReason, type Result, refuse } from './refusal.js';
import type { KnockRequest, SignedKnock } from './request.js';
import { seal, unseal } from './seal.js';

export interface EncodeOptions {
  readonly backend: CryptoBackend;
  readonly serverPublicKey: Uint8Array;
  readonly clientSecretKey: Uint8Array;
  /** Derived from the secret when absent; pass it to save a scalar multiplication. */
  readonly clientPublicKey?: Uint8Array;
  readonly request: KnockRequest;
  readonly now?: () => number;
  readonly random?: RandomSource;
}

export interface EncodedKnock {
  readonly datagram: Uint8Array;
  readonly knock: SignedKnock;
}

/** Builds one sealed, signed, mac1-tagged datagram. Throws SpaError for an invalid request or key. */
export function encodeDatagram(options: EncodeOptions): EncodedKnock {
  const { backend, request } = options;
  const serverKey = assertBytes(options.serverPublicKey, KEY_SIZE, 'serverPublicKey');
  const secret = assertBytes(options.clientSecretKey, KEY_SIZE, 'clientSecretKey');
  const random = options.random ?? systemRandom;
  const clientPublic = options.clientPublicKey ?? backend.ed25519PublicKey(secret);
  const knock: SignedKnock = {
    ...request,
    version: PROTOCOL_VERSION,
    serverKey,
    keyId: computeKeyId(backend, clientPublic),
    timestampMs: Math.trunc((options.now ?? Date.now)()),
    nonce: assertBytes(random(NONCE_SIZE), NONCE_SIZE, 'random output'),
  };
  const body = encodeBody(knock);
  const signature = backend.ed25519Sign(secret, concatBytes(LABEL_SIGNATURE, body));
  const unpadded = SIGNATURE_SIZE + body.length;
  const plaintext = new Uint8Array(Math.ceil(unpadded / PAD_BLOCK) * PAD_BLOCK); // §4: zero padding
  plaintext.set(signature);
  plaintext.set(body, SIGNATURE_SIZE);

  const ephemeralSecret = assertBytes(random(KEY_SIZE), KEY_SIZE, 'random output');
  const header = new Uint8Array(HEADER_SIZE);
  header[0] = PROTOCOL_VERSION;
  header.set(backend.x25519PublicKey(ephemeralSecret), EPHEMERAL_OFFSET);
  const sealed = seal(
    backend,
    serverKey,
    ephemeralSecret,
    header.subarray(EPHEMERAL_OFFSET),
    header,
    plaintext,
  );
  ephemeralSecret.fill(0);
  if (!sealed) throw new SpaError(ERROR_CODES.invalidKey, 'server public key is a small-order point');

  const datagram = new Uint8Array(HEADER_SIZE + sealed.length + MAC1_SIZE);
  if (datagram.length > MAX_DATAGRAM_SIZE)
    throw new SpaError(ERROR_CODES.requestTooLarge, 'request too large');
  datagram.set(header);
  datagram.set(sealed, HEADER_SIZE);
  const covered = datagram.subarray(0, datagram.length - MAC1_SIZE);
  datagram.set(computeMac1(backend, deriveMac1Key(backend, serverKey), covered), covered.length);
  return { datagram, knock };
}

/** Everything the server derives once from its key, so the per-packet path does no key setup. */
export interface ServerContext {
  readonly backend: CryptoBackend;
  readonly serverSecretKey: Uint8Array;
  readonly serverPublicKey: Uint8Array;
  readonly mac1Key: Uint8Array;
}

export function createServerContext(backend: CryptoBackend, serverSecretKey: Uint8Array): ServerContext {
  assertBytes(serverSecretKey, KEY_SIZE, 'serverSecretKey');
  const serverPublicKey = backend.x25519PublicKey(serverSecretKey);
  return { backend, serverSecretKey, serverPublicKey, mac1Key: deriveMac1Key(backend, serverPublicKey) };
}

/** §7 checks 1–5: length, version, mac1. One HMAC at most; no allocation beyond it. */
export function precheckDatagram(ctx: ServerContext, datagram: Uint8Array): RefusalReason | undefined {
  const n = datagram.length;
  if (n < MIN_DATAGRAM_SIZE) return 'too-short';
  if (n > MAX_DATAGRAM_SIZE) return 'too-long';
  if ((n - OVERHEAD) % PAD_BLOCK !== 0) return 'bad-length';
  if (datagram[0] !== PROTOCOL_VERSION || datagram[1] !== 0 || datagram[2] !== 0 || datagram[3] !== 0) {
    return 'bad-version';
  }
  return checkMac1(ctx.backend, ctx.mac1Key, datagram) ? undefined : 'bad-mac';
}

/** A datagram that unsealed and parsed, not yet authenticated: its signature is still to be checked. */
export interface OpenedKnock {
  readonly knock: SignedKnock;
  readonly signature: Uint8Array;
  /** LABEL_SIGNATURE || body: the exact bytes the signature covers. */
  readonly signedMessage: Uint8Array;
}

/** §7 checks 6–9. Call only after precheckDatagram passed. Never throws on network input. */
export function openDatagram(ctx: ServerContext, datagram: Uint8Array): Result<OpenedKnock> {
  const header = datagram.subarray(0, HEADER_SIZE);
  const ephemeral = datagram.subarray(EPHEMERAL_OFFSET, HEADER_SIZE);
  const sealed = datagram.subarray(HEADER_SIZE, datagram.length - MAC1_SIZE);
  const plaintext = unseal(ctx.backend, ctx.serverSecretKey, ctx.serverPublicKey, ephemeral, header, sealed);
  if (!plaintext) return refuse('decrypt-failed');
  const parsed = decodeBody(plaintext.subarray(SIGNATURE_SIZE));
  if (!parsed) return refuse('malformed');
  // §4: the padding must be the shortest possible and all zero, so each request has one encoding.
  const end = SIGNATURE_SIZE + parsed.length;
  const padding = plaintext.subarray(end);
  if (padding.length >= PAD_BLOCK || !isAllZero(padding)) return refuse('malformed');
  const { knock } = parsed;
  if (knock.version !== datagram[0]) return refuse('bad-version');
  if (!equalBytes(knock.serverKey, ctx.serverPublicKey)) return refuse('wrong-server');
  return ok({
    knock,
    signature: plaintext.slice(0, SIGNATURE_SIZE),
    signedMessage: concatBytes(LABEL_SIGNATURE, plaintext.subarray(SIGNATURE_SIZE, end)),
  });
}
