/** Power loss under the replay store: the state dir on ext4 on a loop device, the device copied with its unsynced writes lost; no accepted knock is accepted again, fresh ones are once the restart's floor passed. */

import { copyFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { type ServerProcess, startServerProcess } from 'spa-test-kit/processes/server-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const KNOCKS = 5;
/** replay.bin's header and one record (packages/spa-server/src/replay/replay-file.ts). */
const HEADER_SIZE = 20;
const RECORD_SIZE = 44;

describe('power loss (nftables)', () => {
  let lab: Lab;
  let work: string;
  let mountPoint: string;
  const loops: string[] = [];
  let mounted = false;
  const running: ServerProcess[] = [];

  /** Attaches an image to a free loop device and mounts it; a long commit interval keeps ext4 from writing back on its own. */
  const attach = async (image: string): Promise<void> => {
    const { stdout } = await execa('losetup', ['--find', '--show', image]);
    loops.push(stdout.trim());
    await execa('mount', ['-t', 'ext4', '-o', 'commit=300', stdout.trim(), mountPoint]);
    mounted = true;
  };
  const detach = async (): Promise<void> => {
    if (mounted) await execa('umount', ['--lazy', mountPoint]);
    mounted = false;
    for (const loop of loops.splice(0)) await execa('losetup', ['--detach', loop], { reject: false });
  };

  beforeAll(async () => {
    lab = await createLab(['server', 'alice']);
    work = await mkdtemp(join(tmpdir(), 'spa-power-loss-'));
    mountPoint = join(work, 'mnt');
    await execa('mkdir', [mountPoint]);
    const image = join(work, 'disk.img');
    await execa('truncate', ['--size', '64M', image]);
    await execa('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]);
    await attach(image);
  });
  afterAll(async () => {
    for (const proc of running) await proc.kill9();
    await detach();
    await running[0]?.cleanup();
    await lab?.destroy();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses every knock accepted before the power loss, byte for byte, and accepts fresh ones after the floor', async () => {
    const alice = lab.host('alice');
    const stateDir = join(mountPoint, 'state');
    const first = await startServerProcess({
      host: lab.host('server'),
      backend: 'nftables',
      config: { stateDir, log: { level: 'info', refusalsPerSecond: 1000 } },
    });
    running.push(first);
    const knocks: Uint8Array[] = [];
    for (let i = 0; i < KNOCKS; i++) {
      const knock = first.knock();
      knocks.push(knock);
      await first.send(alice, knock);
      await first.waitForLog(
        (l) =>
          l.event === 'knock.accepted' && first.logs().filter((x) => x.event === 'knock.accepted').length > i,
      );
    }
    // The records reached the page cache (the appends are not awaited by the knock).
    await new Promise((r) => setTimeout(r, 200));

    // Power loss: the device as it stands under the filesystem, without a sync of the filesystem.
    const image = join(work, 'disk.img');
    const afterLoss = join(work, 'after-loss.img');
    await copyFile(image, afterLoss);
    await first.kill9();
    await detach();
    await attach(afterLoss);
    // The simulation lost what was not synced: replay.bin holds fewer records than were accepted.
    const { size } = await stat(join(stateDir, 'replay.bin'));
    expect((size - HEADER_SIZE) / RECORD_SIZE).toBeLessThan(KNOCKS);

    const second = await startServerProcess({ host: lab.host('server'), backend: 'nftables', reuse: first });
    running.push(second);
    const recovered = await second.waitForLog((l) => l.event === 'replay.recovered');
    expect(recovered).toMatchObject({ level: 'warn', unclean: true });

    for (const knock of knocks) await second.send(alice, knock);
    const refusals = () => second.logs().filter((l) => l.event === 'knock.refused' && l.src === alice.ipv4);
    await second.waitForLog(() => refusals().length >= KNOCKS);
    // Below the floor (stale), or still in a surviving record (replay): refused either way.
    for (const l of refusals()) expect(['stale', 'replay']).toContain(l.reason);
    expect(refusals().some((l) => l.reason === 'stale')).toBe(true);
    expect(second.logs().some((l) => l.event === 'knock.accepted')).toBe(false);

    // Once the floor has passed, a fresh knock is accepted.
    const refuseUntil = Date.parse(String(recovered.refuseUntil));
    await new Promise((r) => setTimeout(r, Math.max(0, refuseUntil - Date.now() + 50)));
    await second.send(alice, second.knock());
    expect(await second.waitForLog((l) => l.event === 'knock.accepted')).toMatchObject({ client: 'alice' });
  });
});
