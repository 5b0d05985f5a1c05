/** Clients from a directory of files against the real daemon and nftables: added on SIGHUP, removed on SIGHUP, on a change when watched, and a restart on the clients-dir cache. */
import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPublicKey } from 'spa-protocol';
import { waitForTcp } from 'spa-test-kit/lab/probe';
import type { LogLine } from 'spa-test-kit/processes/server-process';
import { startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SSH = 2222;
const GRANT_SECONDS = 2;

describe('clientsDir with the nftables knock gate', () => {
  const env = useLabScenario({ tcpServices: [SSH] });
  let dir: string;
  let reloads = 0;

  /** Writes NAME.json for one of the server's generated clients, as a configuration tool would. */
  const addClientFile = async (name: string): Promise<void> => {
    const client = env.spa!.clients.find((c) => c.name === name)!;
    const entry = {
      publicKey: formatPublicKey('client', client.publicKey),
      services: ['ssh'],
      allowSourceAddress: true,
    };
    // Written beside and renamed, the way such tools replace a file: the loader skips the dotfile.
    await writeFile(join(dir, `.${name}.json.tmp`), JSON.stringify(entry), { mode: 0o644 });
    await writeFile(join(dir, `${name}.json`), JSON.stringify(entry), { mode: 0o644 });
    await unlink(join(dir, `.${name}.json.tmp`));
  };
  /** The next daemon.reloaded line, with the number of clients it reports. */
  const nextReload = async (): Promise<LogLine> => {
    const nth = ++reloads;
    let seen = 0;
    return env.spa!.waitForLog((l) => l.event === 'daemon.reloaded' && ++seen === nth, 10_000);
  };
  const knock = (name: string) => env.spa!.send(env.client, env.spa!.knock({}, { client: name }));
  const portState = (want: 'open' | 'filtered', ms: number) =>
    waitForTcp(env.client, env.server.ipv4, SSH, want, ms);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'spa-clients-d-'));
    env.spa = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${SSH}` },
      // Keys for three clients; none in server.json: every client comes from the directory.
      clients: [{ name: 'alice' }, { name: 'bob' }, { name: 'carol' }],
      config: { clients: [], clientsDir: dir, defaultDuration: GRANT_SECONDS },
    });
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a client added as a file knocks after SIGHUP; a removed one no longer can', async () => {
    // Not yet configured: the kernel's gate drops the knock.
    await knock('alice');
    expect(await portState('open', 1500)).toBe('filtered');

    await addClientFile('alice');
    await addClientFile('bob');
    const reload = nextReload();
    await env.spa!.reload();
    expect((await reload).clients).toBe(2);
    await knock('alice');
    expect(await portState('open', 3000)).toBe('open');
    expect(await portState('filtered', (GRANT_SECONDS + 3) * 1000)).toBe('filtered');

    await unlink(join(dir, 'alice.json'));
    const removed = nextReload();
    await env.spa!.reload();
    expect((await removed).clients).toBe(1);
    await knock('alice');
    expect(await portState('open', 1500)).toBe('filtered');
    // The one still in the directory is unaffected.
    await knock('bob');
    expect(await portState('open', 3000)).toBe('open');
    expect(env.spa!.logs().filter((l) => l.event === 'config.reload-failed')).toEqual([]);
  });

  it('with watchClientsDir, a new file is picked up without a signal', async () => {
    const config = JSON.parse(await readFile(env.spa!.configPath, 'utf8'));
    await writeFile(env.spa!.configPath, JSON.stringify({ ...config, watchClientsDir: true }));
    const switched = nextReload();
    await env.spa!.reload();
    await switched;
    expect(await portState('filtered', (GRANT_SECONDS + 3) * 1000)).toBe('filtered');

    const watched = nextReload();
    await addClientFile('carol');
    expect((await watched).clients).toBe(2);
    await knock('carol');
    expect(await portState('open', 3000)).toBe('open');
  });

  it('a restart takes unchanged files from the clients-dir cache and reads a file changed while stopped', async () => {
    // A file changed less than 2 s before a read is read again next time, never vouched for by its
    // stamp (the file-system clock's tick): once the files are older, a reload records them.
    await new Promise((r) => setTimeout(r, 2100));
    const reloaded = nextReload();
    await env.spa!.reload();
    await reloaded;
    await env.spa!.stop();
    // bob.json now holds alice's key: a restart that took bob.json from the cache would keep bob's.
    const alice = env.spa!.clients.find((c) => c.name === 'alice')!;
    const entry = {
      publicKey: formatPublicKey('client', alice.publicKey),
      services: ['ssh'],
      allowSourceAddress: true,
    };
    await writeFile(join(dir, 'bob.json'), JSON.stringify(entry), { mode: 0o644 });
    env.spa = await startServerProcess({ host: env.server, backend: 'nftables', reuse: env.spa! });
    reloads = 0;
    const cached = env.spa.logs().find((l) => l.event === 'dircache.loaded');
    expect(cached?.files).toBe(2);
    expect(env.spa.logs().filter((l) => l.event === 'dircache.ignored')).toEqual([]);
    await env.spa.waitForLog((l) => l.event === 'knockgate.ready' || l.event === 'daemon.listening', 5000);
    expect(await portState('filtered', (GRANT_SECONDS + 3) * 1000)).toBe('filtered');
    await knock('bob');
    expect(await portState('open', 1500)).toBe('filtered');
    await knock('alice');
    expect(await portState('open', 3000)).toBe('open');
    expect(await portState('filtered', (GRANT_SECONDS + 3) * 1000)).toBe('filtered');
    await knock('carol');
    expect(await portState('open', 3000)).toBe('open');
  });
});
