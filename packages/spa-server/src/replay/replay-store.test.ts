/** The replay store: refuses what it accepted, across pruning, clock jumps, restarts, corruption and overload. */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerError } from '../shared/server-error.js';
import { MARK_FILE } from './mark-file.js';
import { HEADER_SIZE, RECORD_SIZE, STATE_FILE } from './replay-file.js';
import { ReplayStore } from './replay-store.js';

const WINDOW = 60_000;
const FUTURE = 5000;
const LEAD = 3000;
const T0 = 1_700_000_000_000;
const made: string[] = [];
const track = (path: string) => {
  made.push(path);
  return path;
};
const stores: ReplayStore[] = [];
afterAll(async () => {
  // Stores abandoned to simulate a crash still hold a file handle; release them before removing dirs.
  for (const store of stores) await store.close().catch(() => {});
  for (const path of made) rmSync(path, { recursive: true, force: true });
});
const dir = () => track(mkdtempSync(join(tmpdir(), 'spa-replay-')));
// fsync on tmpfs costs nothing: the property's hundreds of restarts test logic, not the disk.
const fastDir = () => track(mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'spa-replay-')));
const id = (n: number) => new Uint8Array(16).fill(n);
const KEY = id(0xaa);
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const KEY_HEX = hexOf(KEY);
const OTHER = id(0xbb);

async function open(path: string, start = T0, limits: { capacity?: number; perClient?: number } = {}) {
  let now = start;
  // Pruned at the window's edge (tagEpochMs 1), so the bounds below are exact; the hold for a
  // client tag's epoch has its own test.
  const opened = await ReplayStore.open({
    dir: path,
    windowMs: WINDOW,
    futureWindowMs: FUTURE,
    markLeadMs: LEAD,
    clock: () => now,
    tagEpochMs: 1,
    ...limits,
  });
  stores.push(opened.store);
  return {
    ...opened,
    // As the daemon's timer does: the mark follows the clock.
    set: (t: number) => {
      now = t;
      return opened.store.advanceMark();
    },
  };
}

