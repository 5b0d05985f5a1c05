/** The JSON object a hook reads on stdin: a grant event as a stable, documented shape with no key material. @module */
import { portOnly, portText } from '../config/port-spec.js';
import type { PortSpec } from '../firewall/driver.js';
import type { CloseReason, GrantEvent, GrantEventType } from '../grants/grant-events.js';

/** Version of the shape below; a change that removes or renames a field increments it. */
export const HOOK_PAYLOAD_VERSION = 1;

/** spa-server README, "Hooks": every field is documented there. */
export interface HookPayload {
  readonly version: typeof HOOK_PAYLOAD_VERSION;
  readonly event: GrantEventType;
  /** When the daemon saw it happen (ISO 8601, UTC). */
  readonly ts: string;
  /** The client's configured name. */
  readonly client: string;
  /** The addresses concerned, each once, in the knock's order. */
  readonly addresses: readonly string[];
  /** The ports concerned as in the config (`tcp/22`, `udp/8000-8010`), each once. */
  readonly ports: readonly string[];
  /** Exactly which (address, port) pairs: a knock may renew some and grant others. */
  readonly grants: readonly ({ readonly address: string } & PortSpec)[];
  /** grant, extend: when the access ends; expire: when it ended. */
  readonly expiresAt?: string;
  /** close only: client, duplicate, reload, flush, repair or restart. */
  readonly reason?: CloseReason;
}

export function hookPayload(event: GrantEvent): HookPayload {
  const addresses = [...new Set(event.targets.map((t) => t.address))];
  const ports = [...new Set(event.targets.map(portText))];
  return {
    version: HOOK_PAYLOAD_VERSION,
    event: event.type,
    ts: new Date(event.atMs).toISOString(),
    client: event.client,
    addresses,
    ports,
    grants: event.targets.map((t) => ({ address: t.address, ...portOnly(t) })),
    ...(event.expiresAtMs === undefined ? {} : { expiresAt: new Date(event.expiresAtMs).toISOString() }),
    ...(event.reason === undefined ? {} : { reason: event.reason }),
  };
}
