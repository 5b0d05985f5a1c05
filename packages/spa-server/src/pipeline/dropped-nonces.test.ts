/** The memory of knocks dropped before authentication: bounded per client and overall, one client never pushing out another's. */
import { describe, expect, it } from 'vitest';
import { DroppedNonces } from './dropped-nonces.js';

const NOW = 1_000_000;
const LATER = NOW + 60_000;
const key = (client: string, n: number) => `${client}${n.toString(16).padStart(32, '0')}`;

describe('dropped nonces', () => {
  it('holds a key until its time, then forgets it', () => {
    const memory = new DroppedNonces();
    memory.add('aa', key('aa', 1), LATER);
    expect(memory.has(key('aa', 1), NOW)).toBe(true);
    expect(memory.has(key('aa', 2), NOW)).toBe(false);
    expect(memory.has(key('aa', 1), LATER)).toBe(false);
    expect(memory.size).toBe(0);
  });

  it("caps one client's entries, dropping its oldest, never another client's", () => {
    const memory = new DroppedNonces(4, 100);
    memory.add('bb', key('bb', 0), LATER);
    for (let i = 0; i < 50; i++) memory.add('aa', key('aa', i), LATER);
    expect(memory.size).toBe(5);
    expect(memory.has(key('bb', 0), NOW)).toBe(true);
    expect([45, 46, 47, 48, 49].map((i) => memory.has(key('aa', i), NOW))).toEqual([
      false,
      true,
      true,
      true,
      true,
    ]);
  });

  it('caps all entries, the oldest going first', () => {
    const memory = new DroppedNonces(2, 3);
    memory.add('aa', key('aa', 1), LATER);
    memory.add('bb', key('bb', 1), LATER);
    memory.add('cc', key('cc', 1), LATER);
    memory.add('dd', key('dd', 1), LATER);
    expect(memory.size).toBe(3);
    expect(memory.has(key('aa', 1), NOW)).toBe(false);
    expect(memory.has(key('dd', 1), NOW)).toBe(true);
    // aa's last entry went with the overall bound: it may hold its share again.
    memory.add('aa', key('aa', 2), LATER);
    memory.add('aa', key('aa', 3), LATER);
    expect(memory.has(key('aa', 2), NOW) && memory.has(key('aa', 3), NOW)).toBe(true);
  });

  it('a key dropped again is held once, until its new time', () => {
    const memory = new DroppedNonces(2, 10);
    memory.add('aa', key('aa', 1), NOW + 1);
    memory.add('aa', key('aa', 1), LATER);
    memory.add('aa', key('aa', 2), LATER);
    expect(memory.size).toBe(2);
    expect(memory.has(key('aa', 1), NOW + 1)).toBe(true);
  });
});
