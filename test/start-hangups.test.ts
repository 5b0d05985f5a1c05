/** A SIGHUP while the daemon starts (a `systemctl reload` right after `start`): it is not ended by it, and the reload it asked for follows. */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerFiles, writeServerFiles } from 'spa-test-kit/build/server-files';
import { clientKeys, clientKeyText } from 'spa-test-kit/build/spa-fixture';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../packages/spa-server/bin/spa-server.js', import.meta.url));
/** Enough client files that the start lasts long enough to be signalled in the middle of it. */
const FLEET = 3000;

describe('SIGHUP during the start', { timeout: 60_000 }, () => {
  let lab: Lab;
  let files: ServerFiles;
  let clientsDir: string;

  beforeAll(async () => {
    lab = await createLab(['server']);
    files = await writeServerFiles({ host: lab.host('server'), config: {} });
    clientsDir = join(files.dir, 'clients.d');
    await mkdir(clientsDir, { mode: 0o755 });
    for (let i = 0; i < FLEET; i++) {
      const entry = { publicKey: clientKeyText(clientKeys(`c${i}`)), services: ['ssh'] };
      await writeFile(join(clientsDir, `c${i}.json`), JSON.stringify(entry));
    }
    await files.writeConfig({ clientsDir });
  });
  afterAll(async () => {
    await lab?.destroy();
    await files?.remove();
  });

  it('is held until the daemon listens, then reloads (reading a client added meanwhile), and the daemon stays up', async () => {
    const daemon = lab.host('server').exec(process.execPath, [BIN, '--config', files.configPath], {
      reject: false,
    });
    const events: Record<string, unknown>[] = [];
    let buffer = '';
    daemon.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        events.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
        buffer = buffer.slice(nl + 1);
      }
    });
    try {
      const pid = daemon.pid!;
      // The moment the run catches SIGHUP (its bit in the process's caught-signal mask), before it listens.
      await until(async () => (await caughtSignals(pid)) & 1n);
      expect(events.some((e) => e.event === 'daemon.listening')).toBe(false);
      await writeFile(
        join(clientsDir, 'late.json'),
        JSON.stringify({ publicKey: clientKeyText(clientKeys('late')), services: ['ssh'] }),
      );
      process.kill(pid, 'SIGHUP');
      await until(() => events.some((e) => e.event === 'daemon.reloaded'));
      const listening = events.findIndex((e) => e.event === 'daemon.listening');
      const reloaded = events.findIndex((e) => e.event === 'daemon.reloaded');
      expect(listening).toBeGreaterThanOrEqual(0);
      expect(reloaded).toBeGreaterThan(listening);
      expect(events[reloaded]).toMatchObject({ clients: FLEET + 2 }); // alice, the fleet, late
      expect(daemon.exitCode).toBeNull();
      daemon.kill('SIGTERM');
      expect((await daemon).exitCode).toBe(0);
    } finally {
      daemon.kill('SIGKILL');
    }
  });
});

/** The signals the process has handlers for (SigCgt in /proc/PID/status), as a bit mask. */
async function caughtSignals(pid: number): Promise<bigint> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const hex = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  return hex === undefined ? 0n : BigInt(`0x${hex}`);
}

async function until(check: () => unknown, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}
