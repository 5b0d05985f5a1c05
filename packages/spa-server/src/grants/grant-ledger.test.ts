/** The compact ledger: owners in order, expiry per owner, a bound per family, pruning in slices that resume. */
import { describe, expect, it } from 'vitest';
import type { GrantTarget } from '../firewall/driver.js';
import type { ExpiredOwnership } from './grant-events.js';
import { GrantLedger } from './grant-ledger.js';
import { targetKey, targetOf } from './target-key.js';

const ALICE = { keyId: 'aa'.repeat(16), name: 'alice' };
const BOB = { keyId: 'bb'.repeat(16), name: 'bob' };
const CAROL = { keyId: 'cc'.repeat(16), name: 'carol' };
const v4 = (i: number): GrantTarget => ({
  family: 4,
  address: `10.0.${i >> 8}.${i & 255}`,
  protocol: 'tcp',
  port: 22,
});

describe('grant ledger', () => {
  it('gives back every target exactly as keyed: both families, single ports and ranges', () => {
    const targets: GrantTarget[] = [
      { family: 4, address: '192.0.2.7', protocol: 'tcp', port: 22 },
      { family: 6, address: '2001:db8::1', protocol: 'udp', port: 8000, lastPort: 8010 },
      { family: 6, address: '2001:db8::1', protocol: 'tcp', port: 22, once: true },
    ];
    for (const t of targets) expect(targetOf(targetKey(t))).toEqual(t);
    // A one-shot grant lives in its own kernel set: another element than the plain one.
    const plain = { family: 4, address: '192.0.2.7', protocol: 'tcp', port: 22 } as const;
    expect(targetKey({ ...plain, once: true })).not.toBe(targetKey(plain));
  });

  it("reports what a prune forgot, with each owner's name and end, and one owner's share", () => {
    const l = new GrantLedger();
    l.add(ALICE, v4(1), 100);
    l.add(BOB, v4(1), 300);
    expect(l.ownership(BOB.keyId, v4(1))).toEqual({ name: 'bob', expiresAtMs: 300 });
    expect(l.ownership(CAROL.keyId, v4(1))).toBeUndefined();
    const expired: ExpiredOwnership[] = [];
    l.prune(200, undefined, expired);
    expect(expired).toEqual([{ keyId: ALICE.keyId, name: 'alice', target: v4(1), expiresAtMs: 100 }]);
    expect([...l.ownerships()]).toEqual([{ keyId: BOB.keyId, name: 'bob', target: v4(1) }]);
  });

  it('keeps owners in ownership order; the first one leaving hands the element to the next', () => {
    const l = new GrantLedger();
    const t = v4(1);
    l.add(ALICE, t, 300);
    l.add(BOB, t, 100);
    l.add(CAROL, t, 200);
    expect(l.withOwner(ALICE, t, 50)).toEqual({
      target: t,
      expiresAtMs: 300,
      // As the element comment names them: each with its key's tag.
      names: ['alice:aaaaaaaaaaaa', 'bob:bbbbbbbbbbbb', 'carol:cccccccccccc'],
    });
    l.remove(ALICE.keyId, t);
    expect([...l.elements()]).toEqual([
      { target: t, expiresAtMs: 200, names: ['bob:bbbbbbbbbbbb', 'carol:cccccccccccc'] },
    ]);
    expect(l.withoutOwner(BOB.keyId, t)).toEqual({
      target: t,
      expiresAtMs: 200,
      names: ['carol:cccccccccccc'],
    });
    expect(l.heldBy(ALICE.keyId)).toBe(0);
    expect(l.owns(BOB.keyId, t)).toBe(true);
  });

  it('counts elements per family and frees their slots for new ones', () => {
    const l = new GrantLedger(2);
    l.add(ALICE, v4(1), 100);
    l.add(BOB, v4(1), 100);
    l.add(ALICE, v4(2), 100);
    expect(l.count(4)).toBe(2);
    expect(l.count(6)).toBe(0);
    expect(l.maxPerFamily).toBe(2);
    l.drop(v4(1));
    expect(l.count(4)).toBe(1);
    expect(l.heldBy(BOB.keyId)).toBe(0);
    l.add(BOB, v4(3), 100);
    expect([...l.elements()].map((e) => e.target.address).sort()).toEqual(['10.0.0.2', '10.0.0.3']);
  });

  it('prunes in slices: each call visits at most its slice, the sweep resumes where it stopped', () => {
    const l = new GrantLedger();
    for (let i = 0; i < 10_000; i++) l.add(i % 3 === 0 ? BOB : ALICE, v4(i), i % 3 === 0 ? 5000 : 100);
    let calls = 1;
    while (!l.prune(1000, 1024)) calls++;
    expect(calls).toBe(10);
    expect(l.count(4)).toBe(3334);
    expect(l.heldBy(ALICE.keyId)).toBe(0);
    expect(l.heldBy(BOB.keyId)).toBe(3334);
    // A slot taken behind the cursor is seen by the next sweep.
    l.add(ALICE, v4(1), 100);
    expect(l.prune(1000)).toBe(true);
    expect(l.has(v4(1))).toBe(false);
    expect(l.clear()).toBe(3334);
    expect(l.size).toBe(0);
  });
});
