/** Test-only forging: builds v2 datagrams a real client never would (re-tagged, re-sealed, re-signed, re-MACed), for refusal vectors and fuzzing. @module */
import {
  type ClientSecrets,
  type CryptoBackend,
  clientSecretsFromSeed,
  computeClientTag,
  epochOf,
  NONCE_SIZE,
  PROTOCOL_VERSION,
} from 'spa-protocol';
import {
  BODY_OFFSET,
  CLIENT_TAG_OFFSET,
  CLIENT_TAG_SIZE,
  computeMac2,
  concatBytes,
  EPHEMERAL_OFFSET,
  HEADER_NONCE_OFFSET,
  HEADER_SIZE,
  LABEL_SIGNATURE,
  MAC2_SIZE,
  PAD_BLOCK,
  SIGNATURE_SIZE,
  seal,
  unseal,
} from 'spa-protocol/wire';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));

/** A deterministic random source replaying the given chunks in order (nonce, then ephemeral secret). */
export function replayRandom(...chunks: Uint8Array[]): (n: number) => Uint8Array {
  const queue = [...chunks];
  return (n) => {
    const next = queue.shift();
    if (!next || next.length !== n) throw new Error(`replayRandom: expected ${n} bytes`);
    return next.slice();
  };
}

/** Seeded bytes: SHA-256 chains of a label, so vectors are reproducible without storing randomness twice. */
export function seeded(backend: CryptoBackend, label: string, n: number): Uint8Array {
  const out = new Uint8Array(n);
  let block = backend.sha256(new TextEncoder().encode(label));
  for (let at = 0; at < n; at += 32) {
    out.set(block.subarray(0, Math.min(32, n - at)), at);
    block = backend.sha256(block);
  }
  return out;
}

/**
 * The tag key and MAC key one client shares with one server, as the client derives them from its
 * seed: what a forger needs to get past §7 5–6 as that client. Throws for a small-order server key.
 */
export function senderSecrets(
  backend: CryptoBackend,
  clientSeed: Uint8Array,
  serverPublic: Uint8Array,
  clientPublic: Uint8Array = backend.ed25519PublicKey(clientSeed),
): ClientSecrets {
  const secrets = clientSecretsFromSeed(backend, clientSeed, clientPublic, serverPublic);
  if (!secrets) throw new Error('senderSecrets: server key is a small-order point');
  return secrets;
}

/** Header fields a forgery may pin; each defaults to what a real client would send with the plaintext's body. */
export interface HeaderFields {
  /** The epoch whose client tag the header carries; default: the epoch of the body's timestamp (0 if none). */
  readonly epoch?: number;
  /** The client tag itself, in place of the epoch's (a wrong one, another client's). */
  readonly tag?: Uint8Array;
  /** The header nonce; default: the body's (zero when the plaintext is too short to hold one). */
  readonly nonce?: Uint8Array;
  /** Byte 0; default PROTOCOL_VERSION. */
  readonly version?: number;
}

const BODY_AT = SIGNATURE_SIZE;

/** The body's timestamp, read from a plaintext's bytes; undefined when absent or out of range. */
function bodyTimestamp(plaintext: Uint8Array): number | undefined {
  const at = BODY_AT + BODY_OFFSET.timestamp;
  if (plaintext.length < at + 8) return undefined;
  const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  const ts = view.getBigUint64(at);
  return ts <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ts) : undefined;
}

/** The body's nonce bytes as they stand in a plaintext (zero when the plaintext is too short). */
function bodyNonce(plaintext: Uint8Array): Uint8Array {
  const at = BODY_AT + BODY_OFFSET.nonce;
  return plaintext.length >= at + NONCE_SIZE
    ? plaintext.slice(at, at + NONCE_SIZE)
    : new Uint8Array(NONCE_SIZE);
}

