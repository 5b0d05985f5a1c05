/** `spa-server status`: the grants the kernel holds now, with service names from the config. @module */
import { loadConfig } from '../config/load-config.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { createDriver } from '../firewall/create-driver.js';
import type { ActiveGrant, PortSpec } from '../firewall/driver.js';

export interface StatusOptions {
  readonly config: string;
  readonly json?: boolean;
}

/** One grant in `status --json` (documented in the README; fields are only ever added). */
export interface StatusGrant {
  /** The owners as stored with the element, comma-separated (one name for a grant with one owner). */
  readonly client: string;
  /** Every client holding this grant; a last item `+N` stands for N more whose names did not fit. */
  readonly owners: readonly string[];
  readonly address: string;
  readonly family: 4 | 6;
  readonly protocol: 'tcp' | 'udp';
  readonly port: number;
  /** The configured service with this port, or null when none has it (the config changed since). */
  readonly service: string | null;
  readonly expiresInSeconds: number;
}

export interface StatusReport {
  readonly backend: 'nftables' | 'iptables';
  readonly table: string;
  readonly grants: readonly StatusGrant[];
}

export async function runStatus(options: StatusOptions): Promise<void> {
  const config = await loadConfig(options.config);
  const driver = createDriver(config.firewall);
  let grants: ActiveGrant[];
  try {
    grants = await driver.list();
  } finally {
    await driver.close();
  }
  const report = buildStatus(config, grants);
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
}

export function buildStatus(
  config: Pick<ResolvedConfig, 'firewall' | 'services'>,
  grants: readonly ActiveGrant[],
): StatusReport {
  const serviceOf = new Map<string, string>();
  for (const [name, ports] of config.services) {
    for (const p of ports) if (!serviceOf.has(portKey(p))) serviceOf.set(portKey(p), name);
  }
  const rows = grants.map(
    (g): StatusGrant => ({
      client: g.client,
      owners: g.owners,
      address: g.address,
      family: g.family,
      protocol: g.protocol,
      port: g.port,
      service: serviceOf.get(portKey(g)) ?? null,
      expiresInSeconds: g.expiresInSeconds,
    }),
  );
  rows.sort(
    (a, b) =>
      a.client.localeCompare(b.client) ||
      a.address.localeCompare(b.address) ||
      a.protocol.localeCompare(b.protocol) ||
      a.port - b.port,
  );
  return { backend: config.firewall.backend, table: config.firewall.table, grants: rows };
}

/** An aligned table for people; `--json` is the interface for scripts. */
export function formatStatus(report: StatusReport): string {
  if (report.grants.length === 0) return 'no active grants\n';
  const rows = [
    ['CLIENT', 'ADDRESS', 'SERVICE', 'PORT', 'EXPIRES IN'],
    ...report.grants.map((g) => [
      g.client,
      g.address,
      g.service ?? '-',
      `${g.protocol}/${g.port}`,
      `${g.expiresInSeconds}s`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

function portKey(p: PortSpec): string {
  return `${p.protocol}/${p.port}`;
}
