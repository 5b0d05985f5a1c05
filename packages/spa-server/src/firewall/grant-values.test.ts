/** Validation of what reaches nft/ipset: canonical addresses, bounded ports, timeouts and names. */
import fc from 'fast-check';
import { CLIENT_NAME_PATTERN } from 'spa-config/server-config';
import { describe, expect, it } from 'vitest';
import { alice } from '../../test/sample-grants.js';
import { SERVER_ERROR_CODES } from '../shared/server-error.js';
import type { Grant } from './driver.js';
import {
  canonicalAddress,
  checkGrant,
  checkGrants,
  checkNetnsName,
  checkObjectName,
  checkPorts,
  checkTarget,
  checkTargets,
  MAX_COMMENT_BYTES,
  MAX_TIMEOUT_SECONDS,
  ownerComment,
  ownerLabel,
  ownerNames,
  parseOwners,
  parseOwnerTags,
  parseProtocol,
} from './grant-values.js';

const grant: Grant = alice;

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('canonicalAddress', () => {
  it.each([
    ['10.0.0.1', 4, '10.0.0.1'],
    ['FD77:0014:0000::0001', 6, 'fd77:14::1'],
    ['0:0:0:0:0:0:0:1', 6, '::1'],
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'],
    ['::ffff:10.0.0.1', 4, '10.0.0.1'],
    ['::FFFF:0a00:0001', 4, '10.0.0.1'],
  ])('%s → IPv%d %s', (input, family, address) => {
    expect(canonicalAddress(input)).toEqual({ family, address });
  });

  it.each([
    '',
    '10.0.0.01',
    '10.0.0.256',
    '10.0.0.1/24',
    'fe80::1%eth0',
    'localhost',
    '10.0.0.1; flush ruleset',
    '10.0.0.1 . tcp . 22',
    ' 10.0.0.1',
    '1.2.3.4\n',
  ])('rejects %j', (input) => {
    expect(code(() => canonicalAddress(input))).toBe(SERVER_ERROR_CODES.firewallInvalidInput);
  });

  it('is idempotent and yields only hex digits, dots and colons', () => {
    const v6 = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
      .map((groups) => groups.map((g) => g.toString(16)).join(':'));
    const v4 = fc
      .array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 })
      .map((octets) => octets.join('.'));
    fc.assert(
      fc.property(fc.oneof(v4, v6), (input) => {
        const once = canonicalAddress(input);
        expect(canonicalAddress(once.address)).toEqual(once);
        expect(once.address).toMatch(/^[0-9a-f.:]+$/);
      }),
    );
  });
});

