/** A fleet in clientsDir: daemon start, SIGHUP reloads (none and one key changed) and a knock during a reload: `pnpm bench:clients` (root). @module */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab } from 'spa-test-kit/lab/netns';
import { waitForTcp } from 'spa-test-kit/lab/probe';
import { type LogLine, startServerProcess } from 'spa-test-kit/processes/server-process';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const SSH = 2222;
const clientFile = (publicKey: Uint8Array): string =>
  JSON.stringify({
    publicKey: formatPublicKey('client', publicKey),
    services: ['ssh'],
    allowSourceAddress: true,
  });

const lab = await createLab(['server', 'client']);
const dir = await mkdtemp(join(tmpdir(), 'spa-bench-clients-'));
const server = lab.host('server');
const client = lab.host('client');
const service = server.exec(process.execPath, [agentPath('tcp-service.mjs'), String(SSH)], { reject: false });
try {
  const clientsDir = join(dir, 'clients.d');
  await mkdir(clientsDir, { mode: 0o755 });
  for (let i = 0; i < CLIENTS; i++) {
    const { publicKey } = generateKeyPair(nodeBackend, 'client');
    await writeFile(join(clientsDir, `c${i}.json`), clientFile(publicKey), { mode: 0o644 });
  }
  const started = performance.now();
  const spa = await startServerProcess({
    host: server,
    backend: 'nftables',
    services: { ssh: `tcp/${SSH}` },
    clients: [{ name: 'alice' }],
    config: { clientsDir, defaultDuration: 5 },
    readyTimeoutMs: 600_000,
  });
  const startMs = performance.now() - started;
  let reloads = 0;
  const reload = async (): Promise<number> => {
    const nth = ++reloads;
    let seen = 0;
    const done = spa.waitForLog((l: LogLine) => l.event === 'daemon.reloaded' && ++seen === nth, 120_000);
    const t = performance.now();
    await spa.reload();
    await done;
    return performance.now() - t;
  };
  const unchangedMs = await reload();
  await writeFile(join(clientsDir, 'c0.json'), clientFile(generateKeyPair(nodeBackend, 'client').publicKey));
  const oneChangedMs = await reload();
  // A knock sent right after SIGHUP: served while the reload reads the directory.
  await writeFile(join(clientsDir, 'c1.json'), clientFile(generateKeyPair(nodeBackend, 'client').publicKey));
  const during = reload();
  await new Promise((r) => setTimeout(r, 20));
  const knockAt = performance.now();
  await spa.send(client, spa.knock());
  const state = await waitForTcp(client, server.ipv4, SSH, 'open', 5000);
  const knockMs = performance.now() - knockAt;
  const duringMs = await during;
  await spa.stop();
  await spa.cleanup();
  const figures = {
    clients: CLIENTS,
    startToListeningMs: Math.round(startMs),
    reloadUnchangedMs: Math.round(unchangedMs),
    reloadOneChangedMs: Math.round(oneChangedMs),
    reloadWithKnockMs: Math.round(duringMs),
    knockDuringReloadMs: state === 'open' ? Math.round(knockMs) : null,
    loadAverage: (await import('node:os')).loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(JSON.stringify(figures, null, 2));
  const out = join(
    import.meta.dirname,
    'results',
    `${new Date().toISOString().slice(0, 19).replaceAll(':', '-')}Z-clients.json`,
  );
  await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  service.kill();
  await lab.destroy();
  await rm(dir, { recursive: true, force: true });
}
