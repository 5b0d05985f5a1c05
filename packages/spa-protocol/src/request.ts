/** The knock request: what a client asks for, as types and text forms (docs/protocol.md §5.1). @module */
import { MAX_SERVICE_NAME_LENGTH } from './constants.js';

/** A named service (`ssh`, resolved by the server's config) or an explicit port. */
export type AccessItem =
  | { readonly type: 'service'; readonly name: string }
  | { readonly type: 'tcp' | 'udp'; readonly port: number };

export type RequestKind = 'open' | 'close';

/** What the client chooses. */
export interface KnockRequest {
  readonly kind: RequestKind;
  readonly access: readonly AccessItem[];
  /** Canonical address texts to open for; empty means "the address the datagram came from". */
  readonly addresses: readonly string[];
  /** Seconds; 0 asks for the server's default. Always 0 for close. */
  readonly durationSeconds: number;
}

/** A request as signed: the client's choices plus the fields that bind it to a server, key and moment. */
export interface SignedKnock extends KnockRequest {
  readonly version: number;
  readonly serverKey: Uint8Array;
  readonly keyId: Uint8Array;
  readonly timestampMs: number;
  readonly nonce: Uint8Array;
}

const SERVICE_NAME = new RegExp(`^[a-z0-9][a-z0-9_-]{0,${MAX_SERVICE_NAME_LENGTH - 1}}$`);

export function isServiceName(name: string): boolean {
  return typeof name === 'string' && SERVICE_NAME.test(name);
}

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** `ssh` → service; `tcp/22`, `udp/53` → port. Undefined for anything else. */
export function parseAccess(text: string): AccessItem | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(tcp|udp)\/(\d{1,5})$/.exec(text);
  if (m) {
    const port = Number(m[2]);
    return isPort(port) && String(port) === m[2] ? { type: m[1] as 'tcp' | 'udp', port } : undefined;
  }
  return isServiceName(text) ? { type: 'service', name: text } : undefined;
}

export function formatAccess(item: AccessItem): string {
  return item.type === 'service' ? item.name : `${item.type}/${item.port}`;
}
