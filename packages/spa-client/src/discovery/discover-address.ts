/** Finds this machine's public address in one family by asking every discovery source, refusing when they disagree. @module */
import type { IpFamily } from 'spa-protocol';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import { type DiscoverySources, formatHostPort } from './discovery-sources.js';
import type { HttpsEchoOptions } from './https-echo.js';
import type { StunOptions } from './stun-client.js';

export interface DiscoveryOptions {
  readonly https?: HttpsEchoOptions;
  readonly stun?: StunOptions;
}

/**
 * Every source must answer, and with the same address: an unauthenticated STUN answer counts only
 * when another source confirms it, so a silent second server leaves nothing to trust.
 */
export async function discoverAddress(
  sources: DiscoverySources,
  family: IpFamily,
  options: DiscoveryOptions = {},
): Promise<string> {
  const asks: Promise<{ label: string; address: string }>[] = [];
  if (sources.https.length > 0) {
    const { queryHttpsEcho } = await import('./https-echo.js');
    for (const url of sources.https) {
      asks.push(queryHttpsEcho(url, family, options.https).then((address) => ({ label: url, address })));
    }
  }
  if (sources.stun.length > 0) {
    const { queryStun } = await import('./stun-client.js');
    for (const server of sources.stun) {
      const label = `stun=${formatHostPort(server.host, server.port)}`;
      asks.push(queryStun(server, family, options.stun).then((m) => ({ label, address: m.address })));
    }
  }
  const results = await Promise.allSettled(asks);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const answers = results.map((r) => (r as PromiseFulfilledResult<{ label: string; address: string }>).value);
  if (new Set(answers.map((a) => a.address)).size > 1) {
    throw new ClientError(
      CLIENT_ERROR_CODES.discoveryConflict,
      `IPv${family} discovery sources disagree (${answers.map((a) => `${a.label} says ${a.address}`).join(', ')}): signing neither; one of them may be lying`,
    );
  }
  return answers[0]!.address;
}
