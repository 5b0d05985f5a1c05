/** A grant target as one short string of bytes, and back: the ledger keeps no target object per element. @module */
import { addressFromBytes, parseAddress } from 'spa-protocol';
import type { GrantTarget } from '../firewall/driver.js';

const PROTOCOLS = ['tcp', 'udp'] as const;

/** A one-shot target is another element (its own kernel set) than a plain one to the same port. */
const ONCE = 2;

/**
 * family, the address's bytes, protocol (plus ONCE), port (and a range's last port), one char per
 * byte: 8 to 22 one-byte chars, a third of the text form's memory. Targets carry canonical address text.
 */
export function targetKey(t: GrantTarget): string {
  const bytes = parseAddress(t.address)?.bytes;
  if (!bytes) throw new Error(`not an IP address: ${t.address}`);
  const codes = [
    t.family,
    ...bytes,
    PROTOCOLS.indexOf(t.protocol) + (t.once === true ? ONCE : 0),
    t.port >> 8,
    t.port & 255,
  ];
  if (t.lastPort !== undefined) codes.push(t.lastPort >> 8, t.lastPort & 255);
  return String.fromCharCode(...codes);
}

/** The target a key was made from. */
export function targetOf(key: string): GrantTarget {
  const family = key.charCodeAt(0) === 4 ? 4 : 6;
  const end = family === 4 ? 5 : 17;
  const bytes = new Uint8Array(end - 1);
  for (let i = 1; i < end; i++) bytes[i - 1] = key.charCodeAt(i);
  const at = (i: number): number => (key.charCodeAt(i) << 8) | key.charCodeAt(i + 1);
  const address = addressFromBytes(bytes)?.text ?? '';
  const protocol = PROTOCOLS[key.charCodeAt(end) & 1] ?? 'tcp';
  const port = at(end + 1);
  const range = key.length > end + 3;
  const once = (key.charCodeAt(end) & ONCE) !== 0;
  // The usual target as a plain literal: conditional spreads cost a status of 100,000 grants dearly.
  if (!range && !once) return { family, address, protocol, port };
  return {
    family,
    address,
    protocol,
    port,
    ...(range ? { lastPort: at(end + 3) } : {}),
    ...(once ? { once: true } : {}),
  };
}

/** The family of a key, without decoding it. */
export function familyOfKey(key: string): 4 | 6 {
  return key.charCodeAt(0) === 4 ? 4 : 6;
}
