/** Live fuzzing, CI size: 20,000 hostile datagrams at a real spa-server in a lab; nothing opens, nothing crashes, memory stays put, a legit knock still works. */

import { PROTOCOL_REFUSALS } from 'spa-protocol';
import { type LiveFuzzResult, runLiveFuzz } from 'spa-test-kit/fuzz/live-fuzz';
import { beforeAll, describe, expect, it } from 'vitest';

// Paced below what the server reads on two cores, so nearly every datagram is really decided.
const COUNT = 20_000;
const RATE = 5000;

describe('live fuzz (20,000 datagrams; `pnpm fuzz -- --count 1000000` for the long run)', () => {
  let r: LiveFuzzResult;
  beforeAll(async () => {
    r = await runLiveFuzz({ count: COUNT, rate: RATE, maxSeconds: 20, warmup: 2000 });
  }, 90_000);

  it('sends every datagram and the server reads them all, answering none', () => {
    expect(r.sent, `seed ${r.seed}`).toBe(COUNT);
    expect(r.answered).toBe(0);
    expect(r.metrics.received).toBeGreaterThanOrEqual(COUNT * 0.95);
  });

  it('reaches every stage of the parser, down to the signature check', () => {
    const reached = Object.keys(r.metrics.refused);
    // Every reason but one: the fuzzer never repeats a valid knock.
    const reasons = PROTOCOL_REFUSALS.filter((reason) => reason !== 'replay');
    for (const reason of reasons) {
      expect(reached, `seed ${r.seed}: ${JSON.stringify(r.metrics.refused)}`).toContain(reason);
    }
    expect(r.metrics.refusedTotal).toBe(r.metrics.received);
  });

  it('grants nothing: no accepted knock, no firewall element, no knock.accepted line', () => {
    expect(r.metrics.accepted, `seed ${r.seed}`).toBe(0);
    expect(r.metrics.grants).toBe(0);
    expect(r.grantsAfter).toEqual([]);
    expect(r.acceptedLines).toBe(0);
  });

  it('does not crash or log an error, and its memory does not grow with the input', () => {
    expect(r.serverAlive).toBe(true);
    expect(r.errorLines).toEqual([]);
    // 20,000 datagrams through a server that kept its state bounded: a few MiB of heap churn at most.
    expect(r.rssKiB.end - r.rssKiB.afterWarmup).toBeLessThan(32 * 1024);
  });

  it('still lets a legit client in afterwards', () => {
    expect(r.legitOpenMs).toBeDefined();
    expect(r.legitOpenMs).toBeLessThan(3000);
  });
});
