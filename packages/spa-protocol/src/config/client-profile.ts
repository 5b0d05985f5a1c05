/** The client's profile file (~/.config/spa/config.json): named hosts with their server key, key file and services. @module */
import { z } from 'zod';
import { parseAddress } from '../address.js';
import { SERVER_PUBLIC_PREFIX } from '../constants.js';
import { decodeBase64url } from '../encoding.js';
import { isServiceName, parseAccess } from '../request.js';

/**
 * One host a client knocks on. `spa-server client-config NAME --host HOST` prints exactly this shape
 * under `hosts`, so its output pastes straight into the file.
 */
export interface HostProfile {
  /** Address or DNS name the knock goes to; defaults to the entry's name in `hosts`. */
  readonly host?: string;
  /** The server's UDP port; default 62201. */
  readonly port?: number;
  /** The server's identity, `spa-x25519:…` (docs/protocol.md §1). */
  readonly serverKey: string;
  /** Private key file; `~/` is the user's home. Overridden by `--key` and `SPA_PRIVATE_KEY`. */
  readonly keyFile?: string;
  /**
   * What `open` asks for when no ACCESS is given. A map (`{"ssh": ["tcp/22"]}`) also tells the client
   * which ports to probe for `--wait` and `connect`; a list (`["ssh", "tcp/8443"]`) does not for names.
   */
  readonly services?: Readonly<Record<string, readonly string[]>> | readonly string[];
  /** `source`, `auto`, `stun`, `stun=HOST:PORT`, one address, or a list of addresses. Default `source`. */
  readonly allowIp?: string | readonly string[];
  /** Seconds of access to ask for; 0 or absent asks for the server's default. */
  readonly duration?: number;
}

export interface ClientProfileFile {
  readonly hosts: Readonly<Record<string, HostProfile>>;
}

const MAX_ADDRESSES = 8; // docs/protocol.md §5.1
const MAX_ACCESS = 16;
const STUN_TARGET = /^stun(=(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5})?$/;

const isServerKey = (text: string): boolean =>
  text.startsWith(SERVER_PUBLIC_PREFIX) &&
  decodeBase64url(text.slice(SERVER_PUBLIC_PREFIX.length), 32) !== undefined;
const isPortAccess = (text: string): boolean =>
  parseAccess(text)?.type === 'tcp' || parseAccess(text)?.type === 'udp';
const isAddress = (text: string): boolean => parseAddress(text) !== undefined;
const isAllowIpMode = (text: string): boolean =>
  text === 'source' || text === 'auto' || STUN_TARGET.test(text) || isAddress(text);

const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'expected a DNS name or an IP address');

const hostProfile = z
  .object({
    host: hostName.optional(),
    port: z.number().int().min(1).max(65535).optional(),
    serverKey: z.string().refine(isServerKey, `expected a server public key "${SERVER_PUBLIC_PREFIX}…"`),
    keyFile: z.string().min(1).max(4096).optional(),
    services: z
      .union([
        z
          .record(
            z.string().refine(isServiceName, 'expected a service name ([a-z0-9][a-z0-9_-]*, at most 32)'),
            z
              .array(z.string().refine(isPortAccess, 'expected "tcp/PORT" or "udp/PORT"'))
              .min(1)
              .max(MAX_ACCESS),
          )
          .refine((m) => Object.keys(m).length <= MAX_ACCESS, `at most ${MAX_ACCESS} services`),
        z
          .array(
            z.string().refine((s) => parseAccess(s) !== undefined, 'expected a service name or tcp/PORT'),
          )
          .max(MAX_ACCESS),
      ])
      .optional(),
    allowIp: z
      .union([
        z.string().refine(isAllowIpMode, 'expected source, auto, stun, stun=HOST:PORT or an IP address'),
        z.array(z.string().refine(isAddress, 'expected an IP address')).min(1).max(MAX_ADDRESSES),
      ])
      .optional(),
    duration: z.number().int().min(0).max(0xffffffff).optional(),
  })
  .strict();

/** The zod schema; `.strict()` everywhere so a misspelt field is an error, not silently ignored. */
export const clientProfileSchema: z.ZodType<ClientProfileFile> = z
  .object({ hosts: z.record(z.string().min(1).max(253), hostProfile) })
  .strict();

export const PROFILE_ERROR_CODES = { invalid: 'PROFILE_INVALID' } as const;
export type ProfileErrorCode = (typeof PROFILE_ERROR_CODES)[keyof typeof PROFILE_ERROR_CODES];

/** A profile that does not match the schema; `field` is the dotted path of the first bad field. */
export class ProfileError extends Error {
  readonly code: ProfileErrorCode = PROFILE_ERROR_CODES.invalid;
  readonly field: string;
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(field === '' ? message : `${field}: ${message}`, options);
    this.name = 'ProfileError';
    this.field = field;
  }
}

/** Validates parsed JSON; throws ProfileError naming the first bad field (one line). */
export function parseClientProfile(value: unknown): ClientProfileFile {
  const result = clientProfileSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = (issue?.path ?? []).map(String).join('.');
  const message =
    issue?.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue?.message;
  throw new ProfileError(field, message ?? 'invalid profile', { cause: result.error });
}