describe('ports and targets', () => {
  it('sorts and deduplicates protected ports', () => {
    const ports = checkPorts([
      { protocol: 'udp', port: 53 },
      { protocol: 'tcp', port: 443 },
      { protocol: 'tcp', port: 22 },
      { protocol: 'tcp', port: 443 },
    ]);
    expect(ports).toEqual([
      { protocol: 'tcp', port: 22 },
      { protocol: 'tcp', port: 443 },
      { protocol: 'udp', port: 53 },
    ]);
  });

  it.each([0, 65_536, 22.5, Number.NaN, -1, '22'])('rejects port %j', (port) => {
    expect(code(() => checkPorts([{ protocol: 'tcp', port: port as number }]))).toBe(
      SERVER_ERROR_CODES.firewallInvalidInput,
    );
  });

  it('keeps a range apart from the single port it starts with, after it in order', () => {
    expect(
      checkPorts([
        { protocol: 'tcp', port: 8000, lastPort: 8010 },
        { protocol: 'tcp', port: 8000 },
        { protocol: 'tcp', port: 8000, lastPort: 8010 },
      ]),
    ).toEqual([
      { protocol: 'tcp', port: 8000 },
      { protocol: 'tcp', port: 8000, lastPort: 8010 },
    ]);
  });

  it.each([8000, 7999, 65_536, 8010.5, Number.NaN, '8010'])(
    'rejects last port %j of a range from 8000',
    (last) => {
      expect(code(() => checkPorts([{ protocol: 'tcp', port: 8000, lastPort: last as number }]))).toBe(
        SERVER_ERROR_CODES.firewallInvalidInput,
      );
    },
  );

  it.each(['icmp', 'TCP', '', 'tcp; drop'])('rejects protocol %j', (protocol) => {
    expect(code(() => checkPorts([{ protocol: protocol as 'tcp', port: 22 }]))).toBe(
      SERVER_ERROR_CODES.firewallInvalidInput,
    );
  });

  it('refuses a family that contradicts the address, but unwraps IPv4-mapped IPv6', () => {
    expect(code(() => checkTarget({ ...grant, family: 6 }))).toBe(SERVER_ERROR_CODES.firewallInvalidInput);
    expect(code(() => checkTarget({ ...grant, family: 4, address: '::1' }))).toBe(
      SERVER_ERROR_CODES.firewallInvalidInput,
    );
    expect(checkTarget({ ...grant, family: 6, address: '::ffff:10.0.0.9' })).toEqual({
      family: 4,
      address: '10.0.0.9',
      protocol: 'tcp',
      port: 22,
    });
  });

  it('keeps a one-shot mark, only for one TCP port, and tells it apart from a plain grant of the target', () => {
    expect(checkTarget({ ...grant, once: true })).toEqual({
      family: 4,
      address: '10.0.0.1',
      protocol: 'tcp',
      port: 22,
      once: true,
    });
    expect(checkTarget({ ...grant, once: false })).not.toHaveProperty('once');
    for (const wrong of [{ protocol: 'udp' as const }, { port: 8000, lastPort: 8010 }]) {
      expect(code(() => checkTarget({ ...grant, ...wrong, once: true }))).toBe(
        SERVER_ERROR_CODES.firewallInvalidInput,
      );
    }
    expect(checkGrants([grant, { ...grant, once: true }])).toHaveLength(2);
  });

  it('keeps the last of duplicate grants and one of duplicate targets', () => {
    const grants = checkGrants([
      grant,
      { ...grant, address: '10.0.0.2' },
      { ...grant, timeoutSeconds: 90, client: 'bob' },
    ]);
    expect(grants.map((g) => [g.address, g.client, g.timeoutSeconds])).toEqual([
      ['10.0.0.2', 'alice', 30],
      ['10.0.0.1', 'bob', 90],
    ]);
    expect(checkTargets([grant, { ...grant, address: '::ffff:10.0.0.1', family: 6 }])).toHaveLength(1);
  });
});

describe('checkGrant', () => {
  it('accepts the bounds', () => {
    expect(checkGrant({ ...grant, timeoutSeconds: 1 }).timeoutSeconds).toBe(1);
    expect(checkGrant({ ...grant, timeoutSeconds: MAX_TIMEOUT_SECONDS }).timeoutSeconds).toBe(
      MAX_TIMEOUT_SECONDS,
    );
    expect(checkGrant({ ...grant, client: 'ci-runner_7.eu@example.org' }).client).toBe(
      'ci-runner_7.eu@example.org',
    );
    expect(checkGrant({ ...grant, client: 'x'.repeat(64) }).client).toHaveLength(64);
  });

  it('accepts every client name the config accepts (one rule for both)', () => {
    expect(checkGrant({ ...grant, client: 'alice+laptop@example.org' }).client).toBe(
      'alice+laptop@example.org',
    );
    fc.assert(
      fc.property(fc.stringMatching(new RegExp(CLIENT_NAME_PATTERN)), (client) => {
        expect(checkGrant({ ...grant, client }).client).toBe(client);
      }),
    );
  });

  it.each([0, -5, 1.5, MAX_TIMEOUT_SECONDS + 1, Number.POSITIVE_INFINITY])(
    'rejects timeout %j',
    (timeoutSeconds) => {
      expect(code(() => checkGrant({ ...grant, timeoutSeconds }))).toBe(
        SERVER_ERROR_CODES.firewallInvalidInput,
      );
    },
  );

  it.each(['', 'x'.repeat(65), 'a b', 'a"b', 'a}b', 'a;b', 'é', 'a\nb', '-a', '.a', 'a\\b', "a'b"])(
    'rejects client name %j',
    (client) => {
      expect(code(() => checkGrant({ ...grant, client }))).toBe(SERVER_ERROR_CODES.firewallInvalidInput);
    },
  );
});

