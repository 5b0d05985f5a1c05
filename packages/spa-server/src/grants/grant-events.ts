/** What happened to a client's access, as the grant keeper reports it to listeners (hooks): grant, extend, close, expire. @module */
import type { GrantTarget } from '../firewall/driver.js';

export type GrantEventType = 'grant' | 'extend' | 'close' | 'expire';

/** Why access ended before its time. */
export type CloseReason =
  /** The client's close request. */
  | 'client'
  /** Source mode: a copy of the knock came from another address (revoked with its connections). */
  | 'duplicate'
  /** A reload removed the key, the service or the network. */
  | 'reload'
  /** `spa-server flush`. */
  | 'flush'
  /** At start: an earlier run's grant that the configuration no longer allows (owner removed or expired, service or network taken away). */
  | 'restart'
  /** The client's `expires` passed: what it opened before `expires` was set or brought forward. */
  | 'expired'
  /** The table was rebuilt, and one-shot grants are not restored (a connection may have spent them). */
  | 'repair';

export interface GrantEvent {
  readonly type: GrantEventType;
  /** The owner's name (never its key). */
  readonly client: string;
  /** One owner's (address, protocol, port) allowances this event is about. */
  readonly targets: readonly GrantTarget[];
  /** grant, extend, expire: when the owner's access ends (expire: ended). */
  readonly expiresAtMs?: number | undefined;
  readonly reason?: CloseReason | undefined;
  /** When the daemon saw it happen. */
  readonly atMs: number;
}

/** Called synchronously inside the keeper's serialised firewall work: must return at once. */
export type GrantEventSink = (event: GrantEvent) => void;

/** An ownership the ledger dropped because its time was up. */
export interface ExpiredOwnership {
  readonly keyId: string;
  readonly name: string;
  readonly target: GrantTarget;
  readonly expiresAtMs: number;
}

/** One expire event per owner and end time: the targets one knock opened together expire together. */
export function expireEvents(expired: readonly ExpiredOwnership[], atMs: number): GrantEvent[] {
  const groups = new Map<string, { name: string; expiresAtMs: number; targets: GrantTarget[] }>();
  for (const e of expired) {
    const key = `${e.keyId}|${e.expiresAtMs}`;
    const group = groups.get(key);
    if (group) group.targets.push(e.target);
    else groups.set(key, { name: e.name, expiresAtMs: e.expiresAtMs, targets: [e.target] });
  }
  return [...groups.values()].map((g) => ({
    type: 'expire',
    client: g.name,
    targets: g.targets,
    expiresAtMs: g.expiresAtMs,
    atMs,
  }));
}

/** One close event per owner: `shares` are (owner, target) pairs just revoked. */
export function closeEvents(
  shares: Iterable<{ readonly keyId: string; readonly name: string; readonly target: GrantTarget }>,
  reason: CloseReason,
  atMs: number,
): GrantEvent[] {
  const byOwner = new Map<string, { name: string; targets: GrantTarget[] }>();
  for (const s of shares) {
    const group = byOwner.get(s.keyId);
    if (group) group.targets.push(s.target);
    else byOwner.set(s.keyId, { name: s.name, targets: [s.target] });
  }
  return [...byOwner.values()].map((g) => ({
    type: 'close',
    client: g.name,
    targets: g.targets,
    reason,
    atMs,
  }));
}
