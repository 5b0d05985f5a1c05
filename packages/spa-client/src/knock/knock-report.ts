/** The --json object of open/close (documented in README.md) and its human-readable form. @module */
import { formatAccess } from 'spa-protocol';
import { describeAllowIp } from '../address/allow-ip.js';
import type { AddressSource } from '../address/request-addresses.js';
import type { KnockSession } from './knock-session.js';
import type { PacketReport } from './send-knock.js';
import type { PortOutcome } from './wait-ports.js';

export interface WaitReport {
  readonly opened: boolean;
  readonly knocks: number;
  readonly elapsedMs: number;
  readonly ports: readonly PortOutcome[];
}

/** Field names and meanings are a stable interface: add fields, never rename or remove them. */
export interface KnockReport {
  readonly command: 'open' | 'close';
  readonly dryRun: boolean;
  readonly host: string;
  readonly profile: string | null;
  readonly server: { readonly addresses: readonly string[]; readonly port: number; readonly key: string };
  readonly keyId: string;
  readonly request: {
    readonly kind: 'open' | 'close';
    readonly access: readonly string[];
    readonly allowIp: readonly string[];
    readonly addresses: readonly string[];
    /** How each address was found: `given`, `route`, or the discovery sources that agreed. */
    readonly addressSources: readonly AddressSource[];
    readonly durationSeconds: number;
  };
  readonly packets: readonly PacketReport[];
  readonly wait: WaitReport | null;
  readonly notes: readonly string[];
}

export function buildReport(
  session: KnockSession,
  packets: readonly PacketReport[],
  wait: WaitReport | null,
  dryRun: boolean,
): KnockReport {
  const { plan } = session;
  return {
    command: plan.kind,
    dryRun,
    host: plan.host,
    profile: plan.profile?.name ?? null,
    server: {
      addresses: session.hostAddresses.map((a) => a.address),
      port: plan.spaPort,
      key: plan.serverKeyText,
    },
    keyId: session.keyId,
    request: {
      kind: plan.kind,
      access: plan.access.map(formatAccess),
      allowIp: describeAllowIp(plan.allowIp),
      addresses: [...session.addresses],
      addressSources: [...session.addressSources],
      durationSeconds: plan.durationSeconds,
    },
    packets,
    wait,
    notes: [...session.notes],
  };
}

export function describeAddresses(report: KnockReport): string {
  if (report.request.addresses.length > 0) return report.request.addresses.join(', ');
  return report.request.allowIp[0] === 'source' ? "the packet's source address" : '(found when sent)';
}

export function formatHuman(report: KnockReport): string[] {
  const { request } = report;
  const what = `${request.kind} ${request.access.join(', ')}`;
  const lasting =
    request.kind === 'close'
      ? ''
      : request.durationSeconds > 0
        ? `, for ${request.durationSeconds} s`
        : ", for the server's default time";
  if (report.dryRun) {
    return [
      'dry run: nothing sent',
      `  server   ${report.host} (${report.server.addresses.join(', ')}) port ${report.server.port}`,
      `  key      ${report.server.key}`,
      `  key id   ${report.keyId}`,
      `  request  ${what}${lasting}`,
      `  allow    ${request.allowIp.join(', ')} → ${describeAddresses(report)}`,
      ...report.packets.map((p) => `  packet   ${p.bytes} bytes to ${p.to} port ${p.port} (IPv${p.family})`),
    ];
  }
  const to = report.packets.map((p) => p.to).join(' and ');
  const lines = [
    `sent ${what} to ${report.host} (${to} port ${report.server.port}): access from ${describeAddresses(report)}${lasting}`,
  ];
  for (const port of report.wait?.ports ?? []) {
    lines.push(`open: ${port.address} tcp/${port.port} after ${port.openAfterMs} ms`);
  }
  return lines;
}
