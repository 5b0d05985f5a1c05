/** The GitHub Action's bundled entry points, run as a runner runs them (INPUT_*, GITHUB_STATE/GITHUB_OUTPUT, STATE_*), against a real server. */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { createLab, type Host, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { KNOCK_PORT, type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, 'action/dist/main.cjs');
const POST = join(ROOT, 'action/dist/post.cjs');
const TCP_SERVICE = agentPath('tcp-service.mjs');
const PORT = 2222;
/** Opened by the request but nothing listens there: --wait never sees it open, so main fails. */
const DEAD_PORT = 2223;

/** Parses the NAME<<DELIMITER … DELIMITER blocks of a GITHUB_OUTPUT/GITHUB_STATE file. */
function parseCommandFile(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([\w-]+)<<(\S+)$/.exec(lines[i]!);
    if (!match) continue;
    const end = lines.indexOf(match[2]!, i + 1);
    entries[match[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return entries;
}

describe('the GitHub Action (action.yml) against spa-server in a lab', () => {
  let lab: Lab;
  let server: Host;
  let runner: Host;
  let spa: ServerProcess;
  let service: ResultPromise;
  let work: string;
  let privateKey: string;

  beforeAll(async () => {
    lab = await createLab(['server', 'runner']);
    server = lab.host('server');
    runner = lab.host('runner');
    spa = await startServerProcess({
      host: server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}`, extra: `tcp/${DEAD_PORT}` },
      config: { maxDuration: 120 },
    });
    service = server.exec(process.execPath, [TCP_SERVICE, String(PORT)], { reject: false });
    await spa.waitForLog((l) => l.event === 'daemon.listening');
    work = await mkdtemp(join(tmpdir(), 'spa-action-'));
    privateKey = await readFile(spa.clients[0]!.keyFile, 'utf8');
  });

  afterAll(async () => {
    service?.kill();
    await spa?.stop();
    await spa?.cleanup();
    await lab?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** One job: a fresh runner temp dir, the step's inputs as the runner passes them. */
  async function startJob(name: string, services: string) {
    const dir = join(work, name);
    const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_STATE: join(dir, 'state') };
    await execa('mkdir', ['-p', join(dir, 'home')]);
    for (const file of Object.values(files)) await writeFile(file, '');
    const env: Record<string, string> = {
      PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: join(dir, 'home'),
      GITHUB_ACTIONS: 'true',
      ...files,
      INPUT_HOST: server.ipv4,
      'INPUT_SERVER-KEY': spa.serverPublicKey,
      'INPUT_PRIVATE-KEY': privateKey,
      INPUT_SERVICES: services,
      INPUT_DURATION: '60',
      'INPUT_ALLOW-IP': '',
      'INPUT_SPA-PORT': String(KNOCK_PORT),
      INPUT_TIMEOUT: '3',
    };
    const step = async (entry: string, extra: Record<string, string> = {}) => {
      const r = await runner.exec(process.execPath, [entry], {
        env: { ...env, ...extra },
        extendEnv: false,
        reject: false,
      });
      return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
    };
    return {
      main: () => step(MAIN),
      /** Post gets what main saved as STATE_<name>, as the runner does. */
      post: async () => {
        const saved = parseCommandFile(await readFile(files.GITHUB_STATE, 'utf8'));
        const state = Object.fromEntries(Object.entries(saved).map(([k, v]) => [`STATE_${k}`, v]));
        return step(POST, state);
      },
      outputs: async () => parseCommandFile(await readFile(files.GITHUB_OUTPUT, 'utf8')),
      saved: async () => parseCommandFile(await readFile(files.GITHUB_STATE, 'utf8')),
    };
  }

  const keyLine = () => privateKey.split('\n').find((l) => l.startsWith('spa-ed25519-private:'))!;

  it('main opens the port for the runner, a later step connects, post closes it', async () => {
    expect(await probeTcp(runner, server.ipv4, PORT)).toBe('filtered');
    const job = await startJob('success', `tcp/${PORT}`);
    const main = await job.main();
    expect(main.exitCode, main.stdout + main.stderr).toBe(0);
    // The key is masked before anything else is printed, and appears nowhere else.
    expect(main.stdout.split('\n')[0]).toBe(`::add-mask::${keyLine()}`);
    expect(main.stdout.split(keyLine())).toHaveLength(2);
    expect(main.stderr).not.toContain(keyLine().split(':')[1]);
    // The client's default signs the runner's own address (same scope as the server's, in the lab).
    expect(await job.outputs()).toEqual({ addresses: runner.ipv4, 'server-address': server.ipv4 });
    // Post reads the key from its input again: it is in no file the runner keeps.
    expect(JSON.stringify(await job.saved())).not.toContain(keyLine().split(':')[1]);

    // The job's next step: a real TCP connection from the runner.
    expect(await probeTcp(runner, server.ipv4, PORT)).toBe('open');

    const post = await job.post();
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    expect(post.stdout).toContain('close tcp/2222');
    expect(post.stdout.split(keyLine())).toHaveLength(2);
    await spa.waitForLog((l) => l.event === 'knock.closed' && l.src === runner.ipv4);
    expect(await probeTcp(runner, server.ipv4, PORT)).toBe('filtered');
  });

  it('when main fails after knocking (a port never opens), post still closes what the knock opened', async () => {
    const job = await startJob('failed', `tcp/${PORT} tcp/${DEAD_PORT}`);
    const main = await job.main();
    expect(main.exitCode).toBe(1);
    expect(main.stdout).toMatch(/^::error::spa-client open failed \(WAIT_TIMEOUT, exit 75\)/m);
    // The knock did open tcp/2222: left alone, it would stay open for the grant's 60 s.
    expect(await probeTcp(runner, server.ipv4, PORT)).toBe('open');

    const post = await job.post();
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
    expect(await probeTcp(runner, server.ipv4, PORT)).toBe('filtered');
  });

  it('with a missing input, main fails with one line naming it, and post has nothing to close', async () => {
    const job = await startJob('no-services', '');
    const main = await job.main();
    expect(main.exitCode).toBe(1);
    expect(main.stdout).toContain('::error::input "services" is required');
    const post = await job.post();
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain('nothing to close');
  });

  it('action.yml declares the inputs the entry points read and runs the bundles tested here', async () => {
    const yml = await readFile(join(ROOT, 'action.yml'), 'utf8');
    const section = (name: string) => {
      const body = yml.slice(yml.indexOf(`\n${name}:\n`) + name.length + 3);
      return body.slice(0, body.search(/\n\S/));
    };
    const keys = (text: string) => [...text.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]);
    expect(keys(section('inputs'))).toEqual([
      'host',
      'server-key',
      'private-key',
      'services',
      'duration',
      'allow-ip',
      'spa-port',
      'timeout',
    ]);
    expect(keys(section('outputs'))).toEqual(['addresses', 'server-address']);
    expect(section('runs')).toContain('main: action/dist/main.cjs');
    expect(section('runs')).toContain('post: action/dist/post.cjs');
    expect(section('runs')).toContain('post-if: always()');
  });

  it('action/dist is what the sources build', async () => {
    const check = await execa(process.execPath, [join(ROOT, 'scripts/build-action.mjs'), '--check'], {
      reject: false,
    });
    expect(check.exitCode, check.stderr).toBe(0);
  });
});
