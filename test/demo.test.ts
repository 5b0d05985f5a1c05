/** The demo as a user runs it: every step passes, and it leaves nothing behind, also when interrupted. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { waitForOutput } from 'spa-test-kit/lab/wait-output';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// tsx's loader inside the demo's own node process, not the tsx command: that one runs the demo in
// a child and relays signals to it, and under load it could exit 130 on a Ctrl-C before the demo's
// handler said a word.
const runDemo = (options: { detached?: boolean } = {}) =>
  execa(process.execPath, ['--conditions=source', '--import', 'tsx', 'demo/run.ts'], {
    cwd: ROOT,
    reject: false,
    timeout: 45_000,
    ...options,
  });

describe('the demo (demo/run.ts)', () => {
  it('passes every step and removes its namespaces and temp dir', async () => {
    const result = await runDemo();
    const out = String(result.stdout);
    expect(result.exitCode, `${out}\n${String(result.stderr)}`).toBe(0);
    expect(out).not.toContain('✗');
    expect(out).toMatch(/✓ every check behaved as shown/);
    // The steps a reader is promised, in order.
    expect(out).toMatch(/client \S+: filtered[\s\S]*outsider \S+: filtered[\s\S]*knock\.accepted/);
    expect(out).toMatch(/ssh: hello from the server, over ssh/);
    // A copy of a granted knock: dropped by the kernel's knock gate, or refused by the daemon if it got there first.
    expect(out).toMatch(/knock\.refused reason=replay|spa_kernel_dropped_total\{reason="replay"\}/);
    expect(out).toMatch(/alice\s+10\.77\.\d+\.2\s+ssh\s+tcp\/2222/);
    expect(out).toMatch(/filtered \([\d.]+ s after the grant\)/);
    // A copy sent first from another address opens only the signed address, never the sender's.
    expect(out).toMatch(
      /knock\.accepted src=10\.77\.\d+\.3 addresses=10\.77\.\d+\.2[\s\S]*outsider \S+: filtered[\s\S]*client \S+: open/,
    );
    await expectNothingLeft(out);
  });

  // Ctrl-C in a terminal signals the whole process group (the demo and every child); `kill PID` only the demo.
  it.each([
    { how: 'Ctrl-C (SIGINT to the process group)', signal: 'SIGINT', group: true, exitCode: 130 },
    { how: 'kill (SIGTERM to the demo alone)', signal: 'SIGTERM', group: false, exitCode: 143 },
  ] as const)(
    'cleans up when interrupted by $how while the server runs',
    async ({ signal, group, exitCode }) => {
      const child = runDemo({ detached: group });
      let soFar = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        soFar += chunk.toString();
      });
      await waitForOutput(child, 'stdout', 'spa-server listening on', 30_000);
      // sshd and spa-server run with paths inside the temp dir on their command lines.
      expect(await demoProcesses(dirOf(soFar))).not.toEqual([]);
      if (group) process.kill(-child.pid!, signal);
      else child.kill(signal);
      const result = await child;
      // 128 + the signal's number: the demo did not finish, and says so.
      expect(result.exitCode, String(result.stderr)).toBe(exitCode);
      expect(String(result.stderr)).toContain(`${signal}: cleaning up`);
      await expectNothingLeft(String(result.stdout));
    },
  );
});

/** Neither the lab's namespaces, nor the temp dir, nor any process started with a path inside it. */
async function expectNothingLeft(out: string): Promise<void> {
  const lab = /namespaces (spat-\S+-)\*/.exec(out)?.[1];
  expect(lab, out).toBeDefined();
  const { stdout } = await execa('ip', ['netns', 'list']);
  expect(stdout.split('\n').filter((line) => line.startsWith(lab!))).toEqual([]);
  const dir = dirOf(out);
  await expect(stat(dir)).rejects.toThrow();
  expect(await demoProcesses(dir)).toEqual([]);
}

function dirOf(out: string): string {
  const dir = /^\$DEMO = (\S+)/m.exec(out)?.[1];
  if (!dir) throw new Error(`no $DEMO line in:\n${out}`);
  return dir;
}

/** Processes (sshd, spa-server, tcpdump, ...) whose command line mentions the demo's temp dir. */
async function demoProcesses(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}
