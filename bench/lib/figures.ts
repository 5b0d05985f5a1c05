/** What a bench run measured for one server, figure by figure (the report renders it). @module */
import type { Memory } from './cpu-mem.js';
import type { JunkCost } from './flood.js';
import type { GrantThroughputResult } from './grant-throughput.js';
import type { LatencyResult } from './latency.js';
import type { Conditions } from './machine.js';
import type { Summary } from './stats.js';

export interface ServerFigures {
  readonly name: string;
  readonly version: string;
  /** Machine load before and after this server's phases. */
  conditions?: { readonly before: Conditions; readonly after: Conditions };
  /** Figure 1. */
  latency?: LatencyResult;
  /** Figure 2: junk alone (two payload shapes), then legitimate knocks during a random-junk flood. */
  junkRandom?: JunkCost<null>;
  junkBase64?: JunkCost<null>;
  underFlood?: JunkCost<LatencyResult>;
  /** Figure 2: random junk from the many-source addresses, with legitimate knocks during it. */
  junkSpoofed?: JunkCost<LatencyResult>;
  /** Figure 3 (servers with forgedKnocks only). */
  informed?: InformedFloodResult;
  /** Figure 4. */
  grants?: GrantThroughputResult;
  /** Figure 5: the client CLI, whole process, and `node -e 0` timed alongside it (the floor of any Node CLI). */
  clientColdStart?: Summary;
  nodeColdStart?: Summary;
  /** Figure 6. */
  memoryIdle?: Memory;
  memoryAfterGrants?: Memory;
  /** Figure 6 under load (servers with knocksFor only). */
  bulk?: BulkGrantsResult;
  /** Figure 7: what a person waits for: `open --wait`, ssh's first byte through SPA and without. */
  felt?: FeltResult;
}

export interface InformedRun {
  /** Flood cost and the legitimate knocks' outcome (JunkCost.during). */
  readonly cost: JunkCost<LatencyResult>;
  /** The server's counters that moved (refusals by reason, accepted, queue drops), from counters(). */
  readonly counters: Record<string, number>;
  /** Largest RSS seen while the flood ran, KiB. */
  readonly peakRssKiB: number;
}

export interface InformedFloodResult {
  /** Unknown-tag datagrams from the outsider's one address: the per-source limits' case. */
  readonly oneSource: InformedRun;
  /** The rest from `sources` addresses, as from a botnet or spoofed sources. a: tags no client has. */
  readonly unknownTag: InformedRun;
  /** b: a real knock's header (this epoch's tag, a nonce) and random bytes after it, so mac2 fails. */
  readonly sniffedTag: InformedRun;
  /** c: byte copies of knocks the server accepted just before (refused by the replay pre-check). */
  readonly replayed: InformedRun;
  readonly sources: number;
  /** Distinct datagrams cycled through in the unknown-tag and sniffed-tag floods. */
  readonly poolSize: number;
  /** Real knocks whose headers the sniffed-tag datagrams carry; as many are sent, then replayed. */
  readonly sniffedKnocks: number;
  readonly replayPool: ReplayPool;
  readonly memoryBefore: Memory;
  /** Two seconds after the last flood ended. */
  readonly memoryAfter: Memory;
}

/** The real knocks whose copies figure 3c replays: all of them should have been accepted first. */
export interface ReplayPool {
  readonly sent: number;
  readonly accepted: number;
}

export interface BulkGrantsResult {
  readonly offered: number;
  /** Knocks not sent: the delivery fell behind the plan and stopped at its last sending moment. */
  readonly unsent?: number;
  /** Knocks the server logged as accepted (each one grant). */
  readonly accepted: number;
  /** Knocks given up after bulk-grants.ts STALL_MS without progress (refused or dropped; see counters). */
  readonly lost: number;
  /** Kernel receive-buffer drops at the server during the phase. */
  readonly dropped: number;
  readonly buildMs: number;
  /** First send → last grant, ms, and accepted / span. */
  readonly spanMs: number;
  readonly acceptedPerS: number;
  /** The warm-up's accepted/s, from which the common end was planned (bulk-schedule.ts). */
  readonly warmupPerS?: number;
  /** When the bulk grants were planned to end (ISO time). */
  readonly endsAt?: string;
  /** Grants in the firewall once every knock was handled (liveGrants()). */
  readonly liveGrants: number | undefined;
  /** The server's counters at the end (replay entries and evictions, grants, refusals). */
  readonly counters: Record<string, number>;
  /** What the server logged as errors over the whole phase, by kind (errors()). */
  readonly errors?: Readonly<Record<string, { readonly count: number; readonly first: string }>>;
  readonly memoryIdle: Memory;
  readonly memoryAfter: Memory;
  /** 15 s later: V8 returns heap pages only after a major GC, so RSS right after a burst overstates. */
  readonly memoryLater: Memory;
  /** The largest RSS from the first knock sent to the last grant expired (sampled twice a second). */
  readonly peakRssKiB: number;
  /** `spa-server status --json` (or the server's equivalent) with every grant live, wall-clock ms. */
  readonly statusMs?: number;
  /** Where that status took the table's shape from: `daemon` (its vouch) or `kernel` (listed, seconds at 100,000 grants). */
  readonly statusShapeFrom?: string;
  /** The same command 15 s later, every grant still live: the daemon settled after the burst. */
  readonly statusLaterMs?: number;
  readonly statusLaterShapeFrom?: string;
  /** The grants ending, about all at once (bulk-expiry.ts); absent for a server without the gauges. */
  readonly expiry?: BulkExpiryResult;
  /** The whole phase: daemon start, warm-up, delivery, reads with every grant live, expiry (s). */
  readonly phaseS?: number;
}

export interface BulkExpiryResult {
  /** First grant gone → last bulk grant gone (or the probes ran out), ms. */
  readonly spanMs: number;
  /** Bulk grants still held when the probes stopped. */
  readonly liveAtEnd: number;
  /** Knocks sent meanwhile, one every 250 ms from 3–8 s before the planned end: sent → the server's grant log line, ms. */
  readonly probeLatency: Summary;
  readonly probesLost: number;
  /** Metrics reads that did not answer within 5 s (each counted as a 5 s stall). */
  readonly metricsUnanswered: number;
  /** The server's longest event-loop stall while the grants expired, ms. */
  readonly stallMs: number;
  /** The same, with every grant live and no knock arriving (the baseline), ms. */
  readonly idleStallMs: number;
}

export interface TimedSeries {
  readonly samples: number[];
  readonly summary: Summary;
  readonly failures: number;
  /** Why the first few failed runs failed, for the JSON. */
  readonly why: string[];
}

export interface FeltResult {
  /** Measured rounds; each round runs every command once, interleaved, each from a fresh address. */
  readonly runs: number;
  /** `spa-client open --wait --json`: its own "knock sent → TCP connected" (`openAfterMs`), ms. */
  readonly openWait?: TimedSeries;
  /** The same command, whole process: start → exit, ms. */
  readonly openWaitProcess?: TimedSeries;
  /** `ssh` straight to the sshd's unprotected port: command → the banner read, ms. */
  readonly plainSsh: TimedSeries;
  /** `ssh` to the protected port the way this server's users do (`spaSshHow`): command → banner, ms. */
  readonly spaSsh: TimedSeries;
  readonly spaSshHow: string;
  /** `ssh` with the ProxyCommand `spa-client agent --print-ssh-config` prints (nc to the running agent). */
  readonly agentSsh?: TimedSeries;
}
