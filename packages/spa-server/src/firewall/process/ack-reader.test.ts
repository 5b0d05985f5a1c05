/** Acknowledgements read from real nft -i and ipset - stderr, however the stream is chunked. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AckDialect, AckReader, type AckReply, IPSET_DIALECT, NFT_DIALECT } from './ack-reader.js';

// Captured from `nft -i` (nftables 1.0.6): a failed batch, a good one, a syntax error, each followed by its marker.
const NFT_STDERR = [
  'Error: No such file or directory',
  'add element inet spa nosuch { 1.2.3.4 . tcp . 22 }',
  '                     ^^^^^^',
  'Error: syntax error, unexpected number, expecting string',
  'spa-ack 7',
  '        ^',
  'Error: syntax error, unexpected number, expecting string',
  'spa-ack 8',
  '        ^',
  'Error: syntax error, unexpected inet, expecting string',
  'add elemnt inet spa allow4',
  '           ^^^^',
  'Error: syntax error, unexpected number, expecting string',
  'spa-ack 9',
  '        ^',
  '',
].join('\n');

// Captured from `ipset -` (ipset 7.17).
const IPSET_STDERR = [
  'ipset v7.17: The set with the given name does not exist',
  "ipset v7.17: Syntax error: unknown output mode 'spa-ack-1'",
  "ipset v7.17: Syntax error: unknown output mode 'spa-ack-2'",
  'ipset v7.17: Unknown argument x',
  "Try `ipset help' for more information.",
  "ipset v7.17: Syntax error: unknown output mode 'spa-ack-3'",
  '',
].join('\n');

function readAll(dialect: AckDialect, chunks: readonly string[]): AckReply[] {
  const reader = new AckReader(dialect);
  return chunks.flatMap((chunk) => reader.feed(chunk));
}

function splitAt(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(text.slice(from, point));
    from = point;
  }
  parts.push(text.slice(from));
  return parts;
}

describe('nft dialect', () => {
  it('assigns each error to the batch before its marker and drops the marker reply itself', () => {
    const replies = readAll(NFT_DIALECT, [NFT_STDERR]);
    expect(replies.map((r) => r.seq)).toEqual([7, 8, 9]);
    expect(replies.map((r) => NFT_DIALECT.errorOf(r.lines))).toEqual([
      'No such file or directory: add element inet spa nosuch { 1.2.3.4 . tcp . 22 }',
      undefined,
      'syntax error, unexpected inet, expecting string: add elemnt inet spa allow4',
    ]);
  });

  it('gives the same replies however the stream is cut into chunks', () => {
    const whole = readAll(NFT_DIALECT, [NFT_STDERR]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(readAll(NFT_DIALECT, splitAt(NFT_STDERR, cuts))).toEqual(whole);
      }),
    );
  });

  it('never mistakes a generated command for a marker', () => {
    expect(
      NFT_DIALECT.markerSeq('add element inet spa allow4 { 10.0.0.1 . tcp . 22 comment "spa-ack" }'),
    ).toBe(undefined);
    expect(NFT_DIALECT.markerSeq(NFT_DIALECT.markerLine(42))).toBe(42);
  });

  it('keeps what a dying process said after the last marker', () => {
    const reader = new AckReader(NFT_DIALECT);
    reader.feed(
      'Error: syntax error, unexpected number, expecting string\nspa-ack 1\n ^\nnetlink: Error: cannot',
    );
    expect(reader.pending()).toEqual(['netlink: Error: cannot']);
  });
});

describe('ipset dialect', () => {
  it('splits errors per batch, trailer lines included in the error context', () => {
    const replies = readAll(IPSET_DIALECT, [IPSET_STDERR]);
    expect(replies.map((r) => [r.seq, IPSET_DIALECT.errorOf(r.lines)])).toEqual([
      [1, 'The set with the given name does not exist'],
      [2, undefined],
      [3, 'Unknown argument x'],
    ]);
  });

  it('gives the same replies however the stream is cut into chunks', () => {
    const whole = readAll(IPSET_DIALECT, [IPSET_STDERR]);
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 12 }), (cuts) => {
        expect(readAll(IPSET_DIALECT, splitAt(IPSET_STDERR, cuts))).toEqual(whole);
      }),
    );
  });
});
