/** A throwaway lab of network namespaces (server, client, outsider, ...) joined by one bridge, for kernel tests. @module */
import { randomBytes } from 'node:crypto';
import { execa, type Options, type ResultPromise } from 'execa';

export interface Host {
  /** Role name given to createLab, e.g. 'server'. */
  readonly name: string;
  /** Network namespace name (ip netns). */
  readonly ns: string;
  readonly ipv4: string;
  readonly ipv6: string;
  /** Runs a command inside this host's namespace (argument array, never a shell). */
  exec(file: string, args?: readonly string[], options?: Options): ResultPromise;
}

export interface Lab {
  readonly id: string;
  readonly hosts: Record<string, Host>;
  host(name: string): Host;
  /** Deletes every namespace of this lab; idempotent. */
  destroy(): Promise<void>;
}

const PREFIX = 'spat-';
let subnetCounter = 0;

/**
 * Creates namespaces `${PREFIX}${id}-${name}` for each name, plus a switch namespace holding a bridge.
 * Addresses: 10.77.S.(i+1)/24 and fd77:S::(i+1)/64, S unique per lab in this process. The machine's own
 * root namespace is never touched: every link and rule lives inside namespaces this lab created.
 */
export async function createLab(names: readonly string[] = ['server', 'client', 'outsider']): Promise<Lab> {
  await requireRoot();
  // The creator's pid is part of every name, so a sweep can tell a dead run's labs from live ones.
  const id = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const subnet = ((process.pid + subnetCounter++) % 200) + 20;
  const sw = `${PREFIX}${id}-sw`;
  const created: string[] = [];
  const destroy = async (): Promise<void> => {
    for (const ns of created.splice(0).reverse()) await execa('ip', ['netns', 'del', ns], { reject: false });
  };
  try {
    await ip(['netns', 'add', sw]);
    created.push(sw);
    await nsIp(sw, ['link', 'add', 'br0', 'type', 'bridge']);
    await nsIp(sw, ['link', 'set', 'br0', 'up']);
    await nsIp(sw, ['link', 'set', 'lo', 'up']);
    const hosts: Record<string, Host> = {};
    for (const [i, name] of names.entries()) {
      const ns = `${PREFIX}${id}-${name}`;
      await ip(['netns', 'add', ns]);
      created.push(ns);
      const ipv4 = `10.77.${subnet}.${i + 1}`;
      const ipv6 = `fd77:${subnet.toString(16)}::${(i + 1).toString(16)}`;
      // Create the pair inside the switch namespace, then move one end into the host.
      await nsIp(sw, ['link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0']);
      await nsIp(sw, ['link', 'set', 'eth0', 'netns', ns]);
      await nsIp(sw, ['link', 'set', `p${i}`, 'master', 'br0']);
      await nsIp(sw, ['link', 'set', `p${i}`, 'up']);
      await nsIp(ns, ['link', 'set', 'lo', 'up']);
      await nsIp(ns, ['addr', 'add', `${ipv4}/24`, 'dev', 'eth0']);
      // nodad: the address is usable at once instead of after duplicate address detection.
      await nsIp(ns, ['-6', 'addr', 'add', `${ipv6}/64`, 'dev', 'eth0', 'nodad']);
      await nsIp(ns, ['link', 'set', 'eth0', 'up']);
      hosts[name] = {
        name,
        ns,
        ipv4,
        ipv6,
        exec: (file, args = [], options = {}) => execa('ip', ['netns', 'exec', ns, file, ...args], options),
      };
    }
    const lab: Lab = {
      id,
      hosts,
      host(name) {
        const h = hosts[name];
        if (!h) throw new Error(`no host ${name} in lab ${id}`);
        return h;
      },
      destroy,
    };
    return lab;
  } catch (error) {
    await destroy();
    throw error;
  }
}

/**
 * Removes namespaces left behind by killed runs: only labs whose creating process is gone, so labs of
 * tests running at the same time are never touched.
 */
export async function sweepStaleLabs(): Promise<void> {
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  for (const line of stdout.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    const pid = Number(/^spat-(\d+)-/.exec(ns)?.[1]);
    if (ns.startsWith(PREFIX) && !(pid > 0 && isAlive(pid))) {
      await execa('ip', ['netns', 'del', ns], { reject: false });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when this process may create namespaces and firewall rules (root or CAP_NET_ADMIN + CAP_SYS_ADMIN). */
export async function canCreateLabs(): Promise<boolean> {
  const probe = `${PREFIX}${process.pid}-probe`;
  const added = await execa('ip', ['netns', 'add', probe], { reject: false });
  if (added.exitCode !== 0) return false;
  await execa('ip', ['netns', 'del', probe], { reject: false });
  return true;
}

async function requireRoot(): Promise<void> {
  if (!(await canCreateLabs())) {
    throw new Error('cannot create network namespaces: run the end-to-end tests as root (sudo) on Linux');
  }
}

function ip(args: readonly string[]): ResultPromise {
  return execa('ip', args);
}

function nsIp(ns: string, args: readonly string[]): ResultPromise {
  return execa('ip', ['-n', ns, ...args]);
}
