/** The single-file executables (dist/spa-*-linux-x64): no Node on the target, a knock through them in namespaces, checksums. */

import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { ARTIFACTS, DIST, ensureArtifacts } from 'spa-test-kit/build/artifacts';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { beforeAll, describe, expect, it } from 'vitest';

const SSH = 2222;
// No node on PATH (it lives in /usr/bin or /usr/local/bin): the executables must not need one.
// /usr/sbin:/sbin only for `ip netns exec`, which runs them in a namespace.
const BARE_ENV = { PATH: '/usr/sbin:/sbin' };

describe('single-file executables (linux-x64)', () => {
  const env = useLabScenario({ tcpServices: [SSH] });

  beforeAll(async () => {
    await ensureArtifacts();
    env.spa = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      bin: ARTIFACTS.serverBin,
      services: { ssh: `tcp/${SSH}` },
      config: { defaultDuration: 5, maxDuration: 10 },
    });
  }, 900_000);

  it('print their version with no node anywhere on PATH', async () => {
    for (const [bin, expected] of [
      [ARTIFACTS.serverBin, /^0\.1\.0$/],
      [ARTIFACTS.clientBin, /^spa-client 0\.1\.0$/],
    ] as const) {
      const r = await execa(bin, ['--version'], { env: BARE_ENV, extendEnv: false });
      expect(r.stdout.trim()).toMatch(expected);
      expect(r.stderr).toBe('');
    }
  });

  it('the spa-server executable runs the daemon (nftables) and the spa-client executable knocks it open', async () => {
    expect(await probeTcp(env.client, env.server.ipv4, SSH)).toBe('filtered');
    const alice = env.spa.clients[0]!;
    const r = await env.client.exec(
      ARTIFACTS.clientBin,
      [
        'open',
        'tcp/2222',
        '--host',
        env.server.ipv4,
        '--server-key',
        env.spa.serverPublicKey,
        '--key',
        alice.keyFile,
      ],
      { env: BARE_ENV, extendEnv: false, reject: false },
    );
    // The client says which address it signs (the route's own, in the lab), and nothing else.
    expect(r.stderr).toBe(`spa-client: signing ${env.client.ipv4} (route)`);
    expect(r.exitCode).toBe(0);
    await env.spa.waitForLog((l) => l.event === 'knock.accepted' && l.src === env.client.ipv4);
    expect(await waitForTcp(env.client, env.server.ipv4, SSH, 'open')).toBe('open');
    expect(await probeTcp(env.outsider, env.server.ipv4, SSH)).toBe('filtered');
  });

  it('SHA256SUMS beside the binaries matches every artifact', async () => {
    const sums = await readFile(ARTIFACTS.sums, 'utf8');
    for (const name of ['spa-server-linux-x64', 'spa-client-linux-x64', 'spa-server_0.1.0_amd64.deb']) {
      expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${name.replaceAll('.', '\\.')}$`, 'm'));
    }
    const check = await execa('sha256sum', ['--check', '--strict', 'SHA256SUMS'], {
      cwd: DIST,
      reject: false,
    });
    expect(check.stderr).toBe('');
    expect(check.exitCode).toBe(0);
  });
});
