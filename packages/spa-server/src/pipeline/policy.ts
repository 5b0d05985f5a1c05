/** Server policy for an authenticated knock: what it may open, for which addresses, for how long. @module */
import {
  addressInNetwork,
  formatAccess,
  type IpAddress,
  isGrantable,
  parseAddress,
  type RequestKind,
  type SignedKnock,
} from 'spa-protocol';
import { portAllows, portText } from '../config/port-spec.js';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { PortSpec } from '../firewall/driver.js';
import type { ServerRefusal } from '../shared/reasons.js';

export interface PolicyLimits {
  readonly services: ReadonlyMap<string, readonly PortSpec[]>;
  readonly defaultDurationSeconds: number;
  readonly maxDurationSeconds: number;
}

/** What an allowed knock does. */
export interface PolicyDecision {
  readonly kind: RequestKind;
  /** Deduplicated ports to open or close. */
  readonly ports: readonly PortSpec[];
  /** The access items as asked for (`ssh`, `tcp/22`), for the log line. */
  readonly access: readonly string[];
  /** Deduplicated addresses to open or close for. */
  readonly addresses: readonly IpAddress[];
  /** Seconds the grant lasts; 0 for close. */
  readonly durationSeconds: number;
  /** True when the knock named no address and the datagram's source is what gets opened (§5.1). */
  readonly sourceMode: boolean;
}

export type PolicyResult =
  | { readonly ok: true; readonly decision: PolicyDecision }
  | { readonly ok: false; readonly reason: ServerRefusal };

const refuse = (reason: ServerRefusal): PolicyResult => ({ ok: false, reason });

/**
 * Checks, first failure wins: key expired → source network → every access item allowed → duration →
 * source mode allowed → addresses (grantable, and inside the client's networks). A close request passes the same checks as an open: a client may only close what it may open.
 *
 * Duration: 0 means the server's default; anything above min(client max, server max) is capped to it,
 * not refused. The server never answers, so a refusal would only leave the user without access for
 * asking too much, while the cap keeps the administrator's bound and still works (fwknop's
 * MAX_FW_TIMEOUT does the same). `policy-duration` is left for a configuration that allows no
 * positive duration at all. A duration that would outlast the client's `expires` is capped to end by
 * it; an open with less than a second left before it is refused as `policy-expired`.
 */
export function applyPolicy(
  knock: SignedKnock,
  client: ResolvedClient,
  source: IpAddress,
  limits: PolicyLimits,
  nowMs: number,
): PolicyResult {
  if (client.expiresAtMs !== undefined && nowMs >= client.expiresAtMs) return refuse('policy-expired');
  if (client.sourceNetworks.length > 0 && !client.sourceNetworks.some((n) => addressInNetwork(source, n))) {
    return refuse('policy-source');
  }

  const ports = resolvePorts(knock, client, limits.services);
  if (!ports) return refuse('policy-service');

  let durationSeconds = 0;
  if (knock.kind === 'open') {
    const cap = Math.min(client.maxDurationSeconds, limits.maxDurationSeconds);
    const asked = knock.durationSeconds === 0 ? limits.defaultDurationSeconds : knock.durationSeconds;
    durationSeconds = Math.min(asked, cap);
    if (!(durationSeconds >= 1)) return refuse('policy-duration');
    if (client.expiresAtMs !== undefined) {
      // The key's expiry bounds what it opens, not only when it may knock: a knock just before it
      // would otherwise keep the door open for up to maxDuration after. Whole seconds, rounded down
      // (the kernel's timeouts are seconds); under one left, the key counts as expired already.
      const left = Math.floor((client.expiresAtMs - nowMs) / 1000);
      if (left < 1) return refuse('policy-expired');
      durationSeconds = Math.min(durationSeconds, left);
    }
  }

  const sourceMode = knock.addresses.length === 0;
  if (sourceMode && !client.allowSourceAddress) return refuse('policy-source-mode');
  const addresses = resolveAddresses(knock, source);
  if (!addresses) return refuse('policy-addresses');
  // The networks bound what is opened, not only where the datagram came from: a signed address
  // outside them would let a key limited to one network open a door for any address.
  if (client.sourceNetworks.length > 0) {
    const inside = (a: IpAddress): boolean => client.sourceNetworks.some((n) => addressInNetwork(a, n));
    if (!addresses.every(inside)) return refuse('policy-addresses');
  }

  return {
    ok: true,
    decision: {
      kind: knock.kind,
      ports,
      access: knock.access.map(formatAccess),
      addresses,
      durationSeconds,
      sourceMode,
    },
  };
}

/**
 * Every access item must be one of the client's services, or a port belonging to one of them (a
 * port inside a service's range opens that port alone; the wire names single ports only, §5.1).
 */
function resolvePorts(
  knock: SignedKnock,
  client: ResolvedClient,
  services: ReadonlyMap<string, readonly PortSpec[]>,
): PortSpec[] | undefined {
  const out = new Map<string, PortSpec>();
  const add = (p: PortSpec): void => {
    out.set(portText(p), p);
  };
  for (const item of knock.access) {
    if (item.type === 'service') {
      const ports = client.services.includes(item.name) ? services.get(item.name) : undefined;
      if (!ports || ports.length === 0) return undefined;
      ports.forEach(add);
    } else {
      const allowed = client.services.some((name) =>
        services.get(name)?.some((p) => portAllows(p, { protocol: item.type, port: item.port })),
      );
      if (!allowed) return undefined;
      add({ protocol: item.type, port: item.port });
    }
  }
  return out.size > 0 ? [...out.values()] : undefined;
}

/** The signed addresses, or the datagram's source when none were signed (§5.1 `addressCount` 0). */
function resolveAddresses(knock: SignedKnock, source: IpAddress): IpAddress[] | undefined {
  if (knock.addresses.length === 0) return isGrantable(source) ? [source] : undefined;
  const out = new Map<string, IpAddress>();
  for (const text of knock.addresses) {
    const address = parseAddress(text);
    // The decoder already refused these (§5.1); checked again because a grant must never name them.
    if (!address || !isGrantable(address)) return undefined;
    out.set(address.text, address);
  }
  return [...out.values()];
}
