/** spa-protocol/wire: the layers under encodeDatagram (body, seal, mac1), for tools that craft datagrams byte by byte. @module */
// Not for clients or servers: encodeDatagram and the check path use these in the one right order.
// The test kit's forgers and fuzzers, and the known-answer vector generator, need them out of order.

export { decodeBody, encodeBody } from './body.js';
export { concatBytes } from './bytes.js';
export {
  BODY_FIXED_SIZE,
  BODY_OFFSET,
  EPHEMERAL_OFFSET,
  HEADER_SIZE,
  LABEL_SIGNATURE,
  MAC1_SIZE,
  PAD_BLOCK,
  SIGNATURE_SIZE,
} from './constants.js';
export { checkMac1, computeMac1, deriveMac1Key } from './mac.js';
export { seal, unseal } from './seal.js';
