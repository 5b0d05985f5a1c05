/** Where the agent listens, and the directories and leftovers it refuses to listen in. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearStaleSocket, defaultSocketPath, prepareSocketDirectory } from './socket-path.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spa-agent-dir-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('defaultSocketPath', () => {
  it('is under XDG_RUNTIME_DIR, else beside the profile', () => {
    expect(defaultSocketPath({ XDG_RUNTIME_DIR: '/run/user/1000', HOME: '/home/a' })).toBe(
      '/run/user/1000/spa-client/agent.sock',
    );
    expect(defaultSocketPath({ HOME: '/home/a' })).toBe('/home/a/.config/spa/agent/agent.sock');
  });
});

describe('prepareSocketDirectory', () => {
  it('creates a missing directory 0700', async () => {
    prepareSocketDirectory(join(dir, 'a', 'agent.sock'));
    expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a directory others may enter, in one line naming it', () => {
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o755 });
    chmodSync(open, 0o755);
    expect(() => prepareSocketDirectory(join(open, 'agent.sock'))).toThrow(
      `socket directory ${open}: mode 0755 lets others in; it must be 0700 (chmod 700 ${open})`,
    );
  });

  it('refuses a path longer than a Unix socket can have', () => {
    expect(() => prepareSocketDirectory(join(dir, 'x'.repeat(120)))).toThrow(/longer than 107 bytes/);
  });
});

describe('clearStaleSocket', () => {
  it('refuses to replace a socket a live agent answers on', async () => {
    const path = join(dir, 'agent.sock');
    const live = createServer();
    await new Promise<void>((r) => live.listen(path, r));
    await expect(clearStaleSocket(path)).rejects.toThrow(
      `${path}: another agent is listening there (stop it, or use --socket PATH)`,
    );
    await new Promise<void>((r) => live.close(() => r()));
  });

  it('removes a socket no one answers on (an agent that was killed)', async () => {
    const path = join(dir, 'agent.sock');
    // Bound and never listened on: what a killed process leaves, connections refused.
    execFileSync('python3', [
      '-c',
      'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])',
      path,
    ]);
    expect((await stat(path)).isSocket()).toBe(true);
    await clearStaleSocket(path);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('without a probe, removes even a socket that answers, and never connects to it', async () => {
    const path = join(dir, 'agent.sock.0123456789ab.22');
    let connections = 0;
    const live = createServer(() => connections++);
    await new Promise<void>((r) => live.listen(path, r));
    await clearStaleSocket(path, { probe: false });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    await new Promise<void>((r) => live.close(() => r()));
    expect(connections).toBe(0);
    const file = join(dir, 'not-a-socket-either');
    writeFileSync(file, 'x');
    await expect(clearStaleSocket(file, { probe: false })).rejects.toThrow(/exists and is not a socket/);
  });

  it('leaves anything that is not a socket alone', async () => {
    const file = join(dir, 'not-a-socket');
    writeFileSync(file, 'x');
    await expect(clearStaleSocket(file)).rejects.toThrow(/exists and is not a socket/);
    await expect(clearStaleSocket(join(dir, 'absent.sock'))).resolves.toBeUndefined();
  });
});
