/** What `spa-server status` reports: protection as the kernel holds it, the daemon, the grants; as JSON and as text. @module */
import { comparePorts, portAllows, portOnly, portText } from '../../config/port-spec.js';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ActiveGrant, Grant, PortSpec, ProtectionState } from '../../firewall/driver.js';
import { ownerNames } from '../../firewall/grant-values.js';
import { ledgerGrants, type StatusGrant } from './status-ledger.js';

export type { StatusGrant };

/** Whether a daemon answers on stateDir's control socket; running null: could not tell (error says why). */
export interface StatusDaemon {
  readonly running: boolean | null;
  readonly pid?: number;
  readonly error?: string;
}

export interface StatusReport {
  readonly backend: 'nftables' | 'iptables';
  readonly table: string;
  /** installed: every configured port is dropped for addresses without a grant. */
  readonly protection: ProtectionState['protection'];
  /** Ports the kernel drops now (in every address family). */
  readonly protectedPorts: readonly PortSpec[];
  /** Configured ports the kernel does not drop: they accept anyone. */
  readonly unprotectedPorts: readonly PortSpec[];
  readonly daemon: StatusDaemon;
  /**
   * Where `grants` come from: `daemon` (its ledger, with the one-shot ones from the kernel) when a
   * daemon answers, `kernel` (every element listed) when none does or `--kernel` asks for it.
   */
  readonly grantsFrom: GrantsFrom;
  /**
   * Where `protection`'s check of the table's chains and rules comes from: `kernel` (listed now) or
   * `daemon` (its last check found the table whole and its kernel event stream has reported no
   * change since). The protected ports are always read from the kernel.
   */
  readonly shapeFrom: ShapeFrom;
  readonly grants: readonly StatusGrant[];
}

export type GrantsFrom = 'daemon' | 'kernel';
export type ShapeFrom = 'daemon' | 'kernel';

export function buildStatus(
  config: Pick<ResolvedConfig, 'firewall' | 'services'>,
  kernel: ProtectionState,
  daemon: StatusDaemon,
  {
    grantsFrom,
    shapeFrom = 'kernel',
    ledger,
  }: {
    readonly grantsFrom: GrantsFrom;
    readonly shapeFrom?: ShapeFrom;
    /**
     * The daemon's live grants: they replace the kernel listing's, except one-shot ones (the kernel
     * deletes a spent one-shot element itself, so the listing of those sets is the one that knows).
     */
    readonly ledger?: readonly Grant[] | undefined;
  } = { grantsFrom: 'kernel' },
): StatusReport {
  // Per distinct port, not per grant: 100,000 grants hold a handful of ports.
  const services = new Map<string, string | null>();
  const serviceOf = (g: PortSpec): string | null => {
    const key = portText(g);
    let name = services.get(key);
    if (name === undefined) {
      name = null;
      for (const [service, ports] of config.services) {
        if (ports.some((p) => portAllows(p, g))) {
          name = service;
          break;
        }
      }
      services.set(key, name);
    }
    return name;
  };
  const dropped = new Set(kernel.ports.map(portText));
  const unprotectedPorts = uniquePorts([...config.services.values()].flat()).filter(
    (p) => !dropped.has(portText(p)),
  );
  let { protection } = kernel;
  if (protection === 'installed' && unprotectedPorts.length > 0) protection = 'incomplete';
  return {
    backend: config.firewall.backend,
    table: config.firewall.table,
    protection,
    protectedPorts: uniquePorts(kernel.ports),
    unprotectedPorts,
    daemon,
    grantsFrom,
    shapeFrom,
    grants: sortGrants(
      ledger === undefined
        ? kernel.grants.map((g) => statusGrant(g, serviceOf))
        : [
            ...kernel.grants.filter((g) => g.once === true).map((g) => statusGrant(g, serviceOf)),
            ...ledgerGrants(ledger, serviceOf),
          ],
    ),
  };
}

