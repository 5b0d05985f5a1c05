/** A knock timestamp that is stale yet carries a client tag the server holds, so the window check (not the tag lookup) refuses it. @module */
import { EPOCH_MS } from 'spa-protocol';

/**
 * Outside a `windowS` window into the past, but inside the epoch the window's past edge falls in, whose
 * tags the server holds (docs/protocol.md §6.2): such a knock reaches the window check and is `stale`,
 * where an older one would be an unknown tag. Waits (at most ~3 s) when the edge lies too close to the
 * start of its epoch to leave room for delivery.
 */
export async function staleButTagged(windowS: number): Promise<number> {
  for (;;) {
    const edge = Date.now() - windowS * 1000;
    const into = edge - Math.floor(edge / EPOCH_MS) * EPOCH_MS;
    if (into >= 3000) return edge - into + 500;
    await new Promise((r) => setTimeout(r, 3100 - into));
  }
}
