/** The demo's check that a copy of a granted knock was refused: dropped by the kernel's knock gate (counted), or refused by the daemon as a replay. @module */

import { kernelDrops } from 'spa-test-kit/lab/kernel-drops';
import type { Host } from 'spa-test-kit/lab/netns';
import type { Daemon } from './daemon.js';

/**
 * Once a knock is granted its tag and nonce reach the kernel's gate (nftables) within a few tens of
 * milliseconds: a later copy never reaches the daemon, and the kernel counts it. A copy that got there
 * first is refused by the daemon. Either is a refusal; the line says which.
 */
export async function replayRefused(
  server: Host,
  daemon: Daemon,
  from: string,
  kernelBefore: Readonly<Record<string, number>>,
): Promise<{ readonly ok: boolean; readonly line: string }> {
  for (const end = Date.now() + 2000; ; ) {
    const dropped = ((await kernelDrops(server)).replay ?? 0) - (kernelBefore.replay ?? 0);
    if (dropped > 0) {
      return {
        ok: true,
        line: `dropped by the kernel's knock gate before the daemon read it (spa_kernel_dropped_total{reason="replay"} +${dropped})`,
      };
    }
    const refused = await daemon.waitForLog((l) => l.event === 'knock.refused' && l.src === from, 1);
    if (refused || Date.now() > end) {
      return {
        ok: refused?.reason === 'replay',
        line: `server log: knock.refused reason=${String(refused?.reason)} src=${String(refused?.src)}`,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