describe('names', () => {
  it('accepts short identifiers and refuses anything nft or iptables could misread', () => {
    expect(checkObjectName('spa', 'table')).toBe('spa');
    expect(checkObjectName('spa_test_01', 'table')).toBe('spa_test_01');
    for (const bad of ['', '1spa', 'spa-x', 'spa x', 'a'.repeat(17), 'spa;']) {
      expect(code(() => checkObjectName(bad, 'table'))).toBe(SERVER_ERROR_CODES.firewallInvalidInput);
    }
    expect(checkNetnsName('spat-1a2b3c-server')).toBe('spat-1a2b3c-server');
    expect(code(() => checkNetnsName('a/b'))).toBe(SERVER_ERROR_CODES.firewallInvalidInput);
  });

  it('reads protocols by name or number', () => {
    expect([parseProtocol('tcp'), parseProtocol(6), parseProtocol('17'), parseProtocol('icmp')]).toEqual([
      'tcp',
      'tcp',
      'udp',
      undefined,
    ]);
  });
});

describe('owner comments', () => {
  it('lists the owners, and counts those that do not fit in 128 bytes as +N', () => {
    expect(ownerComment(['alice'])).toBe('alice');
    expect(ownerComment(['alice', 'bob', 'alice'])).toBe('alice,bob');
    const many = Array.from({ length: 40 }, (_, i) => `client-${String(i).padStart(2, '0')}`);
    const comment = ownerComment(many);
    expect(comment.length).toBeLessThanOrEqual(MAX_COMMENT_BYTES);
    const owners = parseOwners(comment);
    const more = Number(owners.at(-1)!.slice(1));
    expect(owners.at(-1)).toMatch(/^\+\d+$/);
    expect(owners.length - 1 + more).toBe(40);
    expect(checkGrant({ ...grant, client: comment }).client).toBe(comment);
  });

  it('refuses what is not a client name, and a comment that could break out of its quotes', () => {
    expect(() => ownerComment([])).toThrow();
    expect(() => ownerComment(['a"b'])).toThrow();
    expect(() => checkGrant({ ...grant, client: 'alice" ; flush ruleset' })).toThrow();
    expect(() => checkGrant({ ...grant, client: 'x'.repeat(MAX_COMMENT_BYTES + 1) })).toThrow();
  });

  it("names each owner with its key's tag, which parseOwners leaves out and parseOwnerTags gives back", () => {
    const key = '0123456789abcdef'.repeat(2);
    expect(ownerLabel('alice', key)).toBe('alice:0123456789ab');
    expect(ownerLabel('alice', 'not-hex')).toBe('alice');
    const comment = ownerComment([ownerLabel('alice', key), 'bob', ownerLabel('carol', 'f'.repeat(32))]);
    expect(comment).toBe('alice:0123456789ab,bob,carol:ffffffffffff');
    expect(parseOwners(comment)).toEqual(['alice', 'bob', 'carol']);
    expect(parseOwnerTags(comment)).toEqual(['0123456789ab', undefined, 'ffffffffffff']);
    expect(ownerNames(comment)).toBe('alice,bob,carol');
    expect(ownerNames('alice,+3')).toBe('alice,+3');
    expect(checkGrant({ ...grant, client: comment }).client).toBe(comment);
    // A tag is exactly 12 lower-case hex digits, after a name, never on +N.
    for (const bad of [
      'alice:0123',
      'alice:0123456789AB',
      'alice:0123456789abc',
      ':0123456789ab',
      'alice,+3:0123456789ab',
    ])
      expect(() => checkGrant({ ...grant, client: bad })).toThrow();
  });
});
