/** ipset command text for the iptables driver's grant sets (hash:ip,port with timeout and comment), and reading them back. @module */
import { portText } from '../../config/port-spec.js';
import { SERVER_ERROR_CODES, ServerError } from '../../shared/server-error.js';
import type { ActiveGrant, Grant, GrantTarget, PortSpec } from '../driver.js';
import { canonicalAddress, MAX_GRANTS_PER_FAMILY, parseOwners, parseProtocol } from '../grant-values.js';

/** The set holding one family's grants: `spa4`, `spa6` for prefix `spa`. */
export function ipsetName(prefix: string, family: 4 | 6): string {
  return `${prefix}${family}`;
}

/**
 * `ipset -exist restore` input creating both sets; with -exist an identical existing set is kept
 * with its elements (a restart loses no grant), a different one is an error.
 */
export function ipsetCreateScript(prefix: string): string {
  return [4, 6]
    .map((family) => {
      const kind = family === 4 ? 'inet' : 'inet6';
      const name = ipsetName(prefix, family as 4 | 6);
      return `create ${name} hash:ip,port family ${kind} timeout 0 comment maxelem ${MAX_GRANTS_PER_FAMILY}\n`;
    })
    .join('');
}

/**
 * One line per grant. With -exist, adding an element that exists replaces its timeout and comment
 * in place: extended, never duplicated.
 */
export function ipsetGrantLines(prefix: string, grants: readonly Grant[]): string[] {
  return refuseRanges(grants).map(
    (g) =>
      `add ${ipsetName(prefix, g.family)} ${element(g)} timeout ${g.timeoutSeconds} comment "${g.client}" -exist`,
  );
}

/** One line per target; with -exist a missing element is not an error. */
export function ipsetRevokeLines(prefix: string, targets: readonly GrantTarget[]): string[] {
  return refuseRanges(targets).map((t) => `del ${ipsetName(prefix, t.family)} ${element(t)} -exist`);
}

// add spa4 10.0.0.1,tcp:22 timeout 59 comment "alice"  (ipset save format)
const SAVE_LINE = /^add (\S+) (\S+),(\w+):(\d+)(?: timeout (\d+))?(?: .*?comment "([^"]*)")?/;

/** The grants in `ipset save` output of the driver's sets; lines of other sets or shapes are skipped. */
export function parseIpsetSave(text: string, prefix: string): ActiveGrant[] {
  const grants: ActiveGrant[] = [];
  for (const line of text.split('\n')) {
    const match = SAVE_LINE.exec(line.trim());
    if (!match) continue;
    const [, set, rawAddress, rawProtocol, rawPort, timeout, comment] = match;
    const family = set === ipsetName(prefix, 4) ? 4 : set === ipsetName(prefix, 6) ? 6 : undefined;
    const protocol = parseProtocol(rawProtocol);
    if (!family || !protocol || rawAddress === undefined) continue;
    let address: string;
    try {
      const canonical = canonicalAddress(rawAddress);
      if (canonical.family !== family) continue;
      address = canonical.address;
    } catch {
      continue;
    }
    // An element without timeout was added by someone else and never expires.
    const expiresInSeconds = timeout === undefined ? Number.POSITIVE_INFINITY : Number(timeout);
    grants.push({
      family,
      address,
      protocol,
      port: Number(rawPort),
      client: comment ?? '',
      owners: parseOwners(comment ?? ''),
      expiresInSeconds,
    });
  }
  return grants;
}

/** Set names present, from `ipset list -n`. */
export function parseIpsetNames(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  );
}

/**
 * Refuses port ranges: ipset stores `tcp:8000-8010` as one element per port, so a range could not
 * be read back, extended or counted as one grant (`tcp:1-65535` alone fills a set), and a single-port
 * grant inside it would share an element that closing either removes. The configuration refuses
 * ranges with this backend; this keeps a caller of the driver from getting a half-working one. One-shot
 * grants likewise.
 */
export function refuseRanges<T extends PortSpec & Pick<GrantTarget, 'once'>>(
  specs: readonly T[],
): readonly T[] {
  const range = specs.find((p) => p.lastPort !== undefined);
  if (range) {
    throw new ServerError(
      SERVER_ERROR_CODES.firewallInvalidInput,
      `port ranges need the nftables backend: ${portText(range)}`,
    );
  }
  // Refused the same way (spa-config one-shot-conflicts.ts): as a plain grant it would admit every
  // connection from a shared address until its timeout, the very thing the client asked to avoid.
  const once = specs.find((p) => p.once === true);
  if (once) {
    throw new ServerError(
      SERVER_ERROR_CODES.firewallInvalidInput,
      `one-shot grants need the nftables backend: ${portText(once)}`,
    );
  }
  return specs;
}

function element(target: GrantTarget): string {
  return `${target.address},${target.protocol}:${target.port}`;
}
