/** Wire format v2: sizes, offsets, limits and domain-separation labels (docs/protocol.md §2–§6). @module */

export const PROTOCOL_VERSION = 2;

// §3 datagram
export const CLIENT_TAG_OFFSET = 4;
export const CLIENT_TAG_SIZE = 16;
export const HEADER_NONCE_OFFSET = 20;
export const EPHEMERAL_OFFSET = 36;
export const HEADER_SIZE = 68;
export const KEY_SIZE = 32;
/** The AEAD's tag (ChaCha20-Poly1305), not the client tag. */
export const TAG_SIZE = 16;
export const MAC2_SIZE = 16;
export const OVERHEAD: number = HEADER_SIZE + TAG_SIZE + MAC2_SIZE;
export const PAD_BLOCK = 32;
export const MIN_DATAGRAM_SIZE = 260;
export const MAX_DATAGRAM_SIZE = 1200;
/** §6: client tags change every epoch, ⌊timestamp / EPOCH_MS⌋. */
export const EPOCH_MS = 60_000;

// §4 plaintext
export const SIGNATURE_SIZE = 64;

// §5.1 body
export const KEY_ID_SIZE = 16;
export const NONCE_SIZE = 16;
export const BODY_FIXED_SIZE = 79;
export const BODY_OFFSET = {
  version: 0,
  server: 1,
  keyId: 33,
  timestamp: 49,
  nonce: 57,
  kind: 73,
  duration: 74,
  accessCount: 78,
} as const;
export const MAX_ACCESS_ITEMS = 16;
export const MAX_ADDRESSES = 8;
export const MAX_SERVICE_NAME_LENGTH = 32;
export const MAX_DURATION_SECONDS = 0xffffffff;
export const REQUEST_KIND = { open: 1, close: 2 } as const;
export const ACCESS_TYPE = { service: 1, tcp: 2, udp: 3 } as const;

// §4–§6 labels: each use of a key gets its own, so no output can be replayed as another's input.
const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
// The key id keeps its v1 label: it names a key in configs, logs and state files, whatever the format.
export const LABEL_KEY_ID: Uint8Array = ascii('spa-v1 key-id');
export const LABEL_SEAL: Uint8Array = ascii('spa-v2 seal');
export const LABEL_TAG_KEY: Uint8Array = ascii('spa-v2 tag key');
export const LABEL_MAC_KEY: Uint8Array = ascii('spa-v2 mac key');
export const LABEL_CLIENT_TAG: Uint8Array = ascii('spa-v2 client tag');
export const LABEL_SIGNATURE: Uint8Array = ascii('spa-v2 request signature');

// §1 text encodings
export const CLIENT_PUBLIC_PREFIX = 'spa-ed25519:';
export const CLIENT_PRIVATE_PREFIX = 'spa-ed25519-private:';
export const SERVER_PUBLIC_PREFIX = 'spa-x25519:';
export const SERVER_PRIVATE_PREFIX = 'spa-x25519-private:';

/** The default UDP port, as fwknop's 62201, so firewall documentation carries over. */
export const DEFAULT_PORT = 62201;

/**
 * How far ahead of the receiver's clock a timestamp may be (§7 12), by default. Small, apart from the
 * window into the past: a future-dated knock stays "fresh" for longer, and the receiver's replay
 * store must hold it for that long.
 */
export const DEFAULT_FUTURE_WINDOW_MS = 5000;
