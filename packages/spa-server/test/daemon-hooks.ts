/** Hooks for tests that start real daemons: each stopped after its test, their state dirs removed after the file. @module */
import { rmSync } from 'node:fs';
import { afterAll, afterEach } from 'vitest';
import type { Daemon } from '../src/daemon/daemon-api.js';

export interface DaemonHooks {
  /** State dirs to remove once the file is done. */
  readonly dirs: string[];
  /** Daemons to stop after the current test. */
  readonly running: Daemon[];
}

export function useDaemonHooks(): DaemonHooks {
  const hooks: DaemonHooks = { dirs: [], running: [] };
  afterEach(async () => {
    for (const d of hooks.running.splice(0)) await d.stop();
  });
  afterAll(() => {
    for (const d of hooks.dirs) rmSync(d, { recursive: true, force: true });
  });
  return hooks;
}
