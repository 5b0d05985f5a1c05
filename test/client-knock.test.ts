/** spa-client against the real spa-server and nftables in a lab: open/--wait, close, connect, refusals, STUN, dual stack. */

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { nodeBackend, writeNewKeyFile } from 'spa-node';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { spaKeys } from 'spa-test-kit/build/spa-fixture';
import { staleButTagged } from 'spa-test-kit/build/stale-timestamp';
import { kernelDrops, waitForKernelDrop } from 'spa-test-kit/lab/kernel-drops';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { waitForOutput } from 'spa-test-kit/lab/wait-output';
import { type ClientHome, createClientHome, setNamespaceEtc } from 'spa-test-kit/processes/client-process';
import { SERVER_BIN, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const STUN_RESPONDER = agentPath('stun-responder.mjs');
const SSH = 2222;
const STUN_PORT = 3478;
const DUAL = 'spa-dual.test';

describe('spa-client against spa-server (nftables)', () => {
  const env = useLabScenario({ tcpServices: [SSH] });
  let alice: ClientHome;
  let stun: ResultPromise;
  let stun2: ResultPromise;
  let natStun: ResultPromise;
  let natStun2: ResultPromise;
  let removeEtc: () => Promise<void>;

  beforeAll(async () => {
    // Two "public" STUN servers on the outsider, and two that answer as behind a NAT: the outsider's address.
    const responder = (port: number, extra: string[] = []): ResultPromise =>
      env.outsider.exec(process.execPath, [STUN_RESPONDER, '--port', String(port), ...extra], {
        reject: false,
      });
    stun = responder(STUN_PORT);
    stun2 = responder(STUN_PORT + 2);
    natStun = responder(STUN_PORT + 1, ['--answer', env.outsider.ipv4]);
    natStun2 = responder(STUN_PORT + 3, ['--answer', env.outsider.ipv4]);
    // The waits attach at once: output printed while nobody listens is not replayed.
    await Promise.all(
      [stun, stun2, natStun, natStun2].map((child) => waitForOutput(child, 'stdout', 'listening')),
    );
    env.spa = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      config: {
        defaultDuration: 3,
        maxDuration: 5,
        timestampWindow: 10,
        log: { level: 'info', refusalsPerSecond: 1000 },
      },
    });
    alice = await createClientHome(env.spa, env.server.ipv4);
    removeEtc = await setNamespaceEtc(env.client, `${env.server.ipv6} ${DUAL}\n${env.server.ipv4} ${DUAL}\n`);
  });

  afterAll(async () => {
    for (const child of [stun, stun2, natStun, natStun2]) child?.kill();
    await alice?.cleanup();
    await removeEtc?.();
  });

  it('the pasted client-config profile makes `open ssh --host ADDRESS --wait` open the port for this client only, signing the route address', async () => {
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
    const r = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--wait',
      '--timeout',
      '5',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // No --allow-ip: both ends are private (one LAN), so the route's local address is signed.
    expect(report).toMatchObject({
      profile: env.server.ipv4,
      request: {
        access: ['ssh'],
        allowIp: ['default'],
        addresses: [env.client.ipv4],
        addressSources: [{ address: env.client.ipv4, via: 'route' }],
      },
    });
    expect(r.stderr).toBe(`spa-client: signing ${env.client.ipv4} (route)\n`);
    const accepted = await env.spa.waitForLog(
      (l) => l.event === 'knock.accepted' && l.src === env.client.ipv4,
    );
    expect(accepted.addresses).toEqual([env.client.ipv4]);
    expect(report.wait).toMatchObject({ opened: true, ports: [{ port: SSH, lastState: 'open' }] });
    expect(report.wait.ports[0].openAfterMs).toBeLessThan(2000);
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
    expect(await probeTcp(env.outsider, env.server.ipv4, SSH)).toBe('filtered');
  });

  it('close removes the access at once', async () => {
    const r = await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4]);
    expect(r.exitCode, r.stderr).toBe(0);
    await env.spa.waitForLog((l) => l.event === 'knock.closed' && l.src === env.client.ipv4);
    expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', 2000)).toBe('filtered');
  });

  it('profile add merges client-config output into a profile file; --time-offset moves the signed time', async () => {
    const file = join(alice.home, 'profiles.json');
    const printed = await execa(SERVER_BIN, [
      'client-config',
      'alice',
      '--config',
      env.spa.configPath,
      '--host',
      env.server.ipv4,
    ]);
    const add = await alice.run(env.client, ['profile', 'add', '-c', file], { input: printed.stdout });
    expect(add.exitCode, add.stderr).toBe(0);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const again = await alice.run(env.client, ['profile', 'add', '-c', file], { input: printed.stdout });
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toMatch(/--force/);
    const open = ['open', 'ssh', '--host', env.server.ipv4, '-c', file];
    // Outside the 10 s window, yet inside an epoch whose tags the server holds: refused as stale (not
    // dropped by the kernel as an unknown tag), and nothing opens. Whole seconds, rounded towards now.
    const offset = Math.ceil(((await staleButTagged(10)) - Date.now()) / 1000);
    const late = await alice.run(env.client, [
      ...open,
      '--time-offset',
      `${offset}s`,
      '--wait',
      '--timeout',
      '2',
    ]);
    expect(late.exitCode).toBe(75);
    await env.spa.waitForLog((l) => l.event === 'knock.refused' && l.reason === 'stale');
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
    // A few seconds ahead stays inside the window: the knock through the added profile opens.
    const ahead = await alice.run(env.client, [...open, '--time-offset', '+3s', '--wait', '--timeout', '5']);
    expect(ahead.exitCode, ahead.stderr).toBe(0);
    await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4, '-c', file]);
    expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', 2000)).toBe('filtered');
  });

  it('connect knocks, waits for the port, relays stdin/stdout with half-close, and exits 0', async () => {
    try {
      const args = ['connect', '--host', env.server.ipv4, '--port', String(SSH), '--timeout', '5'];
      const r = await alice.run(env.client, args, { input: 'ping over the relay\n' });
      expect(r.exitCode, r.stderr).toBe(0);
      // The service greets, echoes what we sent, and closes after our FIN: all of it arrived.
      expect(r.stdout).toBe('hello from the protected service\nping over the relay\n');
      expect(r.stderr).toBe('');
    } finally {
      await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4]);
    }
  });

  it('a wrong server key or an unauthorized key: exit 75 after the timeout, one line naming the likely causes', async () => {
    const other = spaKeys([]).serverKeyText;
    const wrongServer = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--server-key',
      other,
      '--wait',
      '--timeout',
      '1.2',
    ]);
    expect(wrongServer.exitCode).toBe(75);
    // The address signed, then the one line of the error.
    expect(wrongServer.stderr.trim().split('\n')).toEqual([
      `spa-client: signing ${env.client.ipv4} (route)`,
      expect.stringMatching(/^spa-client: tcp\/2222/),
    ]);
    expect(wrongServer.stderr).toMatch(
      /tcp\/2222 \(filtered\) on .* did not open within 1.2 s .* likely causes: clock skew/,
    );

    const stranger = `${alice.home}/stranger.key`;
    await writeNewKeyFile(nodeBackend, 'client', stranger);
    const before = await kernelDrops(env.server);
    const unknown = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--key',
      stranger,
      '--wait',
      '--timeout',
      '1.2',
    ]);
    expect(unknown.exitCode).toBe(75);
    // Its tag is no client's: the kernel's knock gate dropped it before the daemon read it.
    await waitForKernelDrop(env.server, 'unknown-client', before);
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
  });

  it('--allow-ip stun=A,stun=B signs the address two STUN servers agree on: the grant follows it', async () => {
    const own = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--allow-ip',
      `stun=${env.outsider.ipv4}:${STUN_PORT},stun=${env.outsider.ipv4}:${STUN_PORT + 2}`,
      '--wait',
      '--timeout',
      '5',
      '--json',
    ]);
    expect(own.exitCode, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout).request.addresses).toEqual([env.client.ipv4]);
    await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4]);

    // Behind a NAT the STUN server sees the public address; here it answers the outsider's.
    const nat = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--allow-ip',
      `stun=${env.outsider.ipv4}:${STUN_PORT + 1},stun=${env.outsider.ipv4}:${STUN_PORT + 3}`,
      '--json',
    ]);
    expect(nat.exitCode, nat.stderr).toBe(0);
    expect(JSON.parse(nat.stdout).request.addresses).toEqual([env.outsider.ipv4]);
    expect(await waitForTcp(env.outsider, env.server.ipv4, SSH, 'open', 3000)).toBe('open');
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
    await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4, '--allow-ip', env.outsider.ipv4]);
    expect(await waitForTcp(env.outsider, env.server.ipv4, SSH, 'filtered', 2000)).toBe('filtered');
  });

  it('one of two STUN servers never answers: exit 69, one line, nothing signed on one answer alone', async () => {
    const r = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--allow-ip',
      `stun=${env.outsider.ipv4}:9,stun=${env.outsider.ipv4}:${STUN_PORT}`,
    ]);
    expect(r.exitCode).toBe(69);
    expect(r.stderr).toMatch(/^spa-client: STUN server .*:9 \(IPv4\): no answer after 3 requests\n$/);
  });

  it('two STUN servers that disagree: exit 76 naming both answers, nothing sent, nothing opened', async () => {
    const before = env.spa.logs().filter((l) => l.event.startsWith('knock.')).length;
    const r = await alice.run(env.client, [
      'open',
      'ssh',
      '--host',
      env.server.ipv4,
      '--allow-ip',
      `stun=${env.outsider.ipv4}:${STUN_PORT},stun=${env.outsider.ipv4}:${STUN_PORT + 1}`,
      '--json',
    ]);
    expect(r.exitCode).toBe(76);
    expect(r.stderr).toBe(
      `spa-client: IPv4 discovery sources disagree (stun=${env.outsider.ipv4}:${STUN_PORT} says ${env.client.ipv4}, stun=${env.outsider.ipv4}:${STUN_PORT + 1} says ${env.outsider.ipv4}): signing neither; one of them may be lying\n`,
    );
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'DISCOVERY_CONFLICT', exitCode: 76 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(env.spa.logs().filter((l) => l.event.startsWith('knock.')).length).toBe(before);
    expect(await probeTcp(env.outsider, env.server.ipv4, SSH)).toBe('filtered');
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
  });

  describe('a host name with IPv4 and IPv6 addresses', () => {
    const explicit = (): string[] => [
      '--host',
      DUAL,
      '--server-key',
      env.spa.serverPublicKey,
      '--key',
      `${alice.home}/.config/spa/alice.key`,
    ];

    it('the default: the route address of each family, signed into one knock, so either family connects', async () => {
      const r = await alice.run(env.client, ['open', `tcp/${SSH}`, ...explicit(), '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect([...report.request.addresses].sort()).toEqual([env.client.ipv4, env.client.ipv6].sort());
      expect(report.packets).toHaveLength(1);
      expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'open', 3000)).toBe('open');
      expect(await waitForTcp(env.client, env.server.ipv6, SSH, 'open', 3000)).toBe('open');
      const closed = await alice.run(env.client, ['close', `tcp/${SSH}`, ...explicit()]);
      expect(closed.exitCode, closed.stderr).toBe(0);
      expect(await waitForTcp(env.client, env.server.ipv6, SSH, 'filtered', 2000)).toBe('filtered');
      expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', 2000)).toBe('filtered');
    });

    it('auto: the local address of each family, signed into one knock', async () => {
      const r = await alice.run(env.client, [
        'open',
        `tcp/${SSH}`,
        ...explicit(),
        '--allow-ip',
        'auto',
        '--wait',
        '--json',
      ]);
      expect(r.exitCode, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout);
      expect([...report.request.addresses].sort()).toEqual([env.client.ipv4, env.client.ipv6].sort());
      expect(report.packets).toHaveLength(1);
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('open');
      expect(await probeTcp(env.client, env.server.ipv6, SSH)).toBe('open');
      await alice.run(env.client, ['close', `tcp/${SSH}`, ...explicit(), '--allow-ip', 'auto']);
    });

    it('-6 knocks and probes over IPv6 only', async () => {
      const r = await alice.run(env.client, ['open', `tcp/${SSH}`, ...explicit(), '-6', '--wait', '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      for (const packet of JSON.parse(r.stdout).packets)
        expect(packet).toMatchObject({ to: env.server.ipv6, family: 6 });
      expect(await probeTcp(env.client, env.server.ipv6, SSH)).toBe('open');
      expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
    });
  });

  it('a name that does not resolve exits 68 (the resolver here is loopback: nothing leaves the lab)', async () => {
    const r = await alice.run(env.client, [
      'open',
      `tcp/${SSH}`,
      '--host',
      'no-such-host.invalid',
      '--server-key',
      env.spa.serverPublicKey,
      '--key',
      `${alice.home}/.config/spa/alice.key`,
    ]);
    expect(r.exitCode).toBe(68);
    expect(r.stderr).toMatch(/^spa-client: cannot resolve no-such-host.invalid: /);
  });
});
