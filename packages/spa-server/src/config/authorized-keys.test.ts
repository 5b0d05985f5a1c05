import { nodeBackend } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_LENGTH, parseAuthorizedKeys } from './authorized-keys.js';

const KEY = formatPublicKey('client', generateKeyPair(nodeBackend, 'client').publicKey);

describe('parseAuthorizedKeys', () => {
  it('reads options, skips comments and blank lines, keeps line numbers', () => {
    const text = [
      '# the team',
      '',
      `  ${KEY} name=alice services=ssh,web   # alice's laptop`,
      `${KEY}\tname=ci services=ssh max-duration=120 from=10.0.0.0/8,192.0.2.1 allow-source one-shot expires=2030-01-01T00:00:00Z`,
    ].join('\n');
    const { keys, problems } = parseAuthorizedKeys(text, 'keys');
    expect(problems).toEqual([]);
    expect(keys).toEqual([
      {
        line: 3,
        client: {
          name: 'alice',
          publicKey: KEY,
          services: ['ssh', 'web'],
          sourceNetworks: [],
          allowSourceAddress: false,
          oneShot: false,
        },
      },
      {
        line: 4,
        client: {
          name: 'ci',
          publicKey: KEY,
          services: ['ssh'],
          maxDuration: 120,
          sourceNetworks: ['10.0.0.0/8', '192.0.2.1'],
          allowSourceAddress: true,
          oneShot: true,
          expires: '2030-01-01T00:00:00Z',
        },
      },
    ]);
  });

  it.each([
    [`${KEY} name=a services=ssh name=b`, 'keys:1: name: given twice'],
    [`${KEY} name=a services=ssh allow-source=yes`, 'keys:1: allow-source: is a flag and takes no value'],
    [`${KEY} name=a services=ssh one-shot=1`, 'keys:1: one-shot: is a flag and takes no value'],
    [
      `${KEY} name=a services=ssh require-addresses`,
      'keys:1: require-addresses: replaced by allow-source: signed addresses are now required by default (remove it)',
    ],
    [`${KEY} name=a services=`, 'keys:1: services: needs a value (services=...)'],
    [`${KEY} name=a services=ssh max-duration=0`, 'keys:1: max-duration: must be at least 1'],
    [
      `${KEY} name=a services=ssh expires=soon`,
      'keys:1: expires: "soon" is not an ISO date (2027-01-31 or 2027-01-31T12:00:00Z)',
    ],
    [`name=a services=ssh`, 'keys:1: key: a line must start with the public key (spa-ed25519:...)'],
    [
      `spa-x25519:abc name=a services=ssh`,
      'keys:1: key: not a client public key: expected it to start with "spa-ed25519:"',
    ],
    [
      `${KEY} name=a services=ssh ${'x'.repeat(MAX_LINE_LENGTH)}`,
      `keys:1: line: longer than ${MAX_LINE_LENGTH} characters`,
    ],
  ])('refuses line %#', (line, problem) => {
    const { keys, problems } = parseAuthorizedKeys(line, 'keys');
    expect(keys).toEqual([]);
    expect(problems).toEqual([problem]);
  });

  it('does not echo a stray word that may be a private key', () => {
    const secret = `spa-ed25519-private:${'Z'.repeat(43)}`;
    const { problems } = parseAuthorizedKeys(`${KEY} name=a services=ssh ${secret}`, 'keys');
    expect(problems).toEqual([expect.stringMatching(/^keys:1: word 4: unknown option/)]);
    expect(problems.join()).not.toContain('ZZZ');
  });
});
