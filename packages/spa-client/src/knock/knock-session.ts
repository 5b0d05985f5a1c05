/** Everything a knock needs once the plan is made: the key, the server's addresses, the request's addresses, and send. @module */
import { readFileSync } from 'node:fs';
import { nodeBackend } from 'spa-node';
import { computeKeyId } from 'spa-protocol';
import { type AddressSource, chooseAddresses } from '../address/request-addresses.js';
import { firstPerFamily, type HostAddress, resolveHost } from '../address/resolve-host.js';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import type { StunOptions } from '../discovery/stun-client.js';
import { loadPrivateKey } from '../profile/private-key.js';
import type { KnockPlan } from './plan.js';
import { type ClientKey, type PacketReport, sealKnock, sendDatagram } from './send-knock.js';

export interface KnockSession {
  readonly plan: KnockPlan;
  readonly keyId: string;
  /** All resolved addresses of the host, resolver order. */
  readonly hostAddresses: readonly HostAddress[];
  /** Where datagrams go: the preferred address, plus one per other family in `source` mode. */
  readonly targets: readonly HostAddress[];
  /** The addresses the request names; empty means "the packet's source". */
  readonly addresses: readonly string[];
  /** How each address was found (given, route, discovery). */
  readonly addressSources: readonly AddressSource[];
  readonly notes: readonly string[];
  /** Seals fresh datagrams (new nonce each call) and sends them; returns what was sent, and when. */
  send(): Promise<SentKnock>;
  /** Seals without sending, for --dry-run. */
  preview(): PacketReport[];
}

/** What one send() put on the wire. */
export interface SentKnock {
  readonly packets: PacketReport[];
  /** When the first datagram was handed to the kernel (`performance.now()`): the knock's time. */
  readonly sentAt: number;
}

export async function prepareKnock(
  plan: KnockPlan,
  env: NodeJS.ProcessEnv,
  options: { readonly query: boolean; readonly stun?: StunOptions; readonly secretKey?: Uint8Array },
): Promise<KnockSession> {
  // The agent holds the key it loaded at start; every other command reads it now.
  const secretKey = options.secretKey ?? (await loadPrivateKey(plan.keySource, env));
  const key: ClientKey = { secretKey, publicKey: nodeBackend.ed25519PublicKey(secretKey) };
  const host = await resolveHost(plan.host, plan.family);
  const perFamily = firstPerFamily(host);
  const ca = plan.discoverCa === undefined ? undefined : readCaFile(plan.discoverCa);
  const choice = await chooseAddresses(plan.allowIp, perFamily, plan.spaPort, {
    query: options.query,
    discovery: plan.discovery?.sources,
    discoveryOptions: { https: { ca }, ...(options.stun ? { stun: options.stun } : {}) },
  });
  // With `source` the server can only open the address a datagram comes from, so one datagram goes
  // over each family the host has: whichever the later connection picks is open. Otherwise the
  // request names the addresses and one datagram is enough: over the preferred family that has a
  // signed address (the one --wait and connect then use), else the preferred family.
  const signedFamilies = new Set(choice.addresses.map((a) => (a.includes(':') ? 6 : 4)));
  const targets = plan.allowIp.source
    ? perFamily
    : [perFamily.find((t) => signedFamilies.has(t.family)) ?? perFamily[0]!];
  const content = {
    kind: plan.kind,
    serverKey: plan.serverKey,
    access: plan.access,
    addresses: choice.addresses,
    durationSeconds: plan.durationSeconds,
    timeOffsetMs: plan.timeOffsetSeconds * 1000,
  };
  return {
    plan,
    keyId: Buffer.from(computeKeyId(nodeBackend, key.publicKey)).toString('hex'),
    hostAddresses: host.addresses,
    targets,
    addresses: choice.addresses,
    addressSources: choice.sources,
    notes: choice.notes,
    async send() {
      const reports: PacketReport[] = [];
      let sentAt: number | undefined;
      for (const target of targets) {
        const { datagram, report } = sealKnock(key, content, target, plan.spaPort);
        try {
          const at = await sendDatagram(datagram, target, plan.spaPort);
          sentAt ??= at;
          reports.push(report);
        } catch (error) {
          // A family without a route must not stop the knock over the other one.
          if (targets.length === 1 || (reports.length === 0 && target === targets.at(-1))) throw error;
        }
      }
      return { packets: reports, sentAt: sentAt ?? performance.now() };
    },
    preview: () => targets.map((target) => sealKnock(key, content, target, plan.spaPort).report),
  };
}

/** The PEM file of `discoverCa`: a missing one is reported even when no HTTPS source is asked this time. */
function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? 'unreadable';
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `discovery CA file ${path}: ${code}`, { cause });
  }
}
