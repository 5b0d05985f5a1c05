/** ClientShapes: what the schema says of each client entry, the schema asked once per template. */
import { formatPublicKey, generateKeyPair, nobleBackend } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { clientConfigSchema } from './client-config-schema.js';
import { ClientShapes } from './client-shapes.js';
import { configErrorMap } from './format-issues.js';

const key = (): string => formatPublicKey('client', generateKeyPair(nobleBackend, 'client').publicKey);
// The identity point: small order, refused by the key checks the schema makes.
const SMALL_ORDER = formatPublicKey(
  'client',
  Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0)),
);
const schema = (entry: Record<string, unknown>) =>
  clientConfigSchema.safeParse(entry, { error: configErrorMap });

describe('client shapes', () => {
  it('gives every entry of a template what the schema gives it, defaults and all', () => {
    const shapes = new ClientShapes();
    for (let i = 0; i < 5; i++) {
      const entry = { name: `c${i}`, publicKey: key(), services: ['ssh'], sourceNetworks: ['10.0.0.0/8'] };
      expect(shapes.safeParse(entry)).toEqual(schema(entry));
    }
  });

  it('refuses a bad key or name in a known shape with the schema’s own issues', () => {
    const shapes = new ClientShapes();
    shapes.safeParse({ name: 'alice', publicKey: key(), services: ['ssh'] });
    for (const entry of [
      { name: 'mallory', publicKey: SMALL_ORDER, services: ['ssh'] },
      { name: 'eve', publicKey: 'spa-ed25519:short', services: ['ssh'] },
      { name: '-bob', publicKey: key(), services: ['ssh'] },
      { name: 'carol', publicKey: 42, services: ['ssh'] },
      { name: 'dave', services: ['ssh'] },
    ]) {
      const result = shapes.safeParse(entry);
      expect(result.success).toBe(false);
      expect(result.error?.issues).toEqual(schema(entry).error?.issues);
    }
  });

  it('sends every new shape to the schema, and remembers only what it accepted', () => {
    const shapes = new ClientShapes();
    const bad = { name: 'a', publicKey: key(), services: ['ssh'], sourceNetworks: ['10.0.0.0/33'] };
    expect(shapes.safeParse(bad).success).toBe(false);
    expect(shapes.safeParse({ ...bad, name: 'b', publicKey: key() })).toEqual(schema({ ...bad, name: 'b' }));
    const unknownField = { name: 'c', publicKey: key(), services: ['ssh'], colour: 'red' };
    expect(shapes.safeParse(unknownField).success).toBe(false);
    expect(shapes.safeParse({ ...unknownField, name: 'd' }).success).toBe(false);
  });

  it('shares one frozen copy of a shape’s values, so no client can change another’s', () => {
    const shapes = new ClientShapes();
    shapes.safeParse({ name: 'a', publicKey: key(), services: ['ssh'] });
    const b = shapes.safeParse({ name: 'b', publicKey: key(), services: ['ssh'] });
    const c = shapes.safeParse({ name: 'c', publicKey: key(), services: ['ssh'] });
    expect(b.data?.services).toBe(c.data?.services);
    expect(() => b.data?.services.push('web')).toThrow(TypeError);
    expect(c.data?.services).toEqual(['ssh']);
  });
});
