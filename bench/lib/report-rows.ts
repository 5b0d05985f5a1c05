/** The rows of the report's table: label, how to read the figure from a server's results, digits. @module */
import type { InformedRun, ServerFigures } from './figures.js';
import type { LatencyResult } from './latency.js';
import { FELT_ROWS } from './report-rows-felt.js';
import {
  cpuPerSentOf,
  dropPctOf,
  filteredPctOf,
  maxMiB,
  mib,
  otherRefusalsOf,
  pctOf,
  type Row,
  readRateOf,
  refusedOf,
  sec,
  successPctOf,
  withChildrenOf,
  withinOf,
} from './report-values.js';

/** Figure 3's promptness threshold: the issue asks for legitimate knocks open within 250 ms under it. */
const INFORMED_WITHIN_MS = 250;

export const ROWS: readonly Row[] = [
  { label: '1. knock → TCP accept, p50 (ms)', get: (f) => f.latency?.summary.p50, digits: 2 },
  { label: '1. knock → TCP accept, p95 (ms)', get: (f) => f.latency?.summary.p95, digits: 2 },
  { label: '1. knock → TCP accept, p99 (ms)', get: (f) => f.latency?.summary.p99, digits: 2 },
  { label: '1. knocks never answered (of N)', get: (f) => f.latency?.failures, digits: 0 },
  {
    label: '1. of which knock → server logs the grant, p50 (ms)',
    get: (f) => f.latency?.serverSummary?.p50,
    digits: 2,
  },
  {
    label: '2. junk (random bytes) offered, datagrams/s',
    get: (f) => f.junkRandom?.flood.ratePerS,
    digits: 0,
  },
  {
    label: '2. junk (random bytes) read by server, datagrams/s',
    get: (f) => readRateOf(f.junkRandom),
    digits: 0,
  },
  {
    label: '2. junk (random bytes) dropped, socket buffer full, %',
    get: (f) => dropPctOf(f.junkRandom),
    digits: 1,
  },
  {
    label: '2. junk (random bytes) kept from the socket by the kernel, %',
    get: (f) => filteredPctOf(f.junkRandom),
    digits: 1,
  },
  {
    label: '2. CPU per junk datagram sent, random (µs)',
    get: (f) => cpuPerSentOf(f.junkRandom),
    digits: 3,
  },
  {
    label: '2. CPU per junk datagram read, random (µs)',
    get: (f) => f.junkRandom?.cpuPerDatagramUs,
    digits: 2,
  },
  { label: '2. same, incl. child processes (µs)', get: (f) => withChildrenOf(f.junkRandom), digits: 2 },
  {
    label: '2. junk (base64 text) read by server, datagrams/s',
    get: (f) => readRateOf(f.junkBase64),
    digits: 0,
  },
  {
    label: '2. CPU per junk datagram read, base64 (µs)',
    get: (f) => f.junkBase64?.cpuPerDatagramUs,
    digits: 2,
  },
  { label: '2. same, incl. child processes (µs)', get: (f) => withChildrenOf(f.junkBase64), digits: 2 },
  ...duringRows('2. legit knocks during flood', (f) => f.underFlood?.during),
  {
    label: '2. junk (random bytes) from many sources, offered, datagrams/s',
    get: (f) => f.junkSpoofed?.flood.ratePerS,
    digits: 0,
  },
  {
    label: '2. same, read by server, datagrams/s',
    get: (f) => readRateOf(f.junkSpoofed),
    digits: 0,
  },
  { label: '2. same, dropped, socket buffer full, %', get: (f) => dropPctOf(f.junkSpoofed), digits: 1 },
  {
    label: '2. same, kept from the socket by the kernel, %',
    get: (f) => filteredPctOf(f.junkSpoofed),
    digits: 1,
  },
  {
    label: '2. same, CPU per junk datagram read (µs)',
    get: (f) => f.junkSpoofed?.cpuPerDatagramUs,
    digits: 2,
  },
  ...duringRows('2. same, legit knocks during it', (f) => f.junkSpoofed?.during),
  ...informedRows(
    'a. informed flood, unknown tag, one source',
    'unknown-client',
    (f) => f.informed?.oneSource,
  ),
  ...informedRows('a. informed flood, unknown tag', 'unknown-client', (f) => f.informed?.unknownTag),
  ...informedRows('b. informed flood, sniffed tag, bad mac2', 'bad-mac', (f) => f.informed?.sniffedTag),
  ...informedRows('c. informed flood, replayed copies', 'replay', (f) => f.informed?.replayed),
  { label: '3. informed floods: spoofed source addresses', get: (f) => f.informed?.sources, digits: 0 },
  {
    label: '3. informed floods: real knocks sniffed (b) and replayed (c)',
    get: (f) => f.informed?.sniffedKnocks,
    digits: 0,
  },
  {
    label: '3. c: of which accepted before the flood',
    get: (f) => f.informed?.replayPool.accepted,
    digits: 0,
  },
  { label: '3. server RSS before (MiB)', get: (f) => mib(f.informed?.memoryBefore.rssKiB), digits: 1 },
  {
    label: '3. server RSS, peak during any (MiB)',
    get: (f) =>
      maxMiB(
        f.informed?.oneSource.peakRssKiB,
        f.informed?.unknownTag.peakRssKiB,
        f.informed?.sniffedTag.peakRssKiB,
        f.informed?.replayed.peakRssKiB,
      ),
    digits: 1,
  },
  { label: '3. server RSS 2 s after (MiB)', get: (f) => mib(f.informed?.memoryAfter.rssKiB), digits: 1 },
  { label: '4. sustained grants/s (distinct sources)', get: (f) => f.grants?.grantsPerS, digits: 0 },
  { label: '4. knocks granted, %', get: (f) => pctOf(f.grants?.granted, f.grants?.offered), digits: 0 },
  { label: '5. client cold start, median (ms)', get: (f) => f.clientColdStart?.p50, digits: 1 },
  { label: '5. `node -e 0`, median (ms)', get: (f) => f.nodeColdStart?.p50, digits: 1 },
  { label: '6. server RSS idle (MiB)', get: (f) => mib(f.memoryIdle?.rssKiB), digits: 1 },
  { label: '6. server PSS idle (MiB)', get: (f) => mib(f.memoryIdle?.pssKiB), digits: 1 },
  {
    label: '6. server RSS after the grant burst (MiB)',
    get: (f) => mib(f.memoryAfterGrants?.rssKiB),
    digits: 1,
  },
  { label: '6. bulk: knocks sent', get: (f) => f.bulk && f.bulk.offered - (f.bulk.unsent ?? 0), digits: 0 },
  { label: '6. bulk: knocks accepted', get: (f) => f.bulk?.accepted, digits: 0 },
  { label: '6. bulk: accepted/s, sustained', get: (f) => f.bulk?.acceptedPerS, digits: 0 },
  { label: '6. bulk: accepted/s, warm-up on empty sets', get: (f) => f.bulk?.warmupPerS, digits: 0 },
  { label: '6. bulk: grants live in the firewall', get: (f) => f.bulk?.liveGrants, digits: 0 },
  {
    label: '6. bulk: replay entries held',
    get: (f) => f.bulk?.counters.spa_replay_entries,
    digits: 0,
  },
  {
    label: '6. bulk: knocks refused, replay store full',
    get: (f) => f.bulk?.counters['spa_knocks_refused_total{reason="replay-full"}'],
    digits: 0,
  },
  { label: '6. bulk: server RSS idle (MiB)', get: (f) => mib(f.bulk?.memoryIdle.rssKiB), digits: 1 },
  { label: '6. bulk: server RSS, peak (MiB)', get: (f) => mib(f.bulk?.peakRssKiB), digits: 1 },
  { label: '6. bulk: server RSS after (MiB)', get: (f) => mib(f.bulk?.memoryAfter.rssKiB), digits: 1 },
  { label: '6. bulk: server RSS 15 s later (MiB)', get: (f) => mib(f.bulk?.memoryLater.rssKiB), digits: 1 },
  { label: '6. bulk: status --json, all grants live (ms)', get: (f) => f.bulk?.statusMs, digits: 0 },
  { label: '6. bulk: status --json 15 s later (ms)', get: (f) => f.bulk?.statusLaterMs, digits: 0 },
  { label: '6. bulk: whole phase (s)', get: (f) => f.bulk?.phaseS, digits: 0 },
  {
    label: '6. bulk: knocks refused, grant sets full',
    get: (f) => f.bulk?.counters['spa_knocks_refused_total{reason="grants-full"}'],
    digits: 0,
  },
  {
    label: '6. bulk: expiry, first to last grant gone (s)',
    get: (f) => sec(f.bulk?.expiry?.spanMs),
    digits: 1,
  },
  {
    label: '6. bulk: expiry, knock latency p50 (ms)',
    get: (f) => f.bulk?.expiry?.probeLatency.p50,
    digits: 1,
  },
  {
    label: '6. bulk: expiry, knock latency max (ms)',
    get: (f) => f.bulk?.expiry?.probeLatency.max,
    digits: 1,
  },
  { label: '6. bulk: expiry, knocks lost', get: (f) => f.bulk?.expiry?.probesLost, digits: 0 },
  { label: '6. bulk: expiry, longest event-loop stall (ms)', get: (f) => f.bulk?.expiry?.stallMs, digits: 1 },
  {
    label: '6. bulk: grants live, idle: longest event-loop stall (ms)',
    get: (f) => f.bulk?.expiry?.idleStallMs,
    digits: 1,
  },
  ...FELT_ROWS,
];

