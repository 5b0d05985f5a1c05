/** Supply chain: every runtime dependency is in README.md's "Dependencies" with a reason, its counts are true, and CI installs the committed lock file. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = ['spa-protocol', 'spa-config', 'spa-node', 'spa-server', 'spa-client'] as const;
type Package = (typeof PACKAGES)[number];

interface Documented {
  readonly counts: Map<string, { direct: number; total: number }>;
  readonly listed: Map<string, string[]>;
}

/** The README section: the counts table, then one `pkg`: table per package. */
async function documented(): Promise<Documented> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Dependencies\n');
  expect(start, 'README.md has a "## Dependencies" section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  const lines = readme.slice(start, end === -1 ? undefined : end).split('\n');
  const counts = new Map<string, { direct: number; total: number }>();
  const listed = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    const count = /^\| `([\w-]+)`\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$/.exec(line);
    const heading = /^`([\w-]+)`:$/.exec(line);
    const row = /^\| `([^`]+)`\s*\|\s*\S/.exec(line);
    if (count) counts.set(count[1]!, { direct: Number(count[2]), total: Number(count[3]) });
    else if (heading) {
      current = [];
      listed.set(heading[1]!, current);
    } else if (row && current) current.push(row[1]!);
  }
  return { counts, listed };
}

async function manifest(pkg: Package): Promise<Record<string, string>> {
  const json = JSON.parse(await readFile(join(ROOT, 'packages', pkg, 'package.json'), 'utf8'));
  return json.dependencies ?? {};
}

interface Listed {
  readonly version?: string;
  readonly dependencies?: Record<string, Listed>;
}

/** Third-party packages a package pulls in at run time, each name@version once (workspace links excluded). */
async function transitive(pkg: Package): Promise<Set<string>> {
  const { stdout } = await execa(
    'pnpm',
    ['list', '--prod', '--depth', 'Infinity', '--json', '--filter', pkg],
    { cwd: ROOT },
  );
  const [root] = JSON.parse(stdout) as Listed[];
  const seen = new Set<string>();
  const walk = (deps: Record<string, Listed> | undefined): void => {
    for (const [name, info] of Object.entries(deps ?? {})) {
      if (!info.version?.startsWith('link:')) seen.add(`${name}@${info.version}`);
      walk(info.dependencies);
    }
  };
  walk(root?.dependencies);
  return seen;
}

describe('runtime dependencies', () => {
  it.each(PACKAGES)('%s: each one is listed with a reason, and nothing else is', async (pkg) => {
    const { listed } = await documented();
    expect(listed.get(pkg)?.sort(), `README.md lists ${pkg}'s dependencies`).toEqual(
      Object.keys(await manifest(pkg)).sort(),
    );
  });

  it.each(PACKAGES)('%s: the counts in README.md are what pnpm installs', async (pkg) => {
    const { counts } = await documented();
    const deps = await manifest(pkg);
    const direct = Object.values(deps).filter((v) => !v.startsWith('workspace:')).length;
    const all = await transitive(pkg);
    expect(counts.get(pkg), [...all].sort().join(', ')).toEqual({ direct, total: all.size });
  });

  it('the lock file is committed, matches every package.json, and CI installs it frozen', async () => {
    const tracked = await execa('git', ['ls-files', '--error-unmatch', 'pnpm-lock.yaml'], {
      cwd: ROOT,
      reject: false,
    });
    expect(tracked.exitCode).toBe(0);
    const setup = await readFile(join(ROOT, 'scripts', 'setup.sh'), 'utf8');
    expect(setup).toMatch(/^pnpm install --frozen-lockfile/m);
    // Refuses (non-zero) when a package.json asks for something the lock file does not pin.
    const frozen = await execa(
      'pnpm',
      ['install', '--frozen-lockfile', '--lockfile-only', '--offline', '--reporter=silent'],
      { cwd: ROOT, reject: false },
    );
    expect(frozen.exitCode, String(frozen.stderr)).toBe(0);
  });
});