describe('replay store', () => {
  it('refuses a (keyId, nonce) once reserved, and only that pair', async () => {
    const { store } = await open(dir());
    expect(store.check(KEY, id(1), T0)).toBeUndefined();
    store.reserve(KEY, id(1), T0);
    expect(store.check(KEY, id(1), T0)).toBe('replay');
    expect(store.check(KEY, id(1), T0 + 5)).toBe('replay'); // identity is (keyId, nonce), not the timestamp
    expect(store.check(KEY, id(2), T0)).toBeUndefined();
    expect(store.check(id(0xbb), id(1), T0)).toBeUndefined();
    await store.close();
  });

  it('prunes entries once they leave the window, and keeps refusing them through the floor', async () => {
    const { store, set } = await open(dir());
    store.reserve(KEY, id(1), T0);
    store.reserve(KEY, id(2), T0 + 30_000);
    await set(T0 + WINDOW + 1);
    store.prune();
    expect(store.size).toBe(1);
    expect(store.floorMs).toBe(T0);
    // The clock is stepped back into the old window: the pruned knock is still refused.
    await set(T0 + 1000);
    expect(store.check(KEY, id(1), T0)).toBe('stale');
    expect(store.check(KEY, id(2), T0 + 30_000)).toBe('replay');
    // A fresh knock timestamped after the floor is fine.
    expect(store.check(KEY, id(3), T0 + 1)).toBeUndefined();
    await store.close();
  });

  it('keys pruning on knock timestamps, not receive time: a future-dated entry survives a forward clock jump', async () => {
    const { store, set } = await open(dir());
    store.reserve(KEY, id(1), T0 + 50_000); // client clock 50 s ahead
    await set(T0 + 100_000); // horizon T0 + 40 s: the entry is still inside the window
    store.prune();
    expect(store.check(KEY, id(1), T0 + 50_000)).toBe('replay');
    await store.close();
  });

  it('survives a crash: what was accepted is refused after reopening without close(), as a replay', async () => {
    const path = dir();
    const a = await open(path);
    a.store.reserve(KEY, id(1), T0);
    a.store.reserve(KEY, id(2), T0 + 1);
    expect(await a.store.commit(KEY, id(2), T0 + 1)).toBeUndefined();
    await a.store.written(); // kill -9 keeps what reached the kernel
    // No close(): the process is "killed" here.
    const b = await open(path, T0 + 2000);
    expect(b.recovery).toMatchObject({ damage: undefined, unclean: true, loaded: 2 });
    // Named a replay by the pre-check (§7 7); below the floor as well.
    expect(b.store.seen(KEY_HEX, hexOf(id(1)))).toBe(true);
    expect(b.store.seen(KEY_HEX, hexOf(id(2)))).toBe(true);
    expect(b.store.check(KEY, id(1), T0)).toBe('stale');
    // A fresh knock waits out the floor: up to the future window and the mark's lead.
    expect(b.store.floorMs).toBe(T0 + FUTURE + LEAD);
    expect(b.store.check(KEY, id(3), T0 + 2000)).toBe('stale');
    expect(b.store.check(KEY, id(3), T0 + FUTURE + LEAD + 1)).toBeUndefined();
    await b.store.close();
  });

  it('after a clean stop, the restart raises no floor and keeps its memory', async () => {
    const path = dir();
    const a = await open(path);
    a.store.reserve(KEY, id(1), T0);
    expect(await a.store.commit(KEY, id(1), T0)).toBeUndefined();
    await a.store.close();
    const b = await open(path, T0 + 2000);
    expect(b.recovery).toMatchObject({ damage: undefined, unclean: false, loaded: 1 });
    expect(b.store.floorMs).toBe(T0 - 1);
    expect(b.store.check(KEY, id(1), T0)).toBe('replay');
    expect(b.store.check(KEY, id(2), T0 + 2000)).toBeUndefined();
    // The run that reopened cleared the clean flag at once: killed now, the next start is unclean.
    const c = await open(path, T0 + 3000);
    expect(c.recovery.unclean).toBe(true);
    await c.store.close();
  });

  it('holds an entry until its client tag has left the window, so a copy never gets past the pre-check', async () => {
    const path = dir();
    let now = T0;
    const { store } = await ReplayStore.open({
      dir: path,
      windowMs: WINDOW,
      futureWindowMs: FUTURE,
      clock: () => now,
    });
    // T0 is 20 s into its minute: the epoch [T0 − 20 s, T0 + 40 s) is held until now − window passes its end.
    store.reserve(KEY, id(1), T0);
    now = T0 + WINDOW + 1; // the timestamp has left the window, its epoch has not
    store.prune();
    expect(store.seen(KEY_HEX, hexOf(id(1)))).toBe(true);
    now = T0 + 40_000 + WINDOW; // the epoch ends at the window's past edge
    store.prune();
    expect(store.seen(KEY_HEX, hexOf(id(1)))).toBe(false);
    expect(store.check(KEY, id(1), T0)).toBe('stale');
    await store.close();
  });

  it('writes one record per knock and rewrites the file compactly', async () => {
    const path = dir();
    const { store, set } = await open(path);
    for (let i = 0; i < 10; i++) store.reserve(KEY, id(i), T0 + i);
    await store.written();
    const file = join(path, STATE_FILE);
    expect(statSync(file).size).toBe(HEADER_SIZE + 10 * RECORD_SIZE);
    await set(T0 + WINDOW + 6); // entries 0..5 leave the window
    await store.close();
    expect(statSync(file).size).toBe(HEADER_SIZE + 4 * RECORD_SIZE);
    const reopened = await open(path, T0 + WINDOW + 6);
    expect(reopened.recovery.unclean).toBe(false);
    expect(reopened.store.check(KEY, id(3), T0 + 3)).toBe('stale'); // pruned, under the persisted floor
    expect(reopened.store.check(KEY, id(8), T0 + 8)).toBe('replay');
    await reopened.store.close();
  });

  it('appends at maintain() what was reserved and never committed (policy refusals): the queue stays bounded', async () => {
    const path = dir();
    const { store } = await open(path, T0, { capacity: 1000, perClient: 1000 });
    const file = join(path, STATE_FILE);
    for (let i = 0; i < 100; i++) store.reserve(KEY, id(i), T0 + i);
    expect(statSync(file).size).toBe(HEADER_SIZE);
    await store.maintain();
    expect(statSync(file).size).toBe(HEADER_SIZE + 100 * RECORD_SIZE);
    // Nothing left queued: the next append writes only what is reserved after it.
    store.reserve(KEY, id(200), T0 + 200);
    await store.written();
    expect(statSync(file).size).toBe(HEADER_SIZE + 101 * RECORD_SIZE);
    await store.close();
  });

  it('groups knocks reserved together into one append, which no knock waits for', async () => {
    const path = dir();
    const { store } = await open(path);
    store.reserve(KEY, id(1), T0);
    const first = store.written();
    store.reserve(KEY, id(2), T0);
    const second = store.written();
    expect(second).toBe(first);
    await first;
    expect(statSync(join(path, STATE_FILE)).size).toBe(HEADER_SIZE + 2 * RECORD_SIZE);
    await store.close();
  });

  describe('a damaged file never lets a replay through', () => {
    async function damagedAfter(mutate: (file: string) => void) {
      const path = dir();
      const a = await open(path);
      for (let i = 0; i < 3; i++) a.store.reserve(KEY, id(i), T0 + i);
      await a.store.written();
      const file = join(path, STATE_FILE);
      mutate(file);
      const lastWrite = new Date(T0 + 10);
      utimesSync(file, lastWrite, lastWrite);
      return open(path, T0 + 20);
    }

    it('a corrupt record: keeps the good ones and refuses everything timestamped within a window of the last write', async () => {
      const b = await damagedAfter((file) => {
        const bytes = readFileSync(file);
        const at = HEADER_SIZE + RECORD_SIZE + 20; // inside record 1's nonce
        bytes[at] = (bytes[at] ?? 0) ^ 0x01;
        writeFileSync(file, bytes);
      });
      expect(b.recovery.damage).toMatch(/corrupt/);
      expect(b.recovery.floorMs).toBe(T0 + 10 + WINDOW);
      expect(b.store.check(KEY, id(1), T0 + 1)).toBe('stale');
      expect(b.store.check(KEY, id(9), T0 + 20)).toBe('stale'); // even a fresh knock, until the window passed
      await b.set(T0 + 10 + WINDOW + 1);
      expect(b.store.check(KEY, id(9), T0 + 10 + WINDOW + 1)).toBeUndefined();
      await b.store.close();
    });

    it('a torn last record', async () => {
      const b = await damagedAfter((file) => truncateSync(file, statSync(file).size - 7));
      expect(b.recovery.damage).toMatch(/torn/);
      expect(b.store.check(KEY, id(2), T0 + 2)).toBe('stale');
      await b.store.close();
    });

    it('a destroyed header, an empty file, random bytes', async () => {
      for (const mutate of [
        (f: string) =>
          writeFileSync(f, Buffer.concat([Buffer.from('garbage!'), readFileSync(f).subarray(8)])),
        (f: string) => writeFileSync(f, ''),
        (f: string) => writeFileSync(f, Buffer.alloc(1000, 0x5a)),
      ]) {
        const b = await damagedAfter(mutate);
        expect(b.recovery.damage).toBeDefined();
        expect(b.store.check(KEY, id(0), T0)).toBe('stale');
        expect(b.store.floorMs).toBeGreaterThanOrEqual(T0 + 10 + WINDOW);
        await b.store.close();
      }
    });

    it('repairs the file, so the next start is clean and keeps the floor', async () => {
      const path = dir();
      const a = await open(path);
      a.store.reserve(KEY, id(1), T0);
      await a.store.written();
      writeFileSync(join(path, STATE_FILE), 'junk');
      utimesSync(join(path, STATE_FILE), new Date(T0), new Date(T0));
      const b = await open(path, T0 + 1);
      await b.store.close();
      const c = await open(path, T0 + 2);
      expect(c.recovery.damage).toBeUndefined();
      expect(c.store.floorMs).toBe(T0 + WINDOW);
      await c.store.close();
    });
  });

  describe('one client filling the store cannot make fresh knocks stale (Trust, item 3)', () => {
    it('full of live entries: refuses the new knock, keeps every entry, and leaves the floor alone', async () => {
      const { store } = await open(dir(), T0, { capacity: 3 });
      // The flood is dated ahead of the clock, as a client with a fast clock (or a hostile one) may.
      for (let i = 0; i < 3; i++) expect(store.reserve(KEY, id(i), T0 + 4000 + i)).toBeUndefined();
      expect(store.reserve(KEY, id(3), T0 + 4003)).toBe('replay-full');
      expect(store.size).toBe(3);
      expect(store.floorMs).toBe(T0 - 1);
      // Another client's knock dated at the server's clock is not "stale": at worst the store is full.
      expect(store.check(OTHER, id(9), T0)).toBeUndefined();
      expect(store.reserve(OTHER, id(9), T0)).toBe('replay-full');
      for (let i = 0; i < 3; i++) expect(store.check(KEY, id(i), T0 + 4000 + i)).toBe('replay');
      await store.close();
    });

    it('makes room by dropping what fell behind the window, smallest timestamp first, never a live entry', async () => {
      const { store, set } = await open(dir(), T0, { capacity: 3 });
      store.reserve(KEY, id(0), T0 + 3000); // inserted first, but the newest
      store.reserve(KEY, id(1), T0);
      store.reserve(KEY, id(2), T0 + 1000);
      await set(T0 + WINDOW + 500); // only id(1) is behind now − window
      expect(store.reserve(OTHER, id(9), T0 + WINDOW + 500)).toBeUndefined();
      expect(store.floorMs).toBe(T0); // raised to the dropped entry, which is below now − window
      expect(store.check(KEY, id(0), T0 + 3000)).toBe('replay');
      expect(store.check(KEY, id(2), T0 + 1000)).toBe('replay');
      expect(store.check(OTHER, id(8), T0 + 2000)).toBeUndefined();
      await store.close();
    });

    it('caps the live entries of one key id, and only that key id', async () => {
      const { store, set } = await open(dir(), T0, { capacity: 10, perClient: 2 });
      expect(store.reserve(KEY, id(0), T0)).toBeUndefined();
      expect(store.reserve(KEY, id(1), T0 + 1)).toBeUndefined();
      expect(store.reserve(KEY, id(2), T0 + 2)).toBe('client-replay-full');
      expect(store.clientEntries(Buffer.from(KEY).toString('hex'))).toBe(2);
      expect(store.reserve(OTHER, id(2), T0 + 2)).toBeUndefined();
      // Once its entries age out, the client has room again.
      await set(T0 + WINDOW + 2);
      expect(store.reserve(KEY, id(3), T0 + WINDOW + 2)).toBeUndefined();
      expect(store.clientEntries(Buffer.from(KEY).toString('hex'))).toBe(1);
      await store.close();
    });

    it('new limits apply to the next knock, and lowering them drops nothing', async () => {
      const { store } = await open(dir(), T0, { capacity: 10 });
      for (let i = 0; i < 4; i++) store.reserve(KEY, id(i), T0 + i);
      store.setLimits({ windowMs: WINDOW, capacity: 3, perClient: 2 });
      expect(store.size).toBe(4);
      expect(store.reserve(OTHER, id(9), T0)).toBe('replay-full');
      expect(store.check(KEY, id(0), T0)).toBe('replay');
      await store.close();
    });
  });

  it('without a state file, refuses everything dated before the first start', async () => {
    const path = dir();
    const { store, recovery } = await open(path, T0);
    expect(recovery.fresh).toBe(true);
    expect(store.check(KEY, id(1), T0 - 1)).toBe('stale');
    expect(store.check(KEY, id(1), T0 - 30_000)).toBe('stale');
    expect(store.check(KEY, id(1), T0)).toBeUndefined();
    await store.close();
    // The file removed while the server was down (a knock accepted at T0 + 10 s, lost with it): the
    // restart refuses everything up to its own start, that knock included.
    rmSync(join(path, STATE_FILE));
    const again = await open(path, T0 + 20_000);
    expect(again.recovery.fresh).toBe(true);
    expect(again.store.check(KEY, id(2), T0 + 10_000)).toBe('stale');
    expect(again.store.check(KEY, id(2), T0 + 20_000)).toBeUndefined();
    await again.store.close();
  });

  it('refuses to start with a clear error when stateDir cannot be created or written', async () => {
    const blocker = join(dir(), 'a-file');
    writeFileSync(blocker, '');
    const err = await ReplayStore.open({
      dir: join(blocker, 'state'),
      windowMs: WINDOW,
      futureWindowMs: FUTURE,
      clock: () => T0,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).code).toBe('STATE_DIR_UNWRITABLE');
    expect((err as ServerError).message).toContain(join(blocker, 'state'));
  });

  describe('stateDir: refused unless only the daemon can change it', () => {
    const refusedWith = async (path: string, expected: RegExp) => {
      const err = await open(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
      expect((err as ServerError).code).toBe('CONFIG_INVALID');
      expect((err as ServerError).problems).toHaveLength(1);
      expect((err as ServerError).problems[0]).toMatch(expected);
      // Refused before anything was read or written in it.
      expect(existsSync(join(path, STATE_FILE))).toBe(false);
    };

    it('creates a missing one 0700', async () => {
      const path = join(dir(), 'a', 'state');
      const { store } = await open(path);
      expect(statSync(path).mode & 0o777).toBe(0o700);
      await store.close();
    });

    it('writable by group or others', async () => {
      for (const mode of [0o770, 0o702, 0o777]) {
        const path = dir();
        chmodSync(path, mode);
        await refusedWith(path, /^stateDir: \S+: is writable by group or others \(chmod 700\)$/);
      }
    });

    it('a symbolic link, even to a directory that would pass', async () => {
      const path = join(dir(), 'state');
      symlinkSync(dir(), path);
      await refusedWith(path, /^stateDir: \S+\/state: is a symbolic link \(name the directory itself\)$/);
    });

    it.skipIf(process.getuid?.() !== 0)('owned by another user', async () => {
      const path = dir();
      chownSync(path, 65534, 65534);
      await refusedWith(
        path,
        new RegExp(
          `^stateDir: ${path}: is owned by uid 65534, not by the daemon's user \\(uid 0\\) \\(chown 0 ${path}\\)$`,
        ),
      );
    });
  });

  describe('state files: only the daemon’s own are read; anything else refuses the start (fail-closed)', () => {
    /** A stateDir whose run accepted a knock and stopped cleanly, then `plant` ran on it. */
    async function planted(plant: (path: string) => void) {
      const path = dir();
      const a = await open(path);
      a.store.reserve(KEY, id(1), T0);
      expect(await a.store.commit(KEY, id(1), T0)).toBeUndefined();
      await a.store.close();
      plant(path);
      return path;
    }
    const refusal = async (path: string, expected: RegExp) => {
      const err = await open(path, T0 + 1).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
      expect((err as ServerError).code).toBe('STATE_FILE_UNREADABLE');
      expect((err as ServerError).message).toMatch(expected);
      expect((err as ServerError).message).not.toContain('\n');
    };

    it('a symbolic link: not followed, its target neither read nor written', async () => {
      const outside = join(dir(), 'elsewhere');
      for (const name of [STATE_FILE, MARK_FILE]) {
        const path = await planted((p) => {
          renameSync(join(p, name), outside);
          symlinkSync(outside, join(p, name));
        });
        const before = readFileSync(outside);
        await refusal(
          path,
          new RegExp(`${name} cannot be read: is a symbolic link \\(never followed\\): not trusted`),
        );
        expect(readFileSync(outside)).toEqual(before);
        rmSync(outside);
      }
    });

    it('a FIFO or a directory: refused without waiting for a writer', async () => {
      for (const name of [STATE_FILE, MARK_FILE]) {
        const fifo = await planted((p) => {
          rmSync(join(p, name));
          execFileSync('mkfifo', ['-m', '600', join(p, name)]);
        });
        await refusal(
          fifo,
          new RegExp(
            `${name} cannot be read: is not a regular file: not trusted \\(remove .*${name}: the daemon writes a regular file there\\)$`,
          ),
        );
        const directory = await planted((p) => {
          rmSync(join(p, name));
          mkdirSync(join(p, name));
        });
        await refusal(directory, new RegExp(`${name} cannot be read: is not a regular file`));
      }
    });

    it.skipIf(process.getuid?.() !== 0)('another user’s file', async () => {
      for (const name of [STATE_FILE, MARK_FILE]) {
        const path = await planted((p) => chownSync(join(p, name), 65534, 65534));
        await refusal(
          path,
          new RegExp(
            `${name} cannot be read: is owned by uid 65534, not by the daemon's user \\(uid 0\\): not trusted \\(chown 0 .*${name} if an earlier run of the daemon wrote it, else remove it\\)$`,
          ),
        );
      }
    });

    it('the daemon’s own files are read: the knock accepted before stays a replay', async () => {
      const path = await planted(() => {});
      const b = await open(path, T0 + 1);
      expect(b.store.check(KEY, id(1), T0)).toBe('replay');
      await b.store.close();
    });
  });

  it('property: whatever the clock does, an accepted pair is never accepted again (also after crashes, power losses and stops)', async () => {
    // Coarse clock steps around the window's edges find the interesting interleavings quickly.
    const steps = [-2, -1.1, -0.5, 0.5, 1.1, 2].map((k) => Math.round(k * WINDOW));
    const op = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          t: fc.constant('knock' as const),
          nonce: fc.nat(3),
          skew: fc.integer({ min: -WINDOW, max: FUTURE }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ t: fc.constant('clock' as const), by: fc.constantFrom(...steps) }),
      },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('mark' as const) }) },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('prune' as const) }) },
      {
        weight: 2,
        arbitrary: fc.record({
          t: fc.constantFrom('crash' as const, 'power-loss' as const, 'stop' as const),
        }),
      },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 10, maxLength: 40 }),
        fc.constantFrom(2, 3, 1000),
        async (ops, capacity) => {
          const path = fastDir();
          const file = join(path, STATE_FILE);
          let now = T0;
          const clock = () => now;
          const options = {
            dir: path,
            windowMs: WINDOW,
            futureWindowMs: FUTURE,
            markLeadMs: LEAD,
            clock,
            capacity,
          };
          let store = (await ReplayStore.open(options)).store;
          // What a power loss cannot take: the file as the start rewrote and synced it.
          let synced = readFileSync(file);
          let startFloor = store.floorMs;
          let latest = now;
          const accepted = new Map<number, number>(); // nonce → timestamp
          const crashed: ReplayStore[] = [];
          for (const o of ops) {
            if (o.t === 'clock') {
              now += o.by;
              latest = Math.max(latest, now);
            } else if (o.t === 'mark') await store.advanceMark();
            else if (o.t === 'prune') await store.maintain();
            else if (o.t === 'knock') {
              // A replay of an earlier knock carries its original timestamp; a fresh one is near now.
              const ts = accepted.get(o.nonce) ?? now + o.skew;
              if (ts < now - WINDOW || ts > now + FUTURE) continue; // the window check runs first (§7 12)
              const verdict = store.check(KEY, id(o.nonce), ts);
              if (accepted.has(o.nonce)) expect(verdict).toBeDefined();
              if (
                !verdict &&
                !store.reserve(KEY, id(o.nonce), ts) &&
                !(await store.commit(KEY, id(o.nonce), ts))
              ) {
                accepted.set(o.nonce, ts);
              }
            } else {
              if (o.t === 'stop') await store.close();
              else {
                await store.written().catch(() => {});
                crashed.push(store); // not closed: the process died
                // The unsynced appends are gone; the mark file is synced at every write.
                if (o.t === 'power-loss') writeFileSync(file, synced);
              }
              store = (await ReplayStore.open(options)).store;
              synced = readFileSync(file);
              startFloor = store.floorMs;
            }
            // Load never pushes the floor into the live window: only time or a start moves it.
            expect(store.floorMs).toBeLessThanOrEqual(Math.max(T0 - 1, latest - WINDOW, startFloor));
          }
          await store.close();
          for (const old of crashed) await old.close().catch(() => {}); // only to release their file handles
        },
      ),
      { numRuns: 100 },
    );
  }, 30_000);
});
