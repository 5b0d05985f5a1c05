/** STUN (RFC 5389) Binding Request encoding and strict, bounded parsing of the response's mapped address. @module */
import { addressFromBytes } from 'spa-protocol';

export const STUN_HEADER_SIZE = 20;
export const STUN_MAGIC_COOKIE = 0x2112a442;
export const STUN_TRANSACTION_ID_SIZE = 12;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const BINDING_ERROR = 0x0111;
const ATTR_MAPPED_ADDRESS = 0x0001;
const ATTR_XOR_MAPPED_ADDRESS = 0x0020;
// Servers written against the RFC 3489bis drafts use this code point for the same attribute.
const ATTR_XOR_MAPPED_ADDRESS_OLD = 0x8020;
const ATTR_ERROR_CODE = 0x0009;
const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

export interface MappedAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly port: number;
}

export type StunParseResult =
  | { readonly ok: true; readonly mapped: MappedAddress }
  | { readonly ok: false; readonly reason: StunRefusal; readonly errorCode?: number };

/** Why a datagram was not taken as our answer; `not-ours` ones are ignored and waiting continues. */
export type StunRefusal = 'not-stun' | 'not-ours' | 'malformed' | 'error-response' | 'no-address';

/** 20 bytes: type, length 0, magic cookie, the 96-bit transaction id (RFC 5389 §6). */
export function encodeBindingRequest(transactionId: Uint8Array): Uint8Array {
  if (transactionId.length !== STUN_TRANSACTION_ID_SIZE)
    throw new RangeError('transaction id must be 12 bytes');
  const out = new Uint8Array(STUN_HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint16(0, BINDING_REQUEST);
  view.setUint16(2, 0);
  view.setUint32(4, STUN_MAGIC_COOKIE);
  out.set(transactionId, 8);
  return out;
}

/**
 * Parses a Binding response for `transactionId`. Never throws: every length is checked before it is
 * used, and the attribute walk is bounded by the datagram. XOR-MAPPED-ADDRESS wins over MAPPED-ADDRESS.
 */
export function parseBindingResponse(message: Uint8Array, transactionId: Uint8Array): StunParseResult {
  if (message.length < STUN_HEADER_SIZE || (message[0]! & 0xc0) !== 0)
    return { ok: false, reason: 'not-stun' };
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const type = view.getUint16(0);
  const length = view.getUint16(2);
  if (view.getUint32(4) !== STUN_MAGIC_COOKIE) return { ok: false, reason: 'not-stun' };
  if (!sameBytes(message.subarray(8, STUN_HEADER_SIZE), transactionId))
    return { ok: false, reason: 'not-ours' };
  if (type !== BINDING_SUCCESS && type !== BINDING_ERROR) return { ok: false, reason: 'not-ours' };
  if (length % 4 !== 0 || STUN_HEADER_SIZE + length !== message.length)
    return { ok: false, reason: 'malformed' };

  let xorMapped: MappedAddress | undefined;
  let mapped: MappedAddress | undefined;
  let errorCode: number | undefined;
  let offset = STUN_HEADER_SIZE;
  while (offset < message.length) {
    if (offset + 4 > message.length) return { ok: false, reason: 'malformed' };
    const attrType = view.getUint16(offset);
    const attrLength = view.getUint16(offset + 2);
    const start = offset + 4;
    if (start + attrLength > message.length) return { ok: false, reason: 'malformed' };
    const value = message.subarray(start, start + attrLength);
    if (attrType === ATTR_XOR_MAPPED_ADDRESS || attrType === ATTR_XOR_MAPPED_ADDRESS_OLD) {
      xorMapped ??= decodeAddress(value, message.subarray(4, STUN_HEADER_SIZE));
    } else if (attrType === ATTR_MAPPED_ADDRESS) {
      mapped ??= decodeAddress(value, undefined);
    } else if (attrType === ATTR_ERROR_CODE && attrLength >= 4) {
      errorCode = (value[2]! & 0x07) * 100 + value[3]!;
    }
    offset = start + Math.ceil(attrLength / 4) * 4; // attributes are padded to 4 bytes (§15)
  }
  if (type === BINDING_ERROR) return { ok: false, reason: 'error-response', errorCode };
  const found = xorMapped ?? mapped;
  return found ? { ok: true, mapped: found } : { ok: false, reason: 'no-address' };
}

/** §15.1 / §15.2: reserved byte, family, port, address; XORed with cookie || transaction id when `xorKey` given. */
function decodeAddress(value: Uint8Array, xorKey: Uint8Array | undefined): MappedAddress | undefined {
  if (value.length < 4) return undefined;
  const family = value[1] === FAMILY_IPV4 ? 4 : value[1] === FAMILY_IPV6 ? 6 : undefined;
  const size = family === 4 ? 4 : 16;
  if (family === undefined || value.length !== 4 + size) return undefined;
  const bytes = value.slice(4, 4 + size);
  let port = (value[2]! << 8) | value[3]!;
  if (xorKey) {
    port ^= STUN_MAGIC_COOKIE >>> 16;
    for (let i = 0; i < size; i++) bytes[i] = bytes[i]! ^ xorKey[i]!;
  }
  const address = addressFromBytes(bytes);
  return address ? { family, address: address.text, port } : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
