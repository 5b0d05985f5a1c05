/** spa-protocol/wire: the layers under encodeDatagram (body, seal, client tag, mac2), for tools that craft datagrams byte by byte. @module */
// Not for clients or servers: encodeDatagram and the check path use these in the one right order.
// The test kit's forgers and fuzzers, and the known-answer vector generator, need them out of order.

export { decodeBody, encodeBody } from './body.js';
export { concatBytes } from './bytes.js';
export {
  BODY_FIXED_SIZE,
  BODY_OFFSET,
  CLIENT_TAG_OFFSET,
  CLIENT_TAG_SIZE,
  EPHEMERAL_OFFSET,
  HEADER_NONCE_OFFSET,
  HEADER_SIZE,
  LABEL_SIGNATURE,
  MAC2_SIZE,
  PAD_BLOCK,
  SIGNATURE_SIZE,
} from './constants.js';
export { checkMac2, computeMac2 } from './mac2.js';
export { seal, unseal } from './seal.js';