/** The 68-byte header (§3): version, reserved zeros, client tag, nonce, ephemeral public key. */
export function forgeHeader(
  backend: CryptoBackend,
  sender: ClientSecrets,
  ephemeralPublic: Uint8Array,
  plaintext: Uint8Array,
  fields: HeaderFields = {},
): Uint8Array {
  const header = new Uint8Array(HEADER_SIZE);
  header[0] = fields.version ?? PROTOCOL_VERSION;
  const epoch = fields.epoch ?? epochOf(bodyTimestamp(plaintext) ?? 0);
  header.set(
    (fields.tag ?? computeClientTag(backend, sender.tagKey, epoch)).subarray(0, CLIENT_TAG_SIZE),
    CLIENT_TAG_OFFSET,
  );
  header.set(fields.nonce ?? bodyNonce(plaintext), HEADER_NONCE_OFFSET);
  header.set(ephemeralPublic, EPHEMERAL_OFFSET);
  return header;
}

/**
 * Seals any plaintext to a server key under a forged header and appends a valid mac2 for `sender`:
 * what the holder of a client's key (or the server) can send. Not a signature: that is the plaintext's.
 */
export function sealPlaintext(
  backend: CryptoBackend,
  serverPublic: Uint8Array,
  plaintext: Uint8Array,
  ephemeralSecret: Uint8Array,
  sender: ClientSecrets,
  fields?: HeaderFields,
): Uint8Array {
  const ephemeralPublic = backend.x25519PublicKey(ephemeralSecret);
  const header = forgeHeader(backend, sender, ephemeralPublic, plaintext, fields);
  const sealed = seal(backend, serverPublic, ephemeralSecret, ephemeralPublic, header, plaintext);
  if (!sealed) throw new Error('sealPlaintext: bad server key');
  return withMac(backend, sender, concatBytes(header, sealed, new Uint8Array(MAC2_SIZE)));
}

/** Recomputes the last 16 bytes as a valid mac2 under `sender.macKey`, over the datagram as it now is. */
export function withMac(
  backend: CryptoBackend,
  sender: { readonly macKey: Uint8Array },
  datagram: Uint8Array,
): Uint8Array {
  const out = datagram.slice();
  const end = out.length - MAC2_SIZE;
  out.set(computeMac2(backend, sender.macKey, out.subarray(0, end)), end);
  return out;
}

/**
 * Puts the sender's client tag of `epoch` in the header and recomputes mac2. The tag is part of the
 * AAD, so a datagram sealed under another tag then fails to unseal (§7 8), if it gets that far.
 */
export function withTag(
  backend: CryptoBackend,
  sender: ClientSecrets,
  epoch: number,
  datagram: Uint8Array,
): Uint8Array {
  const out = datagram.slice();
  out.set(computeClientTag(backend, sender.tagKey, epoch), CLIENT_TAG_OFFSET);
  return withMac(backend, sender, out);
}

/** Unseals a datagram with the server's secret: returns the plaintext (signature || body || padding). */
export function unsealDatagram(
  backend: CryptoBackend,
  serverSecret: Uint8Array,
  datagram: Uint8Array,
): Uint8Array {
  const serverPublic = backend.x25519PublicKey(serverSecret);
  const header = datagram.subarray(0, HEADER_SIZE);
  const pt = unseal(
    backend,
    serverSecret,
    serverPublic,
    header.subarray(EPHEMERAL_OFFSET),
    header,
    datagram.subarray(HEADER_SIZE, datagram.length - MAC2_SIZE),
  );
  if (!pt) throw new Error('unsealDatagram: does not open');
  return pt;
}

/** Plaintext from a signature and a body, padded as §4 requires. */
export function buildPlaintext(signature: Uint8Array, body: Uint8Array): Uint8Array {
  const size = Math.ceil((SIGNATURE_SIZE + body.length) / PAD_BLOCK) * PAD_BLOCK;
  const pt = new Uint8Array(size);
  pt.set(signature);
  pt.set(body, SIGNATURE_SIZE);
  return pt;
}

export const signBody = (backend: CryptoBackend, seed: Uint8Array, body: Uint8Array): Uint8Array =>
  backend.ed25519Sign(seed, concatBytes(LABEL_SIGNATURE, body));
