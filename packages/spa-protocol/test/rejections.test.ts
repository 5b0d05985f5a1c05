/** Explicit rejection cases: keys, addresses, requests and misuse of the API, each with its stable code. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { isGrantable, parseAddress, unmapAddress } from '../src/address.js';
import { nobleBackend } from '../src/crypto/noble.js';
import { hasCanonicalS, isWeakEd25519PublicKey } from '../src/ed25519-checks.js';
import type { SpaError } from '../src/errors.js';
import {
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
} from '../src/keys.js';
import { encodeDatagram } from '../src/packet.js';
import { parseAccess } from '../src/request.js';
import { codeOf } from './code-of.js';

describe('weak Ed25519 keys', () => {
  it('refuses every small-order point in every encoding, like noble', () => {
    const torsion = ed25519.Point.BASE.multiply(ed25519.Point.Fn.ORDER - 1n).add(ed25519.Point.BASE); // identity
    const points = [torsion];
    // The 8-torsion subgroup: multiples of a point of order 8.
    const t8 = ed25519.Point.fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');
    for (let i = 1; i < 8; i++) points.push(t8.multiply(BigInt(i)));
    for (const p of points) {
      expect(p.isSmallOrder()).toBe(true);
      const bytes = p.toBytes();
      expect(isWeakEd25519PublicKey(bytes), Buffer.from(bytes).toString('hex')).toBe(true);
      const flipped = bytes.slice();
      flipped[31]! ^= 0x80;
      expect(isWeakEd25519PublicKey(flipped)).toBe(true);
    }
  });

  it('refuses non-canonical y, accepts real keys', () => {
    const nonCanonical = new Uint8Array(32).fill(0xff);
    nonCanonical[31] = 0x7f;
    nonCanonical[0] = 0xf0;
    expect(isWeakEd25519PublicKey(nonCanonical)).toBe(true);
    for (let i = 0; i < 50; i++)
      expect(isWeakEd25519PublicKey(generateKeyPair(nobleBackend, 'client').publicKey)).toBe(false);
  });

  it('parsePublicKey refuses a weak key with WEAK_KEY', () => {
    expect(codeOf(() => parsePublicKey('client', formatPublicKey('client', new Uint8Array(32))))).toBe(
      'WEAK_KEY',
    );
  });
});

describe('signature S', () => {
  it('is canonical only below L', () => {
    const sig = new Uint8Array(64);
    expect(hasCanonicalS(sig)).toBe(true);
    const l = Uint8Array.from(
      Buffer.from('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010', 'hex'),
    );
    sig.set(l, 32);
    expect(hasCanonicalS(sig)).toBe(false);
    sig[32] = 0xec;
    expect(hasCanonicalS(sig)).toBe(true);
    expect(hasCanonicalS(new Uint8Array(63))).toBe(false);
  });
});

describe('key texts', () => {
  const pair = generateKeyPair(nobleBackend, 'client');
  it('round-trips and allows an SSH-style comment', () => {
    const text = formatPublicKey('client', pair.publicKey);
    expect(text).toMatch(/^spa-ed25519:[A-Za-z0-9_-]{43}$/);
    expect(parsePublicKey('client', `${text} alice@laptop`)).toEqual(pair.publicKey);
    expect(parsePrivateKey('client', `# my key\n${formatPrivateKey('client', pair.secretKey)}`)).toEqual(
      pair.secretKey,
    );
  });
  it.each([
    ['wrong prefix', 'spa-x25519:AAAA'],
    ['short', 'spa-ed25519:AAAA'],
    ['padding', `${'spa-ed25519:'}${'A'.repeat(43)}=`],
    ['non-canonical base64 (stray bits)', `spa-ed25519:${'A'.repeat(42)}B`],
    ['empty', ''],
  ])('refuses a public key: %s', (_, text) => {
    expect(codeOf(() => parsePublicKey('client', text))).toBe('INVALID_KEY');
  });
  it('refuses private key files with two keys or the wrong kind, without echoing them', () => {
    const secret = formatPrivateKey('client', pair.secretKey);
    for (const text of [secret + secret, formatPrivateKey('server', pair.secretKey), 'garbage']) {
      try {
        parsePrivateKey('client', text);
        expect.unreachable();
      } catch (e) {
        expect((e as SpaError).code).toBe('INVALID_KEY');
        expect((e as Error).message).not.toContain(secret.trim().slice(20));
      }
    }
  });
  it('says a public key given as the private key is one, naming the prefix expected, echoing no key', () => {
    for (const kind of ['client', 'server'] as const) {
      const pub = formatPublicKey(kind, generateKeyPair(nobleBackend, kind).publicKey);
      for (const text of [pub, `${pub} alice@laptop\n`, `# comment\n${pub}\n`]) {
        try {
          parsePrivateKey(kind, text);
          expect.unreachable();
        } catch (e) {
          expect((e as SpaError).code).toBe('INVALID_KEY');
          const prefix = kind === 'client' ? 'spa-ed25519-private:' : 'spa-x25519-private:';
          expect((e as Error).message).toBe(
            `this is a public key; the private key file starts with ${prefix}`,
          );
          expect((e as Error).message).not.toContain(pub.split(':')[1]!.slice(0, 12));
        }
      }
    }
  });
  it('throws INVALID_ARGUMENT on misuse', () => {
    expect(codeOf(() => parsePublicKey('client', 42 as unknown as string))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => formatPublicKey('client', new Uint8Array(31)))).toBe('INVALID_ARGUMENT');
  });
});

describe('addresses', () => {
  it.each([
    '127.1',
    '0x7f.0.0.1',
    '010.0.0.1',
    '1.2.3.4.5',
    '256.0.0.1',
    'fe80::1%eth0',
    '',
    ' 1.2.3.4',
    '::ffff:1.2.3.4.5',
  ])('refuses %j', (text) => expect(parseAddress(text)).toBeUndefined());
  it('canonicalises IPv6 per RFC 5952 and unmaps IPv4-mapped senders', () => {
    expect(parseAddress('2001:0DB8:0:0:0:0:0:1')?.text).toBe('2001:db8::1');
    expect(unmapAddress(parseAddress('::ffff:192.0.2.1')!).text).toBe('192.0.2.1');
  });
  it.each(['0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255', '::ffff:192.0.2.1'])(
    'will not grant %s',
    (text) => {
      expect(isGrantable(parseAddress(text)!)).toBe(false);
    },
  );
});

describe('requests the encoder refuses', () => {
  const server = generateKeyPair(nobleBackend, 'server');
  const client = generateKeyPair(nobleBackend, 'client');
  const enc = (request: object) =>
    codeOf(() =>
      encodeDatagram({
        backend: nobleBackend,
        serverPublicKey: server.publicKey,
        clientSecretKey: client.secretKey,
        request: request as never,
      }),
    );
  const ok = { kind: 'open', access: [{ type: 'tcp', port: 22 }], addresses: [], durationSeconds: 0 };
  it.each([
    ['no access', { ...ok, access: [] }],
    [
      '17 access items',
      { ...ok, access: Array.from({ length: 17 }, (_, i) => ({ type: 'tcp', port: i + 1 })) },
    ],
    [
      'duplicate access',
      {
        ...ok,
        access: [
          { type: 'tcp', port: 22 },
          { type: 'tcp', port: 22 },
        ],
      },
    ],
    ['port 0', { ...ok, access: [{ type: 'tcp', port: 0 }] }],
    ['bad service name', { ...ok, access: [{ type: 'service', name: 'SSH!' }] }],
    ['9 addresses', { ...ok, addresses: Array.from({ length: 9 }, (_, i) => `192.0.2.${i + 1}`) }],
    ['multicast address', { ...ok, addresses: ['224.0.0.1'] }],
    ['duplicate address', { ...ok, addresses: ['2001:db8::1', '2001:db8:0::1'] }],
    ['negative duration', { ...ok, durationSeconds: -1 }],
    ['close with duration', { ...ok, kind: 'close', durationSeconds: 5 }],
    ['unknown kind', { ...ok, kind: 'knock' }],
  ])('%s', (_, request) => {
    expect(enc(request)).toBe('INVALID_REQUEST');
  });
  it('refuses a small-order server key', () => {
    expect(
      codeOf(() =>
        encodeDatagram({
          backend: nobleBackend,
          serverPublicKey: new Uint8Array(32),
          clientSecretKey: client.secretKey,
          request: ok as never,
        }),
      ),
    ).toBe('INVALID_KEY');
  });
  it('parses access texts strictly', () => {
    expect(parseAccess('tcp/22')).toEqual({ type: 'tcp', port: 22 });
    expect(parseAccess('ssh')).toEqual({ type: 'service', name: 'ssh' });
    for (const bad of ['tcp/022', 'tcp/0', 'tcp/65536', 'sctp/1', 'SSH', '', 'a'.repeat(33)])
      expect(parseAccess(bad)).toBeUndefined();
  });
});
