/** spa-protocol: the SPA wire format v2, pure and portable (no I/O, no `node:` imports). @module */

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
  NO_REPLAY_MEMORY,
} from './authenticate.js';
export { equalBytes } from './bytes.js';
export {
  clientSecretsFromSeed,
  clientSecretsFromServerKey,
  computeClientTag,
  epochOf,
} from './client-keys.js';
export { agreedClientSecrets, type ClientSecrets } from './client-secrets.js';
export { ClientTable, type KnownClient, type TableBuild, type TaggedClient } from './client-table.js';
export {
  ACCESS_TYPE,
  // The header's clear fields at fixed offsets (§3): a receiver may filter on them before reading.
  CLIENT_TAG_OFFSET,
  CLIENT_TAG_SIZE,
  DEFAULT_FUTURE_WINDOW_MS,
  DEFAULT_PORT,
  EPOCH_MS,
  HEADER_NONCE_OFFSET,
  HEADER_SIZE,
  KEY_ID_SIZE,
  KEY_SIZE,
  MAC2_SIZE,
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
export { rememberPrimeOrderPoint } from './ed25519-subgroup.js';
export { decodeBase64url, encodeBase64url } from './encoding.js';
export { ERROR_CODES, type ErrorCode, SpaError } from './errors.js';
export type { KeyRecord, KnownKey, SubgroupCheck } from './key-state.js';
export {
  computeKeyId,
  derivePublicKey,
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  type KeyKind,
  type KeyPair,
  parseClientPublicKeyDeferred,
  parsePrivateKey,
  parsePublicKey,
  parseServerPublicKey,
  type RandomSource,
  systemRandom,
} from './keys.js';
export { uncheckedEd25519PublicToX25519Many } from './montgomery.js';
export {
  type EncodedKnock,
  type EncodeOptions,
  encodeDatagram,
  headerNonce,
  type OpenedKnock,
  openDatagram,
  type Prechecked,
  precheckDatagram,
  type SeenHook,
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
export { createServerContext, type ServerContext } from './server-context.js';
export { isWithinWindow } from './verify.js';
