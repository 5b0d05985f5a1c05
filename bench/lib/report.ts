/** Writes a run's figures as bench/results/<date>.md (table), .json (everything) and .svg (latency CDF). @module */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerFigures } from './figures.js';
import type { Machine } from './machine.js';
import { ROWS } from './report-rows.js';
import { renderCdf } from './svg-cdf.js';

/** The columns of the table, in order; a server that did not run shows '—'. */
export const REPORT_COLUMNS = ['fwknopd', 'spa-server'] as const;

export interface BenchReport {
  readonly machine: Machine;
  readonly options: Record<string, unknown>;
  readonly servers: ServerFigures[];
}

/** Writes the three files under `dir`; returns their paths. */
export async function writeReport(report: BenchReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const stamp = report.machine.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const base = join(dir, stamp);
  const files = [`${base}.md`, `${base}.json`, `${base}.svg`];
  const svgName = `${stamp}.svg`;
  await writeFile(files[0]!, renderMarkdown(report, svgName));
  await writeFile(files[1]!, `${JSON.stringify(report, null, 2)}\n`);
  const series = report.servers.map((s) => ({ name: s.name, samples: s.latency?.samples ?? [] }));
  await writeFile(
    files[2]!,
    renderCdf('Knock → TCP accept latency (fresh source address per knock)', series),
  );
  return files;
}

/** The Markdown page: machine, table, notes on method. */
export function renderMarkdown(report: BenchReport, svgName: string): string {
  const m = report.machine;
  const byName = (n: string): ServerFigures | undefined => report.servers.find((s) => s.name === n);
  const lines = [
    `# SPA benchmark, ${m.date}`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}.`,
    ...report.servers.map((s) => `- ${s.name}: ${s.version}${_conditions(s)}`),
    '',
    `Options: \`${JSON.stringify(report.options)}\``,
    '',
    `| figure | ${REPORT_COLUMNS.join(' | ')} | ratio (${REPORT_COLUMNS[1]} ÷ ${REPORT_COLUMNS[0]}) |`,
    '| --- | ---: | ---: | ---: |',
  ];
  for (const row of ROWS) {
    const values = REPORT_COLUMNS.map((c) => {
      const f = byName(c);
      const v = f ? row.get(f) : undefined;
      // A report read back from its JSON has null where NaN was written.
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    });
    const [a, b] = values;
    const ratio = a !== undefined && b !== undefined && a !== 0 ? (b / a).toFixed(2) : '—';
    lines.push(`| ${row.label} | ${values.map((v) => _cell(v, row.digits)).join(' | ')} | ${ratio} |`);
  }
  lines.push('', `![latency CDF](${svgName})`, '', ...METHOD_NOTES, '');
  return lines.join('\n');
}

const METHOD_NOTES = [
  '## How these were measured',
  '',
  '- One fresh lab of network namespaces (server, client, outsider, joined by a bridge) per server; the',
  '  server process is pinned to CPU 0, load generators to the other CPUs.',
  '- Latency: knocks are built beforehand (fwknopd: by its client, `-T -B`; spa-server: through',
  '  spa-protocol, as its client does), then sent by a long-lived prober in the client namespace, each from',
  '  a new source address (198.18.0.0/16). Clock starts just before the datagram is',
  '  handed to the kernel and stops at the first completed TCP handshake; a new connection is tried every',
  '  interval (option `intervalMs`), so figures are upper bounds by up to one interval. Client start-up is',
  '  figure 5, not part of figure 1.',
  '- Junk: one generator process sends as fast as it can, bounded in count and time. CPU per datagram is',
  '  the server process’s utime+stime (10 ms ticks) over the datagrams its socket delivered (UDP',
  '  InDatagrams); “incl. child processes” adds CPU of children it forked and reaped (fwknopd runs iptables).',
  '- Knocks during a flood count as successful when the port accepts within `floodKnockTimeoutMs`; the',
  '  datagrams are built beforehand and sent once, as a client would.',
  '- Many sources: the outsider sends from `spoofSources` addresses of its own (198.19.0.0/16), one socket',
  '  each, so no per-source limit (in the daemon or in the kernel) holds the flood back.',
  '- Informed floods (spa-server), from the many-source addresses: what an attacker holding the server’s',
  '  and every client’s public key and real knocks it sniffed can send. a: knocks made with a random secret',
  '  key next to the client’s public key (a tag no client has); b: a real knock’s first 36 bytes (this',
  '  epoch’s client tag, a nonce) then random bytes, so mac2 fails; c: byte copies of knocks the server',
  '  accepted just before (replay pre-check). a also runs from one address. Legitimate knocks during',
  '  each count as open within 250 ms when the port accepted that soon; refusals are the server’s metrics.',
  '- Bulk (spa-server): 100,000 knocks, each granting an address of its own signed into it (IPv4 and IPv6',
  '  alternately), delivered with at most `bulkChunk` unanswered. Each asks for a duration that ends,',
  '  at 300 accepted/s, with all the others: every grant is live at the end, then they expire together;',
  '  a knock every 250 ms, from 3–8 s before the planned end, is timed (sent → grant logged) until they',
  '  are gone, and the server’s `spa_event_loop_stall_max_seconds` is read after each. Peak RSS covers',
  '  delivery to expiry. Replay',
  '  entries and refusals come from the server’s metrics, live grants from `spa-server status --json`,',
  '  timed with every grant live.',
  '- Grants/s: all knocks sent back to back (or at `grantRatePerS`), each from its own address; grants are',
  '  timed as the server logs them. Dropped = kernel receive-buffer drops at the server socket.',
  '- Felt (figure 7): a real sshd, protected on one port and not on another; rounds of plain ssh, ssh',
  '  through SPA as its users run it (spa-client connect as ProxyCommand; `fwknop && ssh`) and',
  '  `spa-client open --wait --json`, each from a fresh source address. ssh: command → the',
  '  `debug1: Remote protocol version` line (sshd’s banner read); open --wait: the client’s own openAfterMs.',
  '- Cold start: whole process, spawned by one runner inside the client namespace, interleaved with',
  '  `node -e 0`; the client sends its knock to a port where nothing listens.',
];

function _conditions(s: ServerFigures): string {
  const c = s.conditions;
  if (!c) return '';
  const others = Math.max(c.before.otherNamespaces, c.after.otherNamespaces);
  return ` (load average ${c.before.loadAverage[0]} → ${c.after.loadAverage[0]}; ${others} other network namespaces)`;
}

function _cell(v: number | undefined, digits: number): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
