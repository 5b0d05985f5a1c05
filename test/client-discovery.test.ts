/** The client's default address choice when its address and the server's are in different scopes: discovery over HTTPS (test CA) or two STUN servers, in a lab. */
import type { ResultPromise } from 'execa';
import { type AgentName, agentPath } from 'spa-test-kit/agents/agent-path';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { createTestCa, type TestCa } from 'spa-test-kit/lab/test-ca';
import { waitForOutput } from 'spa-test-kit/lab/wait-output';
import { type ClientHome, createClientHome, setNamespaceEtc } from 'spa-test-kit/processes/client-process';
import { startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const lib = (name: AgentName): string => agentPath(name);
const SSH = 2222;
const STUN_PORT = 3478;
/** The client's "public" address: a documentation address, global in scope, on its interface. */
const PUBLIC = '198.51.100.2';
const DUAL = 'spa-dual.test';

describe('spa-client default address choice across scopes (nftables)', () => {
  const env = useLabScenario();
  let alice: ClientHome;
  let ca: TestCa;
  let echoUrl: string;
  let removeEtc: () => Promise<void>;
  const children: ResultPromise[] = [];

  const run = (args: readonly string[]) =>
    alice.run(env.client, ['open', 'ssh', '--host', env.server.ipv4, ...args]);
  const knockEvents = (): number => env.spa.logs().filter((l) => l.event.startsWith('knock.')).length;

  beforeAll(async () => {
    // The client leaves with a global address towards the lab's private one: as a host with a
    // public address reaching a server on a private network would. Replies find their way back.
    const subnet = `${env.server.ipv4.split('.').slice(0, 3).join('.')}.0/24`;
    await env.client.exec('ip', ['addr', 'add', `${PUBLIC}/32`, 'dev', 'eth0']);
    await env.client.exec('ip', ['route', 'replace', subnet, 'dev', 'eth0', 'src', PUBLIC]);
    for (const host of [env.server, env.outsider])
      await host.exec('ip', ['route', 'add', `${PUBLIC}/32`, 'dev', 'eth0']);

    ca = await createTestCa([env.outsider.ipv4]);
    const start = (script: AgentName, args: readonly string[]): ResultPromise => {
      const child = env.outsider.exec(process.execPath, [lib(script), ...args], { reject: false });
      children.push(child);
      return child;
    };
    const service = env.server.exec(process.execPath, [lib('tcp-service.mjs'), String(SSH)], {
      reject: false,
    });
    children.push(service);
    const started = [
      service,
      start('https-echo.mjs', [
        '--cert',
        ca.certFile,
        '--key',
        ca.keyFile,
        '--port',
        '8443',
        '--host',
        env.outsider.ipv4,
      ]),
      start('stun-responder.mjs', ['--port', String(STUN_PORT)]),
      start('stun-responder.mjs', ['--port', String(STUN_PORT + 1)]),
      start('stun-responder.mjs', ['--port', String(STUN_PORT + 2), '--answer', '203.0.113.66']),
    ];
    await Promise.all(started.map((child) => waitForOutput(child, 'stdout', 'listening')));
    echoUrl = `https://${env.outsider.ipv4}:8443/ip`;
    env.spa = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      config: { defaultDuration: 3, maxDuration: 5, timestampWindow: 10, log: { level: 'info' } },
    });
    alice = await createClientHome(env.spa, env.server.ipv4);
    removeEtc = await setNamespaceEtc(env.client, `${env.server.ipv4} ${DUAL}\n${env.server.ipv6} ${DUAL}\n`);
  });

  afterAll(async () => {
    for (const child of children) child.kill();
    await alice?.cleanup();
    await ca?.cleanup();
    await removeEtc?.();
  });

  it('without discovery configured, the default refuses before sending: exit 78, one line', async () => {
    const before = knockEvents();
    const r = await run(['--json']);
    expect(r.exitCode).toBe(78);
    expect(r.stderr).toBe(
      `spa-client: this machine's ${PUBLIC} and the server's ${env.server.ipv4} are in different scopes (a NAT between them?): configure discovery (--discover https://URL, or "discover" in the profile) or pass --allow-ip ADDRESS or --allow-ip source\n`,
    );
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'DISCOVERY_UNCONFIGURED', exitCode: 78 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(knockEvents()).toBe(before);
  });

  it('--discover https://… with the test CA: signs the address the echo reports, and the port opens for it', async () => {
    const r = await run([
      '--discover',
      echoUrl,
      '--discover-ca',
      ca.caFile,
      '--wait',
      '--timeout',
      '5',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).request).toMatchObject({
      allowIp: ['default'],
      addresses: [PUBLIC],
      addressSources: [{ address: PUBLIC, via: echoUrl }],
    });
    expect(r.stderr).toBe(`spa-client: signing ${PUBLIC} (from ${echoUrl})\n`);
    const accepted = await env.spa.waitForLog((l) => l.event === 'knock.accepted' && l.src === PUBLIC);
    expect(accepted.addresses).toEqual([PUBLIC]);
    expect(await probeTcp(env.outsider, env.server.ipv4, SSH)).toBe('filtered');
    await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4, '--allow-ip', PUBLIC]);
    expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', 2000)).toBe('filtered');
  });

  it('an echo whose certificate no trusted CA signed: exit 69, nothing sent', async () => {
    const before = knockEvents();
    const r = await run(['--discover', echoUrl]);
    expect(r.exitCode).toBe(69);
    expect(r.stderr).toMatch(
      new RegExp(`^spa-client: ${echoUrl} \\(IPv4\\): .*(SELF_SIGNED|UNABLE_TO_VERIFY|unable to verify)`),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(knockEvents()).toBe(before);
  });

  it('two agreeing STUN servers from the profile: the address they report is signed', async () => {
    const profile = `${alice.home}/stun.json`;
    const { readFile, writeFile } = await import('node:fs/promises');
    const pasted = JSON.parse(await readFile(`${alice.home}/.config/spa/config.json`, 'utf8'));
    pasted.hosts[env.server.ipv4].discover = [
      `stun=${env.outsider.ipv4}:${STUN_PORT}`,
      `stun=${env.outsider.ipv4}:${STUN_PORT + 1}`,
    ];
    await writeFile(profile, JSON.stringify(pasted));
    const r = await run(['--config', profile, '--wait', '--timeout', '5', '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).request.addressSources).toEqual([
      {
        address: PUBLIC,
        via: `stun=${env.outsider.ipv4}:${STUN_PORT} + stun=${env.outsider.ipv4}:${STUN_PORT + 1}`,
      },
    ]);
    await alice.run(env.client, ['close', 'ssh', '--host', env.server.ipv4, '--allow-ip', PUBLIC]);
    expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'filtered', 2000)).toBe('filtered');
  });

  it('two STUN servers that disagree: exit 76, nothing sent, nothing opened', async () => {
    const before = knockEvents();
    const r = await run([
      '--discover',
      `stun=${env.outsider.ipv4}:${STUN_PORT},stun=${env.outsider.ipv4}:${STUN_PORT + 2}`,
    ]);
    expect(r.exitCode).toBe(76);
    expect(r.stderr).toMatch(/disagree .* says 198.51.100.2, .* says 203.0.113.66\): signing neither/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(knockEvents()).toBe(before);
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
  });

  it('dual stack: the family in the same scope is signed and used, the other is skipped with a note', async () => {
    const r = await alice.run(env.client, [
      'open',
      `tcp/${SSH}`,
      '--host',
      DUAL,
      '--server-key',
      env.spa.serverPublicKey,
      '--key',
      `${alice.home}/.config/spa/alice.key`,
      '--wait',
      '--timeout',
      '5',
      '--json',
      '--verbose',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    // IPv6 is private on both ends (one ULA network): its route address is signed, and the knock
    // and the probe go over IPv6, whatever order the resolver gives.
    expect(report.request.addressSources).toEqual([{ address: env.client.ipv6, via: 'route' }]);
    expect(report.packets.map((p: { to: string }) => p.to)).toEqual([env.server.ipv6]);
    expect(report.wait.ports[0]).toMatchObject({ address: env.server.ipv6, lastState: 'open' });
    expect(r.stderr).toContain(
      `spa-client: not signed: this machine's ${PUBLIC} and the server's ${env.server.ipv4} are in different scopes and no discovery is configured`,
    );
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
  });
});
