/** What a knock is about to do, in words: the addresses it signs (always shown) and, with --verbose, where each setting came from. @module */
import { describeDiscovery } from '../discovery/discovery-sources.js';
import { describeKeySource } from '../profile/private-key.js';
import type { KnockSession } from './knock-session.js';
import type { KnockPlan } from './plan.js';

/** Why a knock may go unanswered: the server never says, so the client names what to check. */
export const LIKELY_CAUSES =
  'likely causes: clock skew between this machine and the server, a wrong server key, this key not authorized on the server, or the service not allowed for this key (the server never answers a knock, by design)';

/**
 * One line on stderr before sending: the grant goes to these addresses, so a user sees a wrong
 * one (a stale VPN address, a discovery answer they did not expect) before it is opened.
 */
export function describeSigned(session: KnockSession): string {
  if (session.plan.allowIp.source) {
    return "signing no address: the server opens the datagram's source address (--allow-ip source)";
  }
  if (session.addressSources.length === 0) return 'signing the addresses discovery finds when sent';
  const parts = session.addressSources.map((s) =>
    s.via === 'given'
      ? s.address
      : s.via === 'route'
        ? `${s.address} (route)`
        : `${s.address} (from ${s.via})`,
  );
  return `signing ${parts.join(', ')}`;
}

/** --verbose: the profile, the key's source (never the key) and the discovery used by the default. */
export function describePlan(plan: KnockPlan, info: (text: string) => void): void {
  info(
    plan.profilePath === undefined
      ? 'profile: none'
      : `profile: ${plan.profilePath}${plan.profile ? ` (entry "${plan.profile.name}")` : ' (no entry for this host)'}`,
  );
  info(`key: ${describeKeySource(plan.keySource)}`);
  const discovery = plan.allowIp.discover
    ? `${describeDiscovery(plan.allowIp.discover).join(', ')} (--allow-ip)`
    : plan.discovery
      ? `${describeDiscovery(plan.discovery.sources).join(', ')} (${plan.discovery.origin})`
      : 'none configured';
  info(`discovery: ${discovery}${plan.discoverCa ? `, extra CA file ${plan.discoverCa}` : ''}`);
}
