/** scripts/setup.sh on a machine whose Node is too old (Debian 12's 18): it fetches Node 24 into the project and finishes with it. */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Fetching two Node binaries and installing the workspace: longer than the kernel tests, still bounded.
const SETUP_TIMEOUT_MS = 150_000;

describe('setup.sh with Node 18 first on PATH', () => {
  let work: string;
  let repo: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'spa-setup-'));
    // A copy of the checkout's files (committed or not, never its node_modules or builds), so the
    // install below cannot disturb the checkout the other tests run from.
    repo = join(work, 'repo');
    const { stdout } = await execa('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
    });
    for (const file of stdout.split('\0').filter(Boolean)) {
      await cp(join(ROOT, file), join(repo, file), { recursive: true, preserveTimestamps: true }).catch(
        (error: NodeJS.ErrnoException) => {
          // A file deleted in the working tree but still in the index.
          if (error.code !== 'ENOENT') throw error;
        },
      );
    }
    const fetched = await execa('bash', [join(ROOT, 'scripts/fetch-node.sh'), '18', join(work, 'node18')], {
      env: { npm_config_prefer_offline: 'true' },
    });
    const node18Dir = join(fetched.stdout.trim(), '..');
    env = {
      PATH: `${node18Dir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: process.env.HOME ?? '/root',
      // The registry is still asked for what is not cached; cached packages are not re-validated.
      npm_config_prefer_offline: 'true',
      CI: 'true',
    };
    expect((await execa('node', ['--version'], { env, extendEnv: false })).stdout).toMatch(/^v18\./);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it(
    'fetches Node 24 into .node24/, leaves the system Node alone, and builds the CLIs with it',
    async () => {
      const setup = await execa('bash', [join(repo, 'scripts/setup.sh')], {
        env,
        extendEnv: false,
        reject: false,
        all: true,
      });
      expect(setup.exitCode, setup.all).toBe(0);
      expect(setup.all).toMatch(/Node >= 20\.19 is required \(found v18\.[\d.]+\): using Node 24/);
      expect(setup.all).toMatch(/setup: ready \(node v24\./);
      const node24 = join(repo, '.node24/bin/node');
      expect((await execa(node24, ['--version'])).stdout).toMatch(/^v24\./);
      // The built client runs, and its code cache was made by the Node that built it.
      const client = await execa(node24, [join(repo, 'packages/spa-client/bin/spa-client.js'), '--version']);
      expect(client.stdout).toBe(
        `spa-client ${JSON.parse(await readFile(join(repo, 'packages/spa-client/package.json'), 'utf8')).version}`,
      );
      // Node 18 is still what the PATH outside setup finds.
      expect((await execa('node', ['--version'], { env, extendEnv: false })).stdout).toMatch(/^v18\./);
    },
    SETUP_TIMEOUT_MS,
  );
});
