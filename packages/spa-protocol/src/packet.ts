/** The datagram (docs/protocol.md §3): encode on the client; the cheap and the unsealing checks on the server. @module */
import { decodeBody, encodeBody } from './body.js';
import { concatBytes, equalBytes, isAllZero, wipe } from './bytes.js';
import { clientSecretsFromSeed, computeClientTag, epochOf } from './client-keys.js';
import type { ClientTable, KnownClient, TaggedClient } from './client-table.js';
import {
  CLIENT_TAG_OFFSET,
  EPHEMERAL_OFFSET,
  HEADER_NONCE_OFFSET,
  HEADER_SIZE,
  KEY_SIZE,
  LABEL_SIGNATURE,
  MAC2_SIZE,
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
import { computeMac2 } from './mac2.js';
import { ok, type RefusalReason, type Result, refuse } from './refusal.js';
import type { KnockRequest, SignedKnock } from './request.js';
import { seal, unseal } from './seal.js';
import type { ServerContext } from './server-context.js';

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

/** Builds one tagged, sealed, signed, mac2-protected datagram. Throws SpaError for an invalid request or key. */
export function encodeDatagram(options: EncodeOptions): EncodedKnock {
  const { backend, request } = options;
  const serverKey = assertBytes(options.serverPublicKey, KEY_SIZE, 'serverPublicKey');
  const secret = assertBytes(options.clientSecretKey, KEY_SIZE, 'clientSecretKey');
  const random = options.random ?? systemRandom;
  const clientPublic = options.clientPublicKey ?? backend.ed25519PublicKey(secret);
  const secrets = clientSecretsFromSeed(backend, secret, clientPublic, serverKey);
  if (!secrets) throw new SpaError(ERROR_CODES.invalidKey, 'server public key is a small-order point');
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
  header.set(computeClientTag(backend, secrets.tagKey, epochOf(knock.timestampMs)), CLIENT_TAG_OFFSET);
  header.set(knock.nonce, HEADER_NONCE_OFFSET);
  header.set(backend.x25519PublicKey(ephemeralSecret), EPHEMERAL_OFFSET);
  const sealed = seal(
    backend,
    serverKey,
    ephemeralSecret,
    header.subarray(EPHEMERAL_OFFSET),
    header,
    plaintext,
  );
  wipe(ephemeralSecret);
  wipe(secrets.tagKey);
  if (!sealed) {
    wipe(secrets.macKey);
    throw new SpaError(ERROR_CODES.invalidKey, 'server public key is a small-order point');
  }

  const datagram = new Uint8Array(HEADER_SIZE + sealed.length + MAC2_SIZE);
  if (datagram.length > MAX_DATAGRAM_SIZE) {
    wipe(secrets.macKey);
    throw new SpaError(ERROR_CODES.requestTooLarge, 'request too large');
  }
  datagram.set(header);
  datagram.set(sealed, HEADER_SIZE);
  const covered = datagram.subarray(0, datagram.length - MAC2_SIZE);
  datagram.set(computeMac2(backend, secrets.macKey, covered), covered.length);
  wipe(secrets.macKey);
  return { datagram, knock };
}

/**
 * The receiver's replay memory asked before any public-key work (§7 7): undefined when (client, nonce)
 * is new. It must only read. NO_REPLAY_MEMORY is the hook of a receiver that keeps none.
 */
export type SeenHook<C extends KnownClient> = (client: C, nonce: Uint8Array) => RefusalReason | undefined;

/** A precheck's verdict: the tagged client, or the refusal (a step-7 replay names the tag's client). */
export type Prechecked<C extends KnownClient> =
  | { readonly ok: true; readonly value: TaggedClient<C> }
  | { readonly ok: false; readonly reason: RefusalReason; readonly client?: C };

// Refusals before the tag names a client are constants: the cheapest paths allocate nothing.
const EARLY: Readonly<Record<string, Prechecked<never>>> = Object.fromEntries(
  (['too-short', 'too-long', 'bad-length', 'bad-version', 'unknown-client'] as const).map((r) => [
    r,
    Object.freeze({ ok: false, reason: r }),
  ]),
);

const BAD_MAC: Prechecked<never> = Object.freeze({ ok: false, reason: 'bad-mac' });

/**
 * §7 checks 1–7: length, version, client tag, mac2, replay pre-check. One Map lookup for an unknown
 * tag, one HMAC for a known one with a bad mac2; the table must have been advanced to now. After a
 * pass, the datagram was made by the tag's client (or is a byte copy of one it made, refused here
 * when its nonce was seen). The header's nonce is only trusted as far as mac2: it must still equal
 * the signed body's (§7 9).
 */
export function precheckDatagram<C extends KnownClient>(
  table: ClientTable<C>,
  datagram: Uint8Array,
  seen: SeenHook<C>,
): Prechecked<C> {
  const n = datagram.length;
  if (n < MIN_DATAGRAM_SIZE) return EARLY['too-short']!;
  if (n > MAX_DATAGRAM_SIZE) return EARLY['too-long']!;
  if ((n - OVERHEAD) % PAD_BLOCK !== 0) return EARLY['bad-length']!;
  if (datagram[0] !== PROTOCOL_VERSION || datagram[1] !== 0 || datagram[2] !== 0 || datagram[3] !== 0) {
    return EARLY['bad-version']!;
  }
  const tagged = table.lookup(datagram); // 5
  if (!tagged) return EARLY['unknown-client']!;
  if (!table.checkMac2(tagged, datagram)) return BAD_MAC; // 6
  const nonce = datagram.subarray(HEADER_NONCE_OFFSET, HEADER_NONCE_OFFSET + NONCE_SIZE);
  const replayed = seen(tagged.client, nonce); // 7
  if (replayed) return { ok: false, reason: replayed, client: tagged.client };
  return { ok: true, value: tagged };
}

/** The nonce a datagram carries in its header (§3), as bytes of the datagram itself. */
export function headerNonce(datagram: Uint8Array): Uint8Array {
  return datagram.subarray(HEADER_NONCE_OFFSET, HEADER_NONCE_OFFSET + NONCE_SIZE);
}

/** A datagram that unsealed and parsed, not yet authenticated: its signature is still to be checked. */
export interface OpenedKnock {
  readonly knock: SignedKnock;
  readonly signature: Uint8Array;
  /** LABEL_SIGNATURE || body: the exact bytes the signature covers. */
  readonly signedMessage: Uint8Array;
}

/** §7 checks 8–11. Call only after precheckDatagram passed. Never throws on network input. */
export function openDatagram(ctx: ServerContext, datagram: Uint8Array): Result<OpenedKnock> {
  const header = datagram.subarray(0, HEADER_SIZE);
  const ephemeral = datagram.subarray(EPHEMERAL_OFFSET, HEADER_SIZE);
  const sealed = datagram.subarray(HEADER_SIZE, datagram.length - MAC2_SIZE);
  const plaintext = unseal(ctx.backend, ctx.serverSecretKey, ctx.serverPublicKey, ephemeral, header, sealed);
  if (!plaintext) return refuse('decrypt-failed');
  const parsed = decodeBody(plaintext.subarray(SIGNATURE_SIZE));
  if (!parsed) return refuse('malformed');
  // §4: the padding must be the shortest possible and all zero, so each request has one encoding.
  const end = SIGNATURE_SIZE + parsed.length;
  const padding = plaintext.subarray(end);
  if (padding.length >= PAD_BLOCK || !isAllZero(padding)) return refuse('malformed');
  const { knock } = parsed;
  // §3: the header's nonce is the one the replay pre-check used; the signature covers the body's.
  if (!equalBytes(knock.nonce, headerNonce(datagram))) return refuse('malformed');
  if (knock.version !== datagram[0]) return refuse('bad-version');
  if (!equalBytes(knock.serverKey, ctx.serverPublicKey)) return refuse('wrong-server');
  return ok({
    knock,
    signature: plaintext.slice(0, SIGNATURE_SIZE),
    signedMessage: concatBytes(LABEL_SIGNATURE, plaintext.subarray(SIGNATURE_SIZE, end)),
  });
}
