/** Hooks against the real kernel: a knock's grant runs its hook with the event on stdin; close and expire follow; a hanging hook delays no grant. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const HOOK = agentPath('hook-record.mjs');
const PORT = 2222;
/** Bob's grant, left to expire; alice's lasts until she closes it. */
const GRANT_SECONDS = 3;
const ALICE_SECONDS = 60;
const HOOK_TIMEOUT_MS = 2500;

interface Recorded {
  readonly event: Record<string, unknown> & {
    event: string;
    ts: string;
    addresses: string[];
    expiresAt?: string;
  };
  readonly ranAt: number;
}

describe('hooks (nftables)', () => {
  let lab: Lab;
  let service: ResultPromise;
  let proc: ServerProcess;
  const dir = mkdtempSync(join(tmpdir(), 'spa-hooks-e2e-'));
  const file = join(dir, 'events.jsonl');
  const recorded = (): Recorded[] =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Recorded)
      : [];
  const waitForEvent = async (match: (r: Recorded) => boolean, timeoutMs = 10_000): Promise<Recorded> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = recorded().find(match);
      if (found) return found;
      if (Date.now() > until) throw new Error(`no such hook event; recorded: ${JSON.stringify(recorded())}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'alice', 'bob']);
    service = lab.host('server').exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
    const record = (hangMs: number) => [process.execPath, HOOK, file, String(hangMs)];
    proc = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      config: {
        defaultDuration: GRANT_SECONDS,
        hooks: {
          // The grant hook hangs past its timeout; one hook at a time, so the next event waits for it.
          grant: record(60_000),
          extend: record(0),
          close: record(0),
          expire: record(0),
          timeout: HOOK_TIMEOUT_MS,
          maxConcurrent: 1,
        },
      },
    });
  });
  afterAll(async () => {
    service?.kill();
    await proc?.stop();
    await proc?.cleanup();
    await lab?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('grant, close and expire reach their hooks with the right fields; a hanging hook delays no second grant', async () => {
    const alice = lab.host('alice');
    const bob = lab.host('bob');
    const server = lab.host('server');

    const sentAt = Date.now();
    await proc.send(alice, proc.knock({ durationSeconds: ALICE_SECONDS }));
    const grant = await waitForEvent((r) => r.event.event === 'grant');
    expect(grant.event).toEqual({
      version: 1,
      event: 'grant',
      ts: expect.any(String),
      client: 'alice',
      addresses: [alice.ipv4],
      ports: [`tcp/${PORT}`],
      grants: [{ address: alice.ipv4, protocol: 'tcp', port: PORT }],
      expiresAt: expect.any(String),
    });
    const expiresAt = Date.parse(grant.event.expiresAt!);
    expect(expiresAt - Date.parse(grant.event.ts)).toBe(ALICE_SECONDS * 1000);
    expect(JSON.stringify(grant.event)).not.toMatch(/spa-ed25519|keyId|secret/i);

    // The first grant's hook hangs; the second knock is granted by the kernel at once all the same.
    const secondAt = Date.now();
    await proc.send(bob, proc.knock());
    expect(await waitForTcp(bob, server.ipv4, PORT, 'open', 1500)).toBe('open');
    // Open while the first hook still hangs: the grant did not wait for it.
    expect(proc.logs().some((l) => l.event === 'hook.failed')).toBe(false);

    // ...and the hanging hook is killed at its timeout, counted as such.
    const killed = await proc.waitForLog((l) => l.event === 'hook.failed', HOOK_TIMEOUT_MS + 3000);
    expect(killed).toMatchObject({ hook: 'grant', client: 'alice', result: 'timeout' });
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(HOOK_TIMEOUT_MS);
    const bobAccepted = proc.logs().find((l) => l.event === 'knock.accepted' && l.src === bob.ipv4);
    expect(Date.parse(String(bobAccepted?.ts))).toBeLessThan(Date.parse(String(killed.ts)));

    await proc.send(alice, proc.knock({ kind: 'close' }));
    const close = await waitForEvent((r) => r.event.event === 'close');
    expect(close.event).toMatchObject({
      client: 'alice',
      addresses: [alice.ipv4],
      ports: [`tcp/${PORT}`],
      reason: 'client',
    });
    expect(close.event.expiresAt).toBeUndefined();
    expect(await probeTcp(alice, server.ipv4, PORT)).toBe('filtered');

    // Bob's grant ends by the kernel's timeout: the expire event says so within a second of it.
    const expire = await waitForEvent((r) => r.event.event === 'expire' && r.event.addresses[0] === bob.ipv4);
    expect(expire.event).toMatchObject({
      client: 'alice',
      ports: [`tcp/${PORT}`],
      grants: [{ address: bob.ipv4 }],
    });
    const bobEnd = Date.parse(expire.event.expiresAt!);
    expect(bobEnd - secondAt).toBeGreaterThanOrEqual(GRANT_SECONDS * 1000 - 100);
    expect(bobEnd - secondAt).toBeLessThan(GRANT_SECONDS * 1000 + 1500);
    const seen = Date.parse(expire.event.ts) - bobEnd;
    expect(seen).toBeGreaterThanOrEqual(0);
    expect(seen).toBeLessThan(1500);
    expect(await probeTcp(bob, server.ipv4, PORT)).toBe('filtered');
    // One grant hook per knock, one close, one expire for bob; alice's closed grant never expires.
    const kinds = recorded().map((r) => `${r.event.event}:${r.event.addresses[0]}`);
    expect(kinds.sort()).toEqual(
      [`close:${alice.ipv4}`, `expire:${bob.ipv4}`, `grant:${alice.ipv4}`, `grant:${bob.ipv4}`].sort(),
    );
  });
});
