/** A routed lab for on-path tests: client — router — server, two links, the router forwarding IPv4 between them. @module */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { canCreateLabs, type Host } from './netns.js';

export interface RoutedLab {
  readonly client: Host;
  /** `ipv4` is its address on the server's link (what the server sees it send from). */
  readonly router: Host;
  readonly server: Host;
  /** The router's address on the client's link (the client's gateway). */
  readonly routerClientSide: string;
  /** Deletes the three namespaces; idempotent. */
  destroy(): Promise<void>;
}

let labCounter = 0;

/**
 * Namespaces `spat-PID-ID-{client,router,server}` (the prefix lets netns.ts sweep a killed run's labs).
 * Client link 10.78.S.0/24 (client .2, router .1), server link 10.79.S.0/24 (server .2, router .1);
 * each end host routes everything through the router. IPv6 addresses are documentation-only here and
 * not configured: these tests are about one IPv4 path.
 */
export async function createRoutedLab(): Promise<RoutedLab> {
  if (!(await canCreateLabs())) {
    throw new Error('cannot create network namespaces: run the end-to-end tests as root (sudo) on Linux');
  }
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const subnet = ((process.pid + labCounter++) % 200) + 20;
  const names = ['client', 'router', 'server'] as const;
  const ns = Object.fromEntries(names.map((n) => [n, `spat-${id}-${n}`])) as Record<
    (typeof names)[number],
    string
  >;
  const created: string[] = [];
  const destroy = async (): Promise<void> => {
    for (const name of created.splice(0).reverse())
      await execa('ip', ['netns', 'del', name], { reject: false });
  };
  const inNs = (name: string, args: readonly string[]) => execa('ip', ['-n', name, ...args]);
  try {
    for (const n of names) {
      await execa('ip', ['netns', 'add', ns[n]]);
      created.push(ns[n]);
      await inNs(ns[n], ['link', 'set', 'lo', 'up']);
    }
    const clientNet = `10.78.${subnet}`;
    const serverNet = `10.79.${subnet}`;
    const link = async (
      host: string,
      hostAddr: string,
      routerIf: string,
      routerAddr: string,
    ): Promise<void> => {
      await inNs(ns.router, ['link', 'add', routerIf, 'type', 'veth', 'peer', 'name', 'eth0']);
      await inNs(ns.router, ['link', 'set', 'eth0', 'netns', host]);
      await inNs(ns.router, ['addr', 'add', `${routerAddr}/24`, 'dev', routerIf]);
      await inNs(ns.router, ['link', 'set', routerIf, 'up']);
      await inNs(host, ['addr', 'add', `${hostAddr}/24`, 'dev', 'eth0']);
      await inNs(host, ['link', 'set', 'eth0', 'up']);
      await inNs(host, ['route', 'add', 'default', 'via', routerAddr]);
    };
    await link(ns.client, `${clientNet}.2`, 'rc0', `${clientNet}.1`);
    await link(ns.server, `${serverNet}.2`, 'rs0', `${serverNet}.1`);
    await execa('ip', ['netns', 'exec', ns.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
    const host = (name: string, nsName: string, ipv4: string): Host => ({
      name,
      ns: nsName,
      ipv4,
      ipv6: '::1',
      exec: (file, args = [], options = {}) => execa('ip', ['netns', 'exec', nsName, file, ...args], options),
    });
    return {
      client: host('client', ns.client, `${clientNet}.2`),
      router: host('router', ns.router, `${serverNet}.1`),
      server: host('server', ns.server, `${serverNet}.2`),
      routerClientSide: `${clientNet}.1`,
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}
