/** An on-path router that sends a copy of the client's knock from its own address first, and the original late. */

import type { ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { kernelDrops } from 'spa-test-kit/lab/kernel-drops';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { createRoutedLab, type RoutedLab } from 'spa-test-kit/lab/routed-lab';
import { type ClientHome, createClientHome } from 'spa-test-kit/processes/client-process';
import {
  KNOCK_PORT,
  type LogLine,
  type ServerProcess,
  startServerProcess,
} from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TCP_SERVICE = agentPath('tcp-service.mjs');
const RELAY = agentPath('relay-late.py');
const SSH = 2222;
const DELAY_MS = 1500;

describe('a captured knock resent first from another address opens nothing for that address', () => {
  let lab: RoutedLab;
  let spa: ServerProcess;
  let service: ResultPromise;
  let alice: ClientHome;
  const count = (pred: (l: LogLine) => boolean): number => spa.logs().filter(pred).length;

  /** Starts the router's relay for the next knock; resolves once it listens, with a promise of its end. */
  const armRelay = async (): Promise<{ done: Promise<string> }> => {
    const relay = lab.router.exec(
      '/usr/bin/python3',
      [RELAY, 'rc0', lab.client.ipv4, lab.server.ipv4, String(KNOCK_PORT), lab.router.ipv4, String(DELAY_MS)],
      { reject: false },
    );
    let out = '';
    relay.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    for (let i = 0; i < 100 && !out.includes('ready'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('ready');
    return { done: relay.then(() => out) };
  };

  beforeAll(async () => {
    lab = await createRoutedLab();
    // The router holds the client's knocks back: only its relay forwards them, late.
    const rules = [
      'add table inet relay',
      'add chain inet relay hold { type filter hook forward priority 0; }',
      `add rule inet relay hold ip saddr ${lab.client.ipv4} udp dport ${KNOCK_PORT} drop`,
    ].join('\n');
    await lab.router.exec('nft', ['-f', '-'], { input: `${rules}\n` });
    service = lab.server.exec(process.execPath, [TCP_SERVICE, String(SSH)], { reject: false });
    spa = await startServerProcess({
      host: lab.server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      clients: [
        { name: 'alice', allowSourceAddress: false },
        { name: 'nas', allowSourceAddress: true },
      ],
      config: { defaultDuration: 20, log: { level: 'info', refusalsPerSecond: 1000 } },
    });
    alice = await createClientHome(spa, lab.server.ipv4, 'alice');
  });

  afterAll(async () => {
    await spa?.cleanup();
    service?.kill();
    await alice?.cleanup();
    await lab?.destroy();
  });

  it('warns at start about the client that allows source mode', () => {
    expect(spa.logs().filter((l) => l.event === 'client.source-mode')).toEqual([
      expect.objectContaining({ level: 'warn', count: 1, clients: ['nas'] }),
    ]);
  });

  it("with the client's defaults (a signed address), the router gets nothing and the client gets in", async () => {
    const relay = await armRelay();
    const replays = count((l) => l.event === 'knock.refused' && l.reason === 'replay');
    const kernelBefore = await kernelDrops(lab.server);
    // The profile from `spa-server client-config` (no allowSourceAddress: it signs its address).
    const r = await alice.run(lab.client, [
      'open',
      'ssh',
      '--host',
      lab.server.ipv4,
      '--allow-ip',
      lab.client.ipv4,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await relay.done).toBe('ready\ncopy-sent\noriginal-sent\n');
    // The router's copy arrived first and was granted, but for the signed address, not the router's.
    const accepted = await spa.waitForLog((l) => l.event === 'knock.accepted' && l.client === 'alice');
    expect(accepted).toMatchObject({ src: lab.router.ipv4, addresses: [lab.client.ipv4] });
    // The real knock, late, is a replay: refused by the daemon, or dropped by the kernel's knock gate
    // once the granted copy's tag and nonce reached it (a few tens of milliseconds after the grant).
    const refusedAsReplay = async (): Promise<boolean> =>
      count((x) => x.event === 'knock.refused' && x.reason === 'replay') > replays ||
      ((await kernelDrops(lab.server)).replay ?? 0) > (kernelBefore.replay ?? 0);
    const deadline = Date.now() + 5000;
    while (!(await refusedAsReplay()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await refusedAsReplay()).toBe(true);
    expect(await probeTcp(lab.router, lab.server.ipv4, SSH, 400)).toBe('filtered');
    expect(await probeTcp(lab.client, lab.server.ipv4, SSH)).toBe('open');
  });

  it('with a client in source mode, neither the router nor the client keeps a usable grant', async () => {
    const relay = await armRelay();
    const knock = spa.knock({}, { client: 'nas' }); // names no address: source mode
    const dups = count((l) => l.event === 'knock.duplicate');
    await spa.send(lab.client, knock);
    expect(await relay.done).toBe('ready\ncopy-sent\noriginal-sent\n');
    const dup = await spa.waitForLog(
      (l) => l.event === 'knock.duplicate' && count((x) => x.event === 'knock.duplicate') > dups,
    );
    expect(dup).toMatchObject({ client: 'nas', src: lab.client.ipv4, opened: lab.router.ipv4 });
    expect(await probeTcp(lab.router, lab.server.ipv4, SSH, 400)).toBe('filtered');
    // The client's address was never opened for nas (and alice's grant is a different address's).
    const status = spa.logs().filter((l) => l.event === 'knock.accepted' && l.client === 'nas');
    expect(status.map((l) => l.addresses)).toEqual([[lab.router.ipv4]]);
  });
});
