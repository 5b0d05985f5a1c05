/** Everything a knock needs once the plan is made: the key, the server's addresses, the request's addresses, and send. @module */
import { computeKeyId } from 'spa-protocol';
import { nodeBackend } from 'spa-protocol/node';
import type { KnockPlan } from './plan.js';
import { loadPrivateKey } from './private-key.js';
import { chooseAddresses } from './request-addresses.js';
import { firstPerFamily, type HostAddress, resolveHost } from './resolve-host.js';
import { type ClientKey, type PacketReport, sealKnock, sendDatagram } from './send-knock.js';
import type { StunOptions } from './stun-client.js';

export interface KnockSession {
  readonly plan: KnockPlan;
  readonly keyId: string;
  /** All resolved addresses of the host, resolver order. */
  readonly hostAddresses: readonly HostAddress[];
  /** Where datagrams go: the preferred address, plus one per other family in `source` mode. */
  readonly targets: readonly HostAddress[];
  /** The addresses the request names; empty means "the packet's source". */
  readonly addresses: readonly string[];
  readonly notes: readonly string[];
  /** Seals fresh datagrams (new nonce each call) and sends them; returns what was sent. */
  send(): Promise<PacketReport[]>;
  /** Seals without sending, for --dry-run. */
  preview(): PacketReport[];
}

export async function prepareKnock(
  plan: KnockPlan,
  env: NodeJS.ProcessEnv,
  options: { readonly queryStun: boolean; readonly stun?: StunOptions },
): Promise<KnockSession> {
  const secretKey = await loadPrivateKey(plan.keySource, env);
  const key: ClientKey = { secretKey, publicKey: nodeBackend.ed25519PublicKey(secretKey) };
  const host = await resolveHost(plan.host, plan.family);
  const perFamily = firstPerFamily(host);
  const choice = await chooseAddresses(plan.allowIp, perFamily, plan.spaPort, options);
  // With `source` the server can only open the address a datagram comes from, so one datagram goes
  // over each family the host has: whichever the later connection picks is open. Otherwise the
  // request names the addresses and one datagram over the preferred family is enough.
  const targets = plan.allowIp.source ? perFamily : perFamily.slice(0, 1);
  const content = {
    kind: plan.kind,
    serverKey: plan.serverKey,
    access: plan.access,
    addresses: choice.addresses,
    durationSeconds: plan.durationSeconds,
  };
  return {
    plan,
    keyId: Buffer.from(computeKeyId(nodeBackend, key.publicKey)).toString('hex'),
    hostAddresses: host.addresses,
    targets,
    addresses: choice.addresses,
    notes: choice.notes,
    async send() {
      const reports: PacketReport[] = [];
      for (const target of targets) {
        const { datagram, report } = sealKnock(key, content, target, plan.spaPort);
        try {
          await sendDatagram(datagram, target, plan.spaPort);
          reports.push(report);
        } catch (error) {
          // A family without a route must not stop the knock over the other one.
          if (targets.length === 1 || (reports.length === 0 && target === targets.at(-1))) throw error;
        }
      }
      return reports;
    },
    preview: () => targets.map((target) => sealKnock(key, content, target, plan.spaPort).report),
  };
}
