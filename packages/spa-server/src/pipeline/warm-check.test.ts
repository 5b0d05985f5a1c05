/** The start-up warm-up: a throwaway knock through the check path, leaving the server's state as it was. */
import { nodeBackend } from 'spa-node';
import { describe, expect, it } from 'vitest';
import { makeFixture } from '../../test/fixtures.js';
import { authenticate, precheck } from './authenticate.js';
import { buildRuntime } from './runtime.js';
import { warmCheckPath } from './warm-check.js';

const NOW = Date.now();

describe('warmCheckPath', () => {
  it('takes a throwaway knock through every check to a policy yes', () => {
    const fx = makeFixture();
    const rt = buildRuntime(fx.config, nodeBackend);
    expect(warmCheckPath(rt, NOW)).toBe('granted');
  });

  it('leaves the client table as it was: the throwaway key is not a client afterwards', () => {
    const fx = makeFixture();
    const rt = buildRuntime(fx.config, nodeBackend);
    const clients = [...rt.clients.keys()];
    warmCheckPath(rt, NOW);
    expect([...rt.clients.keys()]).toEqual(clients);
    // A configured client's knock still authenticates, against nothing the warm-up recorded.
    const data = fx.knock({ addresses: ['192.0.2.1'] }, { now: NOW });
    const early = precheck(rt, data, NOW, () => undefined);
    expect(early.ok).toBe(true);
    if (!early.ok) return;
    const replay = { check: () => undefined };
    expect(authenticate(rt, replay, data, early.value, NOW).ok).toBe(true);
  });

  it('does not throw when policy would refuse (no service configured)', () => {
    const fx = makeFixture({ services: new Map() });
    const rt = buildRuntime(fx.config, nodeBackend);
    expect(warmCheckPath(rt, NOW)).toBe('refused');
  });
});
