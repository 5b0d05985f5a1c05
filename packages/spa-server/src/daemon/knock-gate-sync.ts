/** Keeps the kernel's knock gate in step with the daemon: the client tags its table holds, and the nonces of knocks it granted. @module */
import { setTimeout as delay } from 'node:timers/promises';
import { EPOCH_MS } from 'spa-protocol';
import type { KnockGateControl, SpentNonce } from '../firewall/driver.js';
import { isSpentSetFull, SPENT_CAPACITY } from '../firewall/knock-gate.js';
import type { DaemonLog } from '../observability/log.js';
import type { Metrics } from '../observability/metrics.js';
import { hexOf, type Runtime } from '../pipeline/runtime.js';
import { Turns } from '../shared/turns.js';

export interface KnockGateSync {
  /**
   * Gives the kernel the runtime's tags when they changed since the last success: new epochs, a
   * reload. Never rejects (a failure is logged, counted and retried at the next call): true when the
   * kernel holds this runtime's tags once it resolves.
   */
  syncTags(rt: Runtime): Promise<boolean>;
  /**
   * A granted knock's nonce: the kernel drops its byte copies until the tag's epoch has left the
   * window (by then the tag rule drops them). Batched: one transaction for the nonces of one turn.
   */
  spent(tagAndNonce: Uint8Array, epoch: number, windowMs: number, nowMs: number): void;
  /** Resolves once nothing is waiting to reach the kernel (tests, stop). */
  idle(): Promise<void>;
}

/**
 * Up to this many keys, the tags (three epochs each, ~36 bytes of nft text a tag) go with the
 * firewall's setup at start, in one transaction through the resident nft shell; more are installed
 * after the daemon listens (daemon.ts), through a one-shot nft that the start does not wait for.
 */
export const TAGS_WITH_SETUP_MAX_KEYS = 256;

/** The pause before the second try of a large fleet's tags; each later pause doubles, up to the cap. */
const FILL_RETRY_FIRST_MS = 1000;
const FILL_RETRY_MAX_MS = 30_000;

/**
 * A large fleet's tags, once the daemon listens: tried until the kernel holds them (the gate, set up
 * empty, drops every knock until then), then one knockgate.ready line. Pauses between tries double
 * from 1 s to 30 s: a try costs a third of a second of nft and the tags' encoding, and an nft that
 * keeps failing must not take a core with it. A failure is logged once by the sync (and counted in
 * firewallFailures). `afterFirstTry` starts what would otherwise compete with the first try.
 */
export async function fillGateAfterStart(
  sync: KnockGateSync,
  current: () => Runtime,
  log: DaemonLog,
  stopped: () => boolean,
  /** Called once the first try has ended, whatever its outcome. */
  afterFirstTry: () => void = () => {},
): Promise<void> {
  const since = performance.now();
  let held = await sync.syncTags(current());
  afterFirstTry();
  for (let pauseMs = FILL_RETRY_FIRST_MS; !held; pauseMs = Math.min(2 * pauseMs, FILL_RETRY_MAX_MS)) {
    await delay(pauseMs, undefined, { ref: false });
    if (stopped()) return;
    held = await sync.syncTags(current());
  }
  log.event('info', 'knockgate.ready', {
    clients: current().table.size,
    ms: Math.round(performance.now() - since),
    message: "the kernel's knock gate holds every client's tags",
  });
}

/** How long granted knocks are gathered before their tag and nonce go to the kernel together. */
export const SPENT_BATCH_MS = 50;
/** A full spent set's refusals closer together than this are one streak: one warning. */
export const SPENT_FULL_QUIET_MS = 60_000;