/** The rows of the legitimate knocks sent during a flood (figure 2): success, promptness, latency. */
function duringRows(what: string, get: (f: ServerFigures) => LatencyResult | undefined): Row[] {
  return [
    { label: `${what}, success %`, get: (f) => successPctOf(get(f)), digits: 0 },
    { label: `${what}, open within 100 ms, %`, get: (f) => withinOf(get(f), 100), digits: 0 },
    { label: `${what}, p50 (ms)`, get: (f) => get(f)?.summary.p50, digits: 2 },
    { label: `${what}, p95 (ms)`, get: (f) => get(f)?.summary.p95, digits: 2 },
  ];
}

/** The rows of one informed-flood run (figure 3); `reason` is the refusal the pool is built to meet. */
function informedRows(
  what: string,
  reason: string,
  get: (f: ServerFigures) => InformedRun | undefined,
): Row[] {
  const label = (text: string): string => `3${what}: ${text}`;
  return [
    { label: label('offered, datagrams/s'), get: (f) => get(f)?.cost.flood.ratePerS, digits: 0 },
    { label: label('read by server, datagrams/s'), get: (f) => readRateOf(get(f)?.cost), digits: 0 },
    { label: label('dropped, socket buffer full, %'), get: (f) => dropPctOf(get(f)?.cost), digits: 1 },
    // The knock gate (nftables) drops some pools before the socket: then "per datagram offered" is the
    // cost an attacker imposes, and "per datagram read" covers the few that got through.
    {
      label: label('kept from the socket by the kernel, %'),
      get: (f) => filteredPctOf(get(f)?.cost),
      digits: 1,
    },
    { label: label('CPU per datagram offered (µs)'), get: (f) => cpuPerSentOf(get(f)?.cost), digits: 3 },
    { label: label('CPU per datagram read (µs)'), get: (f) => get(f)?.cost.cpuPerDatagramUs, digits: 2 },
    { label: label(`refused ${reason}`), get: (f) => refusedOf(get(f), reason), digits: 0 },
    { label: label('refused for other reasons'), get: (f) => otherRefusalsOf(get(f), reason), digits: 0 },
    { label: label('legit knocks, success %'), get: (f) => successPctOf(get(f)?.cost.during), digits: 0 },
    {
      label: label(`legit knocks, open within ${INFORMED_WITHIN_MS} ms, %`),
      get: (f) => withinOf(get(f)?.cost.during, INFORMED_WITHIN_MS),
      digits: 0,
    },
    { label: label('legit knocks, p50 (ms)'), get: (f) => get(f)?.cost.during.summary.p50, digits: 2 },
    { label: label('legit knocks, p95 (ms)'), get: (f) => get(f)?.cost.during.summary.p95, digits: 2 },
    { label: label('server RSS, peak (MiB)'), get: (f) => mib(get(f)?.peakRssKiB), digits: 1 },
  ];
}
