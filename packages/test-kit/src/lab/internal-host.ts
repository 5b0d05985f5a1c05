/** A host behind a lab's gateway: on a link of its own, reached only through the gateway, which forwards. @module */
import { execa } from 'execa';
import type { Host, Lab } from './netns.js';

export interface InternalHost extends Host {
  /** The gateway's addresses on the internal link (the internal host's default routes). */
  readonly gatewayIpv4: string;
  readonly gatewayIpv6: string;
  /** Deletes the namespace; idempotent (the lab's sweep also finds it by its name). */
  destroy(): Promise<void>;
}

/**
 * Namespace `spat-LABID-NAME`, linked to `gateway` by a veth (`NAME0` on the gateway's side):
 * 10.88.S.2/24 and fd88:S::2/64, the gateway .1 and ::1, S the lab's subnet plus `index` (so two internal
 * hosts of one lab get two links). The gateway forwards both families inside its own namespace only;
 * the internal host routes everything through it, so replies to a DNAT'd connection come back its way.
 */
export async function addInternalHost(
  lab: Lab,
  gateway: Host,
  name = 'internal',
  index = 0,
): Promise<InternalHost> {
  const ns = `spat-${lab.id}-${name}`;
  const subnet = Number(gateway.ipv4.split('.')[2]) + index * 50;
  const ipv4 = `10.88.${subnet}.2`;
  const ipv6 = `fd88:${subnet.toString(16)}::2`;
  const gatewayIpv4 = `10.88.${subnet}.1`;
  const gatewayIpv6 = `fd88:${subnet.toString(16)}::1`;
  const link = `${name.slice(0, 12)}0`;
  const inNs = (where: string, args: readonly string[]) => execa('ip', ['-n', where, ...args]);
  const destroy = async (): Promise<void> => {
    await execa('ip', ['netns', 'del', ns], { reject: false });
  };
  try {
    await execa('ip', ['netns', 'add', ns]);
    await inNs(ns, ['link', 'set', 'lo', 'up']);
    await inNs(gateway.ns, ['link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await inNs(gateway.ns, ['addr', 'add', `${gatewayIpv4}/24`, 'dev', link]);
    await inNs(gateway.ns, ['-6', 'addr', 'add', `${gatewayIpv6}/64`, 'dev', link, 'nodad']);
    await inNs(gateway.ns, ['link', 'set', link, 'up']);
    await inNs(ns, ['addr', 'add', `${ipv4}/24`, 'dev', 'eth0']);
    await inNs(ns, ['-6', 'addr', 'add', `${ipv6}/64`, 'dev', 'eth0', 'nodad']);
    await inNs(ns, ['link', 'set', 'eth0', 'up']);
    await inNs(ns, ['route', 'add', 'default', 'via', gatewayIpv4]);
    await inNs(ns, ['-6', 'route', 'add', 'default', 'via', gatewayIpv6]);
    for (const key of ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']) {
      await gateway.exec('sysctl', ['-q', '-w', key]);
    }
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    name,
    ns,
    ipv4,
    ipv6,
    gatewayIpv4,
    gatewayIpv6,
    exec: (file, args = [], options = {}) => execa('ip', ['netns', 'exec', ns, file, ...args], options),
    destroy,
  };
}
