/** A knock timestamp that is stale yet carries a client tag the server holds, so the window check (not the tag lookup) refuses it. @module */
import { EPOCH_MS } from 'spa-protocol';

/** How long the returned timestamp's epoch stays held after the call: room to build and deliver the knock. */
const HELD_FOR_MS = 10_000;
const OLDER_MS = 1000;

/**
 * One second older than the past edge of a `windowS` window, in the epoch that edge falls in, whose tags
 * the server holds (docs/protocol.md §6.2): such a knock reaches the window check and is `stale`, where
 * an older one would be an unknown tag. The server stops holding that epoch once the edge leaves it, so
 * this waits (at most ~12 s) until the edge is more than a second into an epoch with at least
 * HELD_FOR_MS of it left.
 */
export async function staleButTagged(windowS: number): Promise<number> {
  for (;;) {
    const edge = Date.now() - windowS * 1000;
    const into = edge - Math.floor(edge / EPOCH_MS) * EPOCH_MS;
    const after = OLDER_MS + 500;
    if (into >= after && EPOCH_MS - into >= HELD_FOR_MS) return edge - OLDER_MS;
    await new Promise((r) => setTimeout(r, (into < after ? after - into : EPOCH_MS - into + after) + 10));
  }
}
