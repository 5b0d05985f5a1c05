/** At start, a large fleet's table is built while the firewall is set up; a small fleet's tags go in with the setup. */
import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../config/resolved-config.js';
import type { GrantKeeper } from '../grants/grant-keeper-api.js';
import type { Runtime } from '../pipeline/runtime.js';
import type { KnockGateSync } from './knock-gate-sync.js';
import { setUpWithRuntime } from './start-firewall.js';

const config = {
  services: new Map([['ssh', [{ protocol: 'tcp', port: 22 }]]]),
} as unknown as ResolvedConfig;
const runtime = { ports: [{ protocol: 'tcp', port: 22 }] } as unknown as Runtime;

/** A grant keeper whose setup records the order of events and resolves (or fails) when told. */
function recorder(events: string[], fail?: Error) {
  let finish!: () => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = () => (fail ? reject(fail) : resolve());
  });
  const grants = {
    async setup(ports: unknown) {
      events.push(`setup ${JSON.stringify(ports)}`);
      await done;
      events.push('setup done');
    },
  } as unknown as GrantKeeper;
  const gate = {
    async syncTags() {
      events.push('tags');
    },
  } as unknown as KnockGateSync;
  return { grants, gate, finish };
}

describe('setUpWithRuntime', () => {
  it('sets up a large fleet from the services while its table is still being built', async () => {
    const events: string[] = [];
    const { grants, gate, finish } = recorder(events);
    let built!: (rt: Runtime) => void;
    const building = new Promise<Runtime>((resolve) => {
      built = resolve;
    });
    const started = setUpWithRuntime(config, () => building, grants, gate, true);
    await Promise.resolve();
    expect(events).toEqual(['setup [{"protocol":"tcp","port":22}]']);
    finish();
    built(runtime);
    expect(await started).toBe(runtime);
    expect(events).not.toContain('tags');
  });

  it('gives a small fleet its table first, then its tags, then the setup', async () => {
    const events: string[] = [];
    const { grants, gate, finish } = recorder(events);
    finish();
    expect(await setUpWithRuntime(config, async () => runtime, grants, gate, false)).toBe(runtime);
    expect(events).toEqual(['tags', 'setup [{"protocol":"tcp","port":22}]', 'setup done']);
  });

  it('throws a failed build or setup only once both have settled', async () => {
    for (const which of ['build', 'setup'] as const) {
      const events: string[] = [];
      const { grants, gate, finish } = recorder(events, which === 'setup' ? new Error('nft') : undefined);
      let settle!: () => void;
      const building = new Promise<Runtime>((resolve, reject) => {
        settle = () => (which === 'build' ? reject(new Error('weak key')) : resolve(runtime));
      });
      const started = setUpWithRuntime(config, () => building, grants, gate, true);
      let thrown = false;
      started.catch(() => {
        thrown = true;
      });
      settle();
      await new Promise((r) => setTimeout(r, 5));
      expect(thrown).toBe(false); // the setup is still running
      finish();
      await expect(started).rejects.toThrow(which === 'build' ? 'weak key' : 'nft');
    }
  });
});