export function createKnockGateSync(
  gate: KnockGateControl,
  log: DaemonLog,
  metrics: Metrics,
  /** Milliseconds on a monotonic clock: when a full spent set's streak ends (tests pass their own). */
  now: () => number = () => performance.now(),
): KnockGateSync {
  let synced: { table: Runtime['table']; epochs: string } | undefined;
  let pending: SpentNonce[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let tagsChain: Promise<boolean> = Promise.resolve(true);
  let failing = false;

  const failed = (operation: string, error: unknown): void => {
    metrics.count('firewallFailures');
    // Once per streak: a full spent set would otherwise log every batch.
    if (failing) return;
    failing = true;
    log.event('error', 'firewall.failed', { operation, error: withoutValues(error) });
  };
  const succeeded = (): void => {
    failing = false;
  };
  // A full spent set is the fleet's size, not a broken firewall: counted per knock it left out, and
  // said once per streak, as a warning: nothing needs repair, and the daemon refuses the copies itself.
  // A streak ends after SPENT_FULL_QUIET_MS without a refusal, not at the next batch that fits: near
  // its size the set frees a few slots at a time, so small batches pass between refused ones.
  let lastFullAt = Number.NEGATIVE_INFINITY;
  const leftOut = (count: number): void => {
    metrics.count('gateSpentFull', count);
    const at = now();
    const streak = at - lastFullAt < SPENT_FULL_QUIET_MS;
    lastFullAt = at;
    if (streak) return;
    log.event('warn', 'knockgate.spent-full', {
      capacity: SPENT_CAPACITY,
      message:
        "the knock gate's spent set is full: copies of knocks granted now reach the daemon, which refuses them as replays",
    });
  };

  const flush = async (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      await gate.spend(batch);
      succeeded();
    } catch (error) {
      // The copies then reach the daemon, which refuses them as replays: only cost, no grant.
      if (isSpentSetFull(error)) leftOut(batch.length);
      else failed('knock-gate-spend', error);
    }
  };

  return {
    syncTags(rt) {
      // One at a time: each call replaces the kernel's whole set, so the last one to run wins.
      tagsChain = tagsChain.then(async () => {
        const { table } = rt;
        const epochs = table.heldEpochs;
        if (synced?.table === table && synced.epochs === epochs) return true;
        try {
          await gate.setTags(await hexInSlices(table.heldTags()));
          synced = { table, epochs };
          succeeded();
          return true;
        } catch (error) {
          synced = undefined;
          failed('knock-gate-tags', error);
          return false;
        }
      });
      return tagsChain;
    },
    spent(tagAndNonce, epoch, windowMs, nowMs) {
      // The tag rule drops the copies from the moment the epoch leaves the window; a second of slack
      // for the timer that updates the tags.
      const until = (epoch + 1) * EPOCH_MS + windowMs;
      const timeoutSeconds = Math.max(1, Math.ceil((until - nowMs) / 1000) + 1);
      if (pending.length >= SPENT_CAPACITY) {
        leftOut(1); // the kernel's set holds no more anyway
        return;
      }
      pending.push({ tagNonceHex: hexOf(tagAndNonce), timeoutSeconds });
      // Gathered for SPENT_BATCH_MS: a burst of grants then costs the firewall shell one more
      // transaction, not one per grant; copies in between reach the daemon, which refuses them.
      if (pending.length === 1) {
        flushing = flushing.then(() => new Promise((r) => setTimeout(r, SPENT_BATCH_MS))).then(flush);
      }
    },
    async idle() {
      await Promise.all([flushing, tagsChain]);
    },
  };
}

/**
 * A fleet of 10,000 keys holds 30,000 tags: encoded in one piece, a stall of ten milliseconds or more
 * on the packet path's thread at every reload and every new epoch.
 */
async function hexInSlices(tags: readonly string[]): Promise<string[]> {
  const turns = new Turns();
  const hex: string[] = [];
  for (const tag of tags) {
    // latin1: a held tag is one character per byte (spa-protocol's tagText).
    hex.push(Buffer.from(tag, 'latin1').toString('hex'));
    if (turns.due()) await turns.pause();
  }
  return hex;
}

/**
 * nft echoes a failed command, and the gate's commands carry tags and nonces: bytes of datagrams,
 * which no log line holds. Each such value is cut to its first bytes.
 */
function withoutValues(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/0x([0-9a-f]{8})[0-9a-f]{24,}/gi, '0x$1…');
}
