/** The schema of one client in server.json (zod 4): name, key, services, limits, networks, expiry. Pure. @module */

import { isValidNetwork, parseClientPublicKeyDeferred, SpaError } from 'spa-protocol';
import { z } from 'zod';
import { CLIENT_NAME_PATTERN, ISO_DATE_PATTERN, parseIsoDate } from './config-values.js';
import type { ClientConfig, ClientConfigInput } from './server-config-types.js';

/** A week: nftables and ipset hold timeouts of any size, but a grant that long is a standing rule. */
export const MAX_GRANT_SECONDS = 604_800;

/** A whole number of seconds, 1 to `max`. */
export const seconds = (max: number) => z.number().int().min(1).max(max);

const isoDate = z
  .string()
  .refine((v) => parseIsoDate(v) !== undefined, {
    error: (iss) => `${JSON.stringify(iss.input)} is not an ISO date (2027-01-31 or 2027-01-31T12:00:00Z)`,
  })
  .meta({ pattern: ISO_DATE_PATTERN });

const network = z.string().refine(isValidNetwork, {
  error: (iss) => `${JSON.stringify(iss.input)} is not an IPv4/IPv6 network (10.0.0.0/8, 2001:db8::/32)`,
});

// §1's subgroup check (milliseconds per key) is the server's client table's, before it trusts a key.
const clientPublicKey = z.string().superRefine((text, ctx) => {
  try {
    parseClientPublicKeyDeferred(text);
  } catch (cause) {
    // SpaError messages describe what was expected, never the key material itself.
    ctx.addIssue({
      code: 'custom',
      message: cause instanceof SpaError ? cause.message : 'not a client public key',
    });
  }
});

/** The one-line error for the option that allowSourceAddress replaced. */
export const RENAMED_REQUIRE_SIGNED =
  'replaced by allowSourceAddress: signed addresses are now required by default (remove this field, or set allowSourceAddress: true to accept knocks for the datagram source)';

export const clientConfigSchema: z.ZodType<ClientConfig, ClientConfigInput> = z
  .object({
    name: z.string().regex(new RegExp(CLIENT_NAME_PATTERN), {
      error: 'not a valid client name: 1-64 letters, digits and _.@+-, starting with a letter or digit',
    }),
    publicKey: clientPublicKey.meta({ pattern: '^spa-ed25519:[A-Za-z0-9_-]{43}( .*)?$' }),
    services: z.array(z.string()).min(1).max(64),
    maxDuration: seconds(MAX_GRANT_SECONDS).optional(),
    sourceNetworks: z.array(network).max(256).default([]),
    allowSourceAddress: z
      .boolean()
      .default(false)
      .describe(
        'Accept knocks that name no address and open the datagram source (replayable by anyone on the path)',
      ),
    oneShot: z
      .boolean()
      .default(false)
      .describe(
        'nftables: each grant admits one new TCP connection from the address (for clients behind carrier-grade NAT)',
      ),
    // Renamed with its meaning inverted: a config that still names it must not silently change behaviour.
    requireSignedAddresses: z
      .never({ error: RENAMED_REQUIRE_SIGNED })
      .optional()
      .describe('Removed: signed addresses are required unless allowSourceAddress is true'),
    expires: isoDate
      .optional()
      .describe(
        'ISO date or date-time: the key is refused from then on, and no grant it gets lasts past it (a reload or restart after it revokes what it still holds)',
      ),
  })
  .strict();
