/** Wire format v1: sizes, offsets, limits and domain-separation labels (docs/protocol.md §2–§6). @module */

export const PROTOCOL_VERSION = 1;

// §3 datagram
export const HEADER_SIZE = 36;
export const EPHEMERAL_OFFSET = 4;
export const KEY_SIZE = 32;
export const TAG_SIZE = 16;
export const MAC1_SIZE = 16;
export const OVERHEAD: number = HEADER_SIZE + TAG_SIZE + MAC1_SIZE;
export const PAD_BLOCK = 32;
export const MIN_DATAGRAM_SIZE = 228;
export const MAX_DATAGRAM_SIZE = 1200;

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
export const LABEL_KEY_ID: Uint8Array = ascii('spa-v1 key-id');
export const LABEL_SEAL: Uint8Array = ascii('spa-v1 seal');
export const LABEL_MAC1: Uint8Array = ascii('spa-v1 mac1');
export const LABEL_SIGNATURE: Uint8Array = ascii('spa-v1 request signature');

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
