/** spa-protocol: the SPA wire format v1, pure and portable (no I/O, no `node:` imports). @module */

export {
  addressFromBytes,
  addressInNetwork,
  type IpAddress,
  type IpFamily,
  isGrantable,
  isLoopback,
  isValidNetwork,
  normaliseNetwork,
  parseAddress,
  unmapAddress,
} from './address.js';
export {
  type AuthenticateOptions,
  type AuthResult,
  authenticateDatagram,
  type DecodedKnock,
  type KnownClient,
  NO_REPLAY_MEMORY,
  type Replayed,
  verifyReplayed,
} from './authenticate.js';
export { equalBytes } from './bytes.js';
export {
  ACCESS_TYPE,
  DEFAULT_FUTURE_WINDOW_MS,
  DEFAULT_PORT,
  HEADER_SIZE,
  KEY_ID_SIZE,
  KEY_SIZE,
  MAC1_SIZE,
  MAX_ACCESS_ITEMS,
  MAX_ADDRESSES,
  MAX_DATAGRAM_SIZE,
  MAX_SERVICE_NAME_LENGTH,
  MIN_DATAGRAM_SIZE,
  NONCE_SIZE,
  OVERHEAD,
  PAD_BLOCK,
  PROTOCOL_VERSION,
  SERVER_PUBLIC_PREFIX,
  SIGNATURE_SIZE,
} from './constants.js';
export type { CryptoBackend } from './crypto/backend.js';
export { nobleBackend } from './crypto/noble.js';
export { type DecodeOptions, decodeDatagram } from './decode.js';
export { hasCanonicalS, isWeakEd25519PublicKey } from './ed25519-checks.js';
export { decodeBase64url, encodeBase64url } from './encoding.js';
export { ERROR_CODES, type ErrorCode, SpaError } from './errors.js';
export {
  computeKeyId,
  derivePublicKey,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  type KeyKind,
  type KeyPair,
  parsePrivateKey,
  parsePublicKey,
  parseServerPublicKey,
  type RandomSource,
  systemRandom,
} from './keys.js';
export {
  createServerContext,
  type EncodedKnock,
  type EncodeOptions,
  encodeDatagram,
  type OpenedKnock,
  openDatagram,
  precheckDatagram,
  type ServerContext,
} from './packet.js';
export { ok, PROTOCOL_REFUSALS, type RefusalReason, type Result, refuse } from './refusal.js';
export {
  type AccessItem,
  formatAccess,
  isPort,
  isServiceName,
  type KnockRequest,
  parseAccess,
  type RequestKind,
  type SignedKnock,
} from './request.js';
export { isWithinWindow } from './verify.js';
