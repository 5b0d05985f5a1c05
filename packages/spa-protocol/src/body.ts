/** Encode and decode of the signed body, the byte table of docs/protocol.md §5.1 in code. @module */
import { addressFromBytes, isGrantable, parseAddress } from './address.js';
import {
  ACCESS_TYPE,
  BODY_FIXED_SIZE,
  KEY_ID_SIZE,
  KEY_SIZE,
  MAX_ACCESS_ITEMS,
  MAX_ADDRESSES,
  MAX_DURATION_SECONDS,
  NONCE_SIZE,
  BODY_OFFSET as O,
  REQUEST_KIND,
} from './constants.js';
import { ERROR_CODES, SpaError } from './errors.js';
import { type AccessItem, formatAccess, isPort, isServiceName, type SignedKnock } from './request.js';

const invalid = (message: string): SpaError => new SpaError(ERROR_CODES.invalidRequest, message);

/** Throws INVALID_REQUEST for anything the decoder would refuse, so a client never sends a dud. */
export function encodeBody(knock: SignedKnock): Uint8Array {
  const { access, addresses } = knock;
  if (!Array.isArray(access) || access.length < 1 || access.length > MAX_ACCESS_ITEMS) {
    throw invalid(`a request names 1 to ${MAX_ACCESS_ITEMS} services or ports`);
  }
  if (!Array.isArray(addresses) || addresses.length > MAX_ADDRESSES) {
    throw invalid(`a request names at most ${MAX_ADDRESSES} addresses`);
  }
  if (!Number.isSafeInteger(knock.timestampMs) || knock.timestampMs < 0)
    throw invalid('timestamp out of range');
  if (
    !Number.isInteger(knock.durationSeconds) ||
    knock.durationSeconds < 0 ||
    knock.durationSeconds > MAX_DURATION_SECONDS
  ) {
    throw invalid('duration out of range');
  }
  if (knock.kind === 'close' && knock.durationSeconds !== 0) throw invalid('a close request has no duration');
  if (new Set(access.map(formatAccess)).size !== access.length) throw invalid('duplicate service or port');
  const parts: number[] = [];
  for (const item of access) {
    if (item.type === 'service') {
      if (!isServiceName(item.name)) throw invalid(`bad service name "${String(item.name)}"`);
      parts.push(ACCESS_TYPE.service, item.name.length);
      for (let i = 0; i < item.name.length; i++) parts.push(item.name.charCodeAt(i));
    } else {
      const type: 'tcp' | 'udp' = item.type;
      if (!isPort(item.port) || ACCESS_TYPE[type] === undefined) throw invalid('bad port');
      parts.push(ACCESS_TYPE[type], item.port >> 8, item.port & 0xff);
    }
  }
  const seen = new Set<string>();
  parts.push(addresses.length);
  for (const text of addresses) {
    const addr = parseAddress(text);
    if (!addr || !isGrantable(addr)) throw invalid(`not a unicast IP address: "${String(text)}"`);
    if (seen.has(addr.text)) throw invalid(`duplicate address ${addr.text}`);
    seen.add(addr.text);
    parts.push(addr.family, ...addr.bytes);
  }
  const out = new Uint8Array(BODY_FIXED_SIZE + parts.length);
  const view = new DataView(out.buffer);
  out[O.version] = knock.version;
  out.set(checkLength(knock.serverKey, KEY_SIZE, 'serverKey'), O.server);
  out.set(checkLength(knock.keyId, KEY_ID_SIZE, 'keyId'), O.keyId);
  view.setBigUint64(O.timestamp, BigInt(knock.timestampMs));
  out.set(checkLength(knock.nonce, NONCE_SIZE, 'nonce'), O.nonce);
  out[O.kind] = REQUEST_KIND[knock.kind] ?? 0;
  if (out[O.kind] === 0) throw invalid('kind must be open or close');
  view.setUint32(O.duration, knock.durationSeconds);
  out[O.accessCount] = access.length;
  out.set(parts, BODY_FIXED_SIZE);
  return out;
}

/** Parses a body that starts at `bytes[0]`; returns it and its length, or undefined when malformed. */
export function decodeBody(bytes: Uint8Array): { knock: SignedKnock; length: number } | undefined {
  if (bytes.length < BODY_FIXED_SIZE) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const timestamp = view.getBigUint64(O.timestamp);
  if (timestamp > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const kindByte = bytes[O.kind];
  const kind =
    kindByte === REQUEST_KIND.open ? 'open' : kindByte === REQUEST_KIND.close ? 'close' : undefined;
  const durationSeconds = view.getUint32(O.duration);
  const accessCount = bytes[O.accessCount]!;
  if (!kind || (kind === 'close' && durationSeconds !== 0)) return undefined;
  if (accessCount < 1 || accessCount > MAX_ACCESS_ITEMS) return undefined;

  let at = BODY_FIXED_SIZE;
  const access: AccessItem[] = [];
  const seenAccess = new Set<string>();
  for (let i = 0; i < accessCount; i++) {
    const item = readAccess(bytes, at);
    if (!item) return undefined;
    const key = formatAccess(item.value);
    if (seenAccess.has(key)) return undefined;
    seenAccess.add(key);
    access.push(item.value);
    at = item.next;
  }
  const addressCount = bytes[at++];
  if (addressCount === undefined || addressCount > MAX_ADDRESSES) return undefined;
  const addresses: string[] = [];
  for (let i = 0; i < addressCount; i++) {
    const size = bytes[at] === 4 ? 4 : bytes[at] === 6 ? 16 : 0;
    if (size === 0 || at + 1 + size > bytes.length) return undefined;
    const addr = addressFromBytes(bytes.subarray(at + 1, at + 1 + size));
    if (!addr || !isGrantable(addr) || addresses.includes(addr.text)) return undefined;
    addresses.push(addr.text);
    at += 1 + size;
  }
  const knock: SignedKnock = {
    version: bytes[O.version]!,
    serverKey: bytes.slice(O.server, O.server + KEY_SIZE),
    keyId: bytes.slice(O.keyId, O.keyId + KEY_ID_SIZE),
    timestampMs: Number(timestamp),
    nonce: bytes.slice(O.nonce, O.nonce + NONCE_SIZE),
    kind,
    durationSeconds,
    access,
    addresses,
  };
  return { knock, length: at };
}

function readAccess(bytes: Uint8Array, at: number): { value: AccessItem; next: number } | undefined {
  const type = bytes[at];
  if (type === ACCESS_TYPE.service) {
    const len = bytes[at + 1] ?? 0;
    if (at + 2 + len > bytes.length) return undefined;
    const name = String.fromCharCode(...bytes.subarray(at + 2, at + 2 + len));
    return isServiceName(name) ? { value: { type: 'service', name }, next: at + 2 + len } : undefined;
  }
  if ((type === ACCESS_TYPE.tcp || type === ACCESS_TYPE.udp) && at + 3 <= bytes.length) {
    const port = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    if (!isPort(port)) return undefined;
    return { value: { type: type === ACCESS_TYPE.tcp ? 'tcp' : 'udp', port }, next: at + 3 };
  }
  return undefined;
}

function checkLength(value: Uint8Array, length: number, name: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== length)
    throw invalid(`${name} must be ${length} bytes`);
  return value;
}
