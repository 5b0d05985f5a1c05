/** Address scopes for the default --allow-ip: which pairs count as the same network. */
import { describe, expect, it } from 'vitest';
import { isLocalScope, sameScope } from './address-scope.js';

describe('address scope', () => {
  it('private, CGNAT, ULA, link-local and loopback are local; other unicast is global', () => {
    for (const a of ['10.1.2.3', '172.31.0.1', '192.168.1.5', '100.64.0.1', '100.127.255.254']) {
      expect(isLocalScope(a), a).toBe(true);
    }
    for (const a of ['169.254.1.1', '127.0.0.1', 'fd77:1::2', 'fc00::1', 'fe80::1', '::1']) {
      expect(isLocalScope(a), a).toBe(true);
    }
    for (const a of ['172.32.0.1', '100.128.0.1', '8.8.8.8', '198.51.100.7', '2001:db8::1', '2a00::1']) {
      expect(isLocalScope(a), a).toBe(false);
    }
  });

  it('same scope when both are global or both are local, across families too', () => {
    expect(sameScope('192.168.1.5', '10.0.0.1')).toBe(true);
    expect(sameScope('2001:db8::5', '203.0.113.10')).toBe(true);
    expect(sameScope('192.168.1.5', '203.0.113.10')).toBe(false);
    expect(sameScope('203.0.113.7', '10.0.0.1')).toBe(false);
    expect(sameScope('fd00::5', '2001:db8::1')).toBe(false);
  });
});
