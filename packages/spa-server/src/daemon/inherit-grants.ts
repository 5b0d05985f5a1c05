/** The grants an earlier run left in the kernel, read once at start: those the configuration still allows are kept for status, the rest revoked, then checked again at each reload. @module */

import { portText } from '../config/port-spec.js';
import type { ResolvedClient } from '../config/resolved-config.js';
import type { ActiveGrant, FirewallDriver } from '../firewall/driver.js';
import { ownerLabel, ownerNames, parseOwnerTags } from '../firewall/grant-values.js';
import type { GrantKeeper, InheritedRevoke } from '../grants/grant-keeper-api.js';
import type { DaemonLog } from '../observability/log.js';
import type { Runtime } from '../pipeline/runtime.js';
import { type NotAllowed, whyNotAllowed } from '../pipeline/still-allowed.js';

/**
 * How many revoked grants get a line of their own; the count covers the rest. A start that finds a
 * removed fleet's 100,000 grants would otherwise write as many lines before it listens.
 */
export const REVOKED_LINES_MAX = 100;

export interface InheritTargets {
  readonly driver: FirewallDriver;
  readonly grants: GrantKeeper;
  readonly log: DaemonLog;
  /** The runtime of the configuration the daemon starts with. */
  readonly runtime: Runtime;
  /** The wall clock (ms): a client whose `expires` has passed keeps nothing. */
  readonly clock: () => number;
}

/**
 * One listing of the grant sets, only at start (seconds with 100,000 elements, milliseconds with
 * few). A failure costs the report and the check, not the start: those grants still end by the
 * kernel's timeout. The sets alone (nftables: the table's shape taken as read, one listing per set),
 * not the whole table: a large fleet's restart finds the gate's 30,000 tags kept from the last run,
 * which nft would otherwise fetch and print before the daemon listens (~0.1 s of nft, ~1.5 MB to parse).
 *
 * A restart must not keep what a reload would revoke: an element stays only while one of the owners
 * its comment names is a configured client, unexpired, that may open it (stillAllowed's checks). The
 * kernel records each owner by name and key tag (ownerLabel): a key rotated under the same name while
 * the daemon was stopped, or by a reload since, loses what the old key opened, as a reload revokes
 * it. Elements an older build wrote name their owners without a tag, and are kept by name. Owners
 * beyond the comment's room (`+N`) cannot be checked and keep nothing: they knock again.
 */
export async function inheritGrants(t: InheritTargets): Promise<void> {
  let kernel: readonly ActiveGrant[];
  try {
    kernel = (await t.driver.inspect('all', 'vouched')).grants;
  } catch (error) {
    t.log.event('warn', 'grants.unlisted', {
      error: error instanceof Error ? error.message : String(error),
      message:
        'grants kept from before the start could not be read: they are not checked against the configuration, and status shows them only with --kernel',
    });
    return;
  }
  const revoked = await revokeRefused(t, kernel, 'restart');
  t.grants.inherit(revoked.size === 0 ? kernel : kernel.filter((g) => !revoked.has(g)));
}

/**
 * At a reload: the grants kept from before the start that no knock has taken over since are checked
 * against the new configuration as the start checked them, so that removing a client, its service or
 * its network, or bringing its `expires` into the past, ends what it held from before the start too.
 */
export async function recheckInherited(
  t: Omit<InheritTargets, 'driver'>,
  when: Exclude<InheritedRevoke, 'restart'> = 'reload',
): Promise<void> {
  const kept = t.grants.inherited();
  if (kept.length > 0) await revokeRefused(t, kept, when);
}

/**
 * Revokes the elements of `kernel` no owner may still hold, one line each (up to REVOKED_LINES_MAX)
 * and a count; resolves with those revoked, none when the driver failed (they are still open).
 */
async function revokeRefused(
  t: Omit<InheritTargets, 'driver'>,
  kernel: readonly ActiveGrant[],
  when: InheritedRevoke,
): Promise<ReadonlySet<ActiveGrant>> {
  const { grants, log } = t;
  const refused = refusedGrants(kernel, t.runtime, t.clock());
  if (refused.size === 0 || !(await grants.revokeInherited([...refused.keys()], when))) return new Set();
  const by = BY_TEXT[when];
  let lines = 0;
  for (const [grant, reason] of refused) {
    if (lines++ === REVOKED_LINES_MAX) break;
    // An element with no comment was not the daemon's (added by hand to its sets).
    const owner = grant.client === '' ? '(no owner)' : ownerNames(grant.client);
    log.event('info', 'grant.revoked', {
      client: owner,
      address: grant.address,
      port: portText(grant),
      reason,
      at: when,
      message: `grant of ${owner} kept from before the start revoked${by}: ${REASON_TEXT[reason]}`,
    });
  }
  log.event('info', 'grants.revoked', {
    count: refused.size,
    message: `grants kept from before the start that the configuration no longer allows revoked${by}`,
  });
  return new Set(refused.keys());
}

const BY_TEXT: Readonly<Record<InheritedRevoke, string>> = {
  restart: '',
  reload: ' by the reload',
  expired: " at its owner's expires",
};

/** Why an element from before the start is revoked: stillAllowed's reasons, or its owner's key rotated. */
type Refusal = NotAllowed | 'rotated';

const REASON_TEXT: Readonly<Record<Refusal, string>> = {
  removed: 'not a configured client',
  rotated: "the client's key has changed since it was granted",
  expired: 'the client has expired',
  changed: 'the client may no longer open it',
};

/**
 * The elements no owner may still hold at `nowMs`, each with its first named owner's reason. An owner
 * whose label carries a key tag (ownerLabel) holds it only while its name still has that key.
 */
function refusedGrants(
  kernel: readonly ActiveGrant[],
  rt: Runtime,
  nowMs: number,
): Map<ActiveGrant, Refusal> {
  const refused = new Map<ActiveGrant, Refusal>();
  if (kernel.length === 0) return refused;
  // Names are unique in a configuration (spa-config checks it).
  const byName = new Map<string, ResolvedClient>();
  for (const c of rt.config.clients) byName.set(c.name, c);
  for (const grant of kernel) {
    let first: Refusal | undefined;
    let allowed = false;
    const tags = parseOwnerTags(grant.client);
    for (const [i, name] of grant.owners.entries()) {
      if (name.startsWith('+')) continue;
      const client = byName.get(name);
      // Granted to another key under this name: the key was rotated since (an older run wrote no tag).
      const tag = tags[i];
      const rotated =
        client !== undefined && tag !== undefined && ownerLabel(name, client.keyIdHex) !== `${name}:${tag}`;
      const reason = rotated ? 'rotated' : whyNotAllowed(client, rt.limits, grant, nowMs);
      if (reason === undefined) {
        allowed = true;
        break;
      }
      first ??= reason;
    }
    if (!allowed) refused.set(grant, first ?? 'removed');
  }
  return refused;
}
