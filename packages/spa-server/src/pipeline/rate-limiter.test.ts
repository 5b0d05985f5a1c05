/** Per-source token buckets: burst, refill on the injected clock, /64 grouping, bounded table. */
import { parseAddress } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, sourceKey } from './rate-limiter.js';

const ip = (text: string) => parseAddress(text)!;

function limiter(options: { rate?: number; burst?: number; maxSources?: number } = {}) {
  let now = 1_000_000;
  const rl = createRateLimiter({ rate: 2, burst: 3, maxSources: 100, ...options, clock: () => now });
  return { rl, advance: (ms: number) => (now += ms) };
}

describe('rate limiter', () => {
  it('allows a burst, then refuses until tokens refill at the sustained rate', () => {
    const { rl, advance } = limiter();
    const a = ip('192.0.2.1');
    expect([rl.allow(a), rl.allow(a), rl.allow(a), rl.allow(a)]).toEqual([true, true, true, false]);
    advance(499);
    expect(rl.allow(a)).toBe(false);
    advance(1); // 2/s: one token per 500 ms
    expect(rl.allow(a)).toBe(true);
    expect(rl.allow(a)).toBe(false);
    advance(60_000); // refills to the burst, never beyond
    expect([rl.allow(a), rl.allow(a), rl.allow(a), rl.allow(a)]).toEqual([true, true, true, false]);
  });

  it('keeps sources apart', () => {
    const { rl } = limiter({ burst: 1 });
    expect(rl.allow(ip('192.0.2.1'))).toBe(true);
    expect(rl.allow(ip('192.0.2.1'))).toBe(false);
    expect(rl.allow(ip('192.0.2.2'))).toBe(true);
  });

  it('groups IPv6 sources by /64, so one host cannot mint fresh buckets', () => {
    const { rl } = limiter({ burst: 1 });
    expect(sourceKey(ip('2001:db8:1:2::1'))).toBe(sourceKey(ip('2001:db8:1:2:ffff::9')));
    expect(rl.allow(ip('2001:db8:1:2::1'))).toBe(true);
    expect(rl.allow(ip('2001:db8:1:2:ffff::9'))).toBe(false);
    expect(rl.allow(ip('2001:db8:1:3::1'))).toBe(true);
  });

  it('is bounded: beyond maxSources the least recently seen source is forgotten', () => {
    const { rl } = limiter({ burst: 1, maxSources: 3 });
    for (const s of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect(rl.allow(ip(s))).toBe(true);
    expect(rl.allow(ip('10.0.0.1'))).toBe(false); // .1 is now the most recently seen
    expect(rl.allow(ip('10.0.0.4'))).toBe(true); // evicts .2
    expect(rl.size).toBe(3);
    expect(rl.allow(ip('10.0.0.1'))).toBe(false); // .1 kept its empty bucket
    expect(rl.allow(ip('10.0.0.2'))).toBe(true); // .2 was forgotten: a fresh bucket
    for (let i = 0; i < 10_000; i++) rl.allow(ip(`10.1.${i >> 8}.${i & 255}`));
    expect(rl.size).toBe(3);
  });

  it('survives a clock stepped backwards without granting extra tokens', () => {
    const { rl, advance } = limiter({ burst: 1 });
    const a = ip('192.0.2.9');
    expect(rl.allow(a)).toBe(true);
    advance(-3_600_000);
    expect(rl.allow(a)).toBe(false);
    advance(500);
    expect(rl.allow(a)).toBe(true);
  });

  it('applies new limits on reconfigure and trims the table', () => {
    const { rl } = limiter({ burst: 1 });
    for (const s of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) rl.allow(ip(s));
    rl.reconfigure({ rate: 2, burst: 5, maxSources: 1 });
    expect(rl.size).toBe(1);
  });
});
