/** Properties of the key parsers a user reaches (config files, key files, --server-key, SPA_PRIVATE_KEY): any text is a key or a typed refusal that echoes no key material. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nobleBackend } from '../src/crypto/noble.js';
import { SpaError } from '../src/errors.js';
import {
  formatPrivateKey,
  formatPublicKey,
  generateKeyPair,
  type KeyKind,
  parseClientPublicKeyDeferred,
  parsePrivateKey,
  parsePublicKey,
} from '../src/keys.js';

const KINDS: readonly KeyKind[] = ['client', 'server'];
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A key, or a refusal with one of the key codes; anything else (TypeError, RangeError...) fails. */
function outcome(parse: () => Uint8Array): 'key' | 'INVALID_KEY' | 'WEAK_KEY' {
  try {
    const key = parse();
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key.length).toBe(32);
    return 'key';
  } catch (error) {
    expect(error).toBeInstanceOf(SpaError);
    const { code, message } = error as SpaError;
    expect(['INVALID_KEY', 'WEAK_KEY']).toContain(code);
    expect(message).not.toContain('\n');
    return code as 'INVALID_KEY' | 'WEAK_KEY';
  }
}

/** Texts near the real thing: a prefix (right or wrong kind), base64url of about the right length, noise. */
const keyish = fc
  .tuple(
    fc.constantFrom(
      'spa-ed25519:',
      'spa-x25519:',
      'spa-ed25519-private:',
      'spa-x25519-private:',
      'ssh-ed25519 ',
      '',
    ),
    fc.string({
      unit: fc.constantFrom(...B64URL, '=', '+', '/', ' ', '\n', '#', 'é', '\u0000'),
      minLength: 0,
      maxLength: 48,
    }),
    fc.constantFrom('', ' alice@laptop', '\n', '\r\n', '\n# comment\n'),
  )
  .map((parts) => parts.join(''));

describe('key text parsers on arbitrary input', () => {
  it.each(KINDS)(
    'parsePublicKey(%s) returns 32 bytes or throws INVALID_KEY/WEAK_KEY, never anything else',
    (kind) => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 200 }), keyish), (text) => {
          outcome(() => parsePublicKey(kind, text));
        }),
        { numRuns: 2000 },
      );
    },
  );

  it.each(KINDS)(
    'parsePrivateKey(%s) returns 32 bytes or throws INVALID_KEY, and never echoes the text',
    (kind) => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 200 }), keyish), (text) => {
          try {
            expect(parsePrivateKey(kind, text).length).toBe(32);
          } catch (error) {
            expect(error).toBeInstanceOf(SpaError);
            expect((error as SpaError).code).toBe('INVALID_KEY');
            // Whatever base64 the text held may be a secret: no run of it appears in the message.
            // (The prefixes are not secret: messages name the one expected.)
            const material = text.replace(/spa-(ed|x)25519(-private)?/g, ' ');
            for (const run of material.match(/[A-Za-z0-9_-]{12,}/g) ?? []) {
              expect((error as Error).message).not.toContain(run);
            }
          }
        }),
        { numRuns: 2000 },
      );
    },
  );

  it('one character changed in a valid key text: the same key, another key, or a typed refusal', () => {
    const client = generateKeyPair(nobleBackend, 'client');
    const texts = [
      ['public', formatPublicKey('client', client.publicKey)],
      ['private', formatPrivateKey('client', client.secretKey)],
    ] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...texts),
        fc.nat(),
        fc.constantFrom(...B64URL, ' ', '\n', '=', ':', '#', ''),
        ([which, text], at, c) => {
          const i = at % text.length;
          const changed = text.slice(0, i) + c + text.slice(i + 1);
          const parse =
            which === 'public'
              ? () => parsePublicKey('client', changed)
              : () => parsePrivateKey('client', changed);
          outcome(parse);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('a bare key text (the fast path) and the same text with spaces and a comment give the same outcome', () => {
    const keyText = fc
      .tuple(
        fc.constantFrom('spa-ed25519:', 'spa-x25519:', 'spa-ed25519-private:'),
        fc.oneof(
          fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('base64url')),
          fc.string({ unit: fc.constantFrom(...B64URL, '=', ' ', '+'), minLength: 42, maxLength: 44 }),
        ),
      )
      .map(([prefix, body]) => prefix + body);
    const result = (parse: () => Uint8Array): string => {
      try {
        return Buffer.from(parse()).toString('hex');
      } catch (error) {
        return (error as SpaError).message;
      }
    };
    fc.assert(
      fc.property(keyText, fc.constantFrom(...KINDS), (text, kind) => {
        const padded = ` ${text}  alice@laptop`;
        expect(result(() => parsePublicKey(kind, text))).toBe(result(() => parsePublicKey(kind, padded)));
        if (kind === 'client') {
          expect(result(() => parseClientPublicKeyDeferred(text))).toBe(
            result(() => parseClientPublicKeyDeferred(padded)),
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});
