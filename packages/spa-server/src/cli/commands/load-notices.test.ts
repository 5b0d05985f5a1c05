/** The one-off lines after a load: a failed agreement worker's warning (from a real worker that fails), and the two caches' notices. */
import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { KeyCache } from '../../config/key-cache.js';
import type { LogEntry, Logger } from '../../observability/log.js';
import { type LoadNotices, noteAheadFailure, noteDirCache, noteKeyCache } from './load-notices.js';

const collect = (): Logger & { readonly lines: LogEntry[] } => {
  const lines: LogEntry[] = [];
  return { lines, write: (entry) => void lines.push(entry) };
};

/** A load's leftovers as a test sets them: a key cache notice, a clients-dir notice, no worker failure. */
const reuseWith = (keys: unknown, dir: unknown, failure?: string): LoadNotices => ({
  keys: { takeNotice: () => keys as never, ahead: { takeFailure: () => failure } },
  dir: { takeNotice: () => dir as never },
});

describe('load notices', () => {
  it("warns once, naming the cause, when a load's agreement worker failed", async () => {
    const server = generateKeyPair(nodeBackend, 'server');
    const cache = new KeyCache(undefined, process.getuid?.(), 'throw new Error("broken worker")');
    cache.ahead.start(server.secretKey);
    for (let i = 0; i < 600; i++)
      cache.offer(formatPublicKey('client', generateKeyPair(nodeBackend, 'client').publicKey));
    cache.ahead.offersDone();
    await new Promise((r) => setTimeout(r, 300));
    cache.ahead.finish();
    const sink = collect();
    const reuse = { keys: cache, dir: { takeNotice: () => undefined } };
    noteAheadFailure(reuse, sink);
    noteAheadFailure(reuse, sink); // taken: a reload after it gives no second line
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatchObject({ level: 'warn', event: 'agreements.worker-failed' });
    expect(String(sink.lines[0]?.message)).toMatch(/broken worker.*derived its keys instead/);
  }, 30_000);

  it('says nothing when the worker did its work, or none ran', () => {
    const sink = collect();
    noteAheadFailure(reuseWith(undefined, undefined), sink);
    expect(sink.lines).toEqual([]);
  });

  it("tells how many keys and files the caches spared, or why one was ignored; nothing on a first start's empty caches", () => {
    const sink = collect();
    noteKeyCache(reuseWith({ loaded: 10_000 }, undefined), sink);
    noteKeyCache(reuseWith({ loaded: 0, ignored: 'another server key' }, undefined), sink);
    noteKeyCache(reuseWith({ loaded: 10_000, again: true }, undefined), sink); // a reload: read before
    noteDirCache(reuseWith(undefined, { loaded: 0 }), sink);
    noteDirCache(reuseWith(undefined, { loaded: 9_000 }), sink);
    noteDirCache(reuseWith(undefined, { loaded: 0, ignored: 'another build' }), sink);
    expect(sink.lines.map((l) => [l.level, l.event, l.keys ?? l.files ?? l.reason])).toEqual([
      ['info', 'keycache.loaded', 10_000],
      ['warn', 'keycache.ignored', 'another server key'],
      ['info', 'dircache.loaded', 9_000],
      ['warn', 'dircache.ignored', 'another build'],
    ]);
  });
});
