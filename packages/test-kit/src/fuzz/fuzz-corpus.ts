/** Writes a fuzzer's datagrams to a corpus file for fuzz-sender.mjs: 4-byte big-endian length, then the bytes. @module */
import { open } from 'node:fs/promises';
import type { FuzzCategory, Fuzzer } from './fuzz-datagrams.js';

export interface CorpusSummary {
  readonly path: string;
  readonly datagrams: number;
  readonly bytes: number;
  readonly categories: Partial<Record<FuzzCategory, number>>;
}

/** Streams `size` datagrams to `path` in chunks, so a corpus of millions never sits in memory at once. */
export async function writeCorpus(path: string, fuzzer: Fuzzer, size: number): Promise<CorpusSummary> {
  const file = await open(path, 'w', 0o600);
  const categories: Partial<Record<FuzzCategory, number>> = {};
  let bytes = 0;
  try {
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    for (let i = 0; i < size; i++) {
      const { category, data } = fuzzer.next();
      categories[category] = (categories[category] ?? 0) + 1;
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      chunk.push(length, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      chunkBytes += 4 + data.length;
      if (chunkBytes > 4 << 20 || i === size - 1) {
        await file.write(Buffer.concat(chunk));
        bytes += chunkBytes;
        chunk = [];
        chunkBytes = 0;
      }
    }
  } finally {
    await file.close();
  }
  return { path, datagrams: size, bytes, categories };
}
