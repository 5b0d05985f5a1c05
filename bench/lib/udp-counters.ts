/** A namespace's UDP counters (/proc/net/snmp, snmp6): datagrams its sockets read, and those dropped. @module */
import type { Host } from 'spa-test-kit/lab/netns';

export interface UdpCounters {
  /** Datagrams read by applications (the kernel counts InDatagrams in recvmsg), IPv4 + IPv6. */
  readonly inDatagrams: number;
  /** Datagrams dropped because a socket's receive buffer was full: the server could not keep up. */
  readonly rcvbufErrors: number;
  /** Datagrams to a port nobody listens on. */
  readonly noPorts: number;
}

/** Reads the counters as seen from inside `host` (/proc/net follows the reader's network namespace). */
export async function readUdpCounters(host: Host): Promise<UdpCounters> {
  const stdout = String((await host.exec('cat', ['/proc/net/snmp', '/proc/net/snmp6'])).stdout);
  const v4 = _snmpTable(stdout, 'Udp');
  const v6 = (key: string): number => Number(new RegExp(`^Udp6${key}\\s+(\\d+)`, 'm').exec(stdout)?.[1] ?? 0);
  return {
    inDatagrams: (v4.InDatagrams ?? 0) + v6('InDatagrams'),
    rcvbufErrors: (v4.RcvbufErrors ?? 0) + v6('RcvbufErrors'),
    noPorts: (v4.NoPorts ?? 0) + v6('NoPorts'),
  };
}

/** Difference b - a of every counter. */
export function diffUdpCounters(a: UdpCounters, b: UdpCounters): UdpCounters {
  return {
    inDatagrams: b.inDatagrams - a.inDatagrams,
    rcvbufErrors: b.rcvbufErrors - a.rcvbufErrors,
    noPorts: b.noPorts - a.noPorts,
  };
}

/** /proc/net/snmp holds each protocol as a header line of names and a line of values. */
function _snmpTable(text: string, proto: string): Record<string, number> {
  const lines = text.split('\n').filter((l) => l.startsWith(`${proto}: `));
  const names = lines[0]?.split(/\s+/).slice(1) ?? [];
  const values = lines[1]?.split(/\s+/).slice(1) ?? [];
  return Object.fromEntries(names.map((n, i) => [n, Number(values[i])]));
}