/** Aligned lines for people; `--json` is the interface for scripts. */
export function formatStatus(report: StatusReport): string {
  const where = `${report.backend}, table "${report.table}"`;
  const lines = [
    `protection: ${report.protection} (${where})`,
    `protected:  ${formatPorts(report.protectedPorts)}`,
  ];
  if (report.unprotectedPorts.length > 0) {
    lines.push(`open:       ${formatPorts(report.unprotectedPorts)} (configured, accept anyone)`);
  }
  lines.push(`daemon:     ${formatDaemon(report.daemon)}`);
  lines.push(`grants:     ${report.grants.length === 0 ? 'none' : report.grants.length}`);
  let text = `${lines.join('\n')}\n`;
  if (report.grants.length > 0) text += `\n${formatGrants(report.grants)}`;
  return text;
}

/** The one-line error for exit 3, or undefined when every configured port is protected. */
export function protectionProblem(report: StatusReport): string | undefined {
  if (report.protection === 'installed') return undefined;
  const open = formatPorts(report.unprotectedPorts);
  const restart = report.daemon.running ? 'the daemon restores it' : 'start spa-server';
  return report.protection === 'missing'
    ? `protection missing: nothing of ${report.backend} table "${report.table}" is installed; ${open} accept anyone (${restart})`
    : `protection incomplete: ${report.backend} table "${report.table}" is damaged or lacks ${open} (${restart})`;
}

function formatGrants(grants: readonly StatusGrant[]): string {
  const rows = [
    ['CLIENT', 'ADDRESS', 'SERVICE', 'PORT', 'EXPIRES IN'],
    ...grants.map((g) => [
      g.client,
      g.address,
      g.service ?? '-',
      portText(g),
      `${g.expiresInSeconds}s${g.oneShot ? ' (one-shot)' : ''}`,
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

function formatDaemon(daemon: StatusDaemon): string {
  if (daemon.running === null) return `unknown (${daemon.error ?? 'no answer'})`;
  if (!daemon.running) return 'not running';
  return daemon.pid === undefined ? 'running' : `running (pid ${daemon.pid})`;
}

function formatPorts(ports: readonly PortSpec[]): string {
  return ports.length === 0 ? 'none' : ports.map(portText).join(', ');
}

/** The last comment shown and its names: a listing holds runs of one client's elements. */
let lastComment = '';
let lastShown = '';
function shownOwners(comment: string): string {
  if (comment !== lastComment) {
    lastComment = comment;
    lastShown = ownerNames(comment);
  }
  return lastShown;
}

// Written out, not spread: at 100,000 grants the spreads' temporary objects were a third of the work.
function statusGrant(g: ActiveGrant, serviceOf: (g: PortSpec) => string | null): StatusGrant {
  const service = serviceOf(g);
  const client = shownOwners(g.client);
  if (g.lastPort === undefined && g.once !== true) {
    return {
      client,
      owners: g.owners,
      address: g.address,
      family: g.family,
      protocol: g.protocol,
      port: g.port,
      service,
      expiresInSeconds: g.expiresInSeconds,
    };
  }
  return {
    client,
    owners: g.owners,
    address: g.address,
    family: g.family,
    ...portOnly(g),
    service,
    expiresInSeconds: g.expiresInSeconds,
    ...(g.once === true ? { oneShot: true as const } : {}),
  };
}

// localeCompare's order, without its per-call setup: 100,000 grants take ~1.7 million comparisons.
const { compare } = new Intl.Collator();

/**
 * By client, address, then port, in localeCompare's order. The clients are few: each distinct one is
 * collated once and compared by its rank, so most comparisons collate the addresses alone.
 */
function sortGrants(grants: StatusGrant[]): StatusGrant[] {
  const rank = new Map<string, number>();
  for (const g of grants) rank.set(g.client, 0);
  const clients = [...rank.keys()].sort(compare);
  // Names that collate as equal ('é' and 'e\u0301') share a rank: their grants sort by address, as before.
  let r = 0;
  for (let i = 0; i < clients.length; i++) {
    if (i > 0 && compare(clients[i - 1]!, clients[i]!) !== 0) r++;
    rank.set(clients[i]!, r);
  }
  return grants.sort(
    (a, b) =>
      rank.get(a.client)! - rank.get(b.client)! || compare(a.address, b.address) || comparePorts(a, b),
  );
}

function uniquePorts(ports: readonly PortSpec[]): PortSpec[] {
  const seen = new Map<string, PortSpec>();
  for (const p of ports) seen.set(portText(p), portOnly(p));
  return [...seen.values()].sort(comparePorts);
}
