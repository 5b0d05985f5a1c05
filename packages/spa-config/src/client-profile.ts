/** The client's profile file (~/.config/spa/config.json): named hosts with their server key, key file and services. @module */

import {
  decodeBase64url,
  ERROR_CODES,
  isServiceName,
  parseAccess,
  parseAddress,
  SERVER_PUBLIC_PREFIX,
  SpaError,
} from 'spa-protocol';
import * as z from 'zod/mini';
// format-issues.ts takes only types from full zod, so the client's start-up still loads zod/mini alone.
import { formatPath } from './format-issues.js';

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
   * which ports to probe for `--wait` and `connect` (a value is one port or a list, as in the server's
   * config); a list (`["ssh", "tcp/8443"]`) names what to open but not the ports behind the names.
   */
  readonly services?: Readonly<Record<string, string | readonly string[]>> | readonly string[];
  /**
   * As `--allow-ip`: `source`, `auto`, `stun=HOST:PORT` (two of them), `https://URL`, addresses; one
   * text (comma-separated) or a list. Absent: the route's local address when it and the server's are
   * in the same scope, else the address `discover` finds.
   */
  readonly allowIp?: string | readonly string[];
  /** Where the default finds the public address: `https://URL` (an address echo) and/or two or more `stun=HOST:PORT`. */
  readonly discover?: string | readonly string[];
  /** A PEM file of CA certificates trusted (besides the system's) for an `https://` discovery URL. */
  readonly discoverCa?: string;
  /** Seconds of access to ask for; 0 or absent asks for the server's default. */
  readonly duration?: number;
  /** The most the server grants this client (`spa-server client-config` prints it); a longer --duration is warned about. */
  readonly maxDuration?: number;
  /** Seconds added to the signed timestamp: a known skew of the server's clock (as `--time-offset`). */
  readonly timeOffset?: number;
}

export interface ClientProfileFile {
  readonly hosts: Readonly<Record<string, HostProfile>>;
}

const MAX_ADDRESSES = 8; // docs/protocol.md §5.1
const MAX_ACCESS = 16;
const MAX_DISCOVERY_SOURCES = 4;
/** A week: a skew larger than that is a broken clock to fix, not one to correct for. */
export const MAX_TIME_OFFSET_SECONDS = 604_800;
const STUN_TARGET = /^stun=(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/; // port defaults to 3478
// The client parses the URL itself; here only its shape, so a plain-HTTP URL is refused by name.
const HTTPS_URL = /^https:\/\/[\x21-\x7e]{1,2000}$/;

const isServerKey = (text: string): boolean =>
  text.startsWith(SERVER_PUBLIC_PREFIX) &&
  decodeBase64url(text.slice(SERVER_PUBLIC_PREFIX.length), 32) !== undefined;
const isPortAccess = (text: string): boolean =>
  parseAccess(text)?.type === 'tcp' || parseAccess(text)?.type === 'udp';
const isAddress = (text: string): boolean => parseAddress(text) !== undefined;
const isDiscoverySource = (text: string): boolean => STUN_TARGET.test(text) || HTTPS_URL.test(text);
const isAllowIpMode = (text: string): boolean =>
  text === 'source' || text === 'auto' || isDiscoverySource(text) || isAddress(text);
/** One text may hold a comma-separated list, as on the command line. */
const eachToken = (test: (s: string) => boolean) => (text: string) =>
  text.split(',').every((t) => test(t.trim()));

// zod/mini rather than zod: the client validates this file on its start-up path, where the full
// zod bundle costs ~20 ms and the tree-shaken mini build ~5 ms. Every check carries its own message.
const text = (min: number, max: number, what: string) =>
  z
    .string({ error: `expected ${what}` })
    .check(
      z.minLength(min, { error: `expected ${what}` }),
      z.maxLength(max, { error: `at most ${max} characters` }),
    );
const matching = (test: (s: string) => boolean, what: string) =>
  z.string({ error: `expected ${what}` }).check(z.refine(test, { error: `expected ${what}` }));
const integer = (min: number, max: number, what: string) =>
  z
    .int({ error: `expected ${what}` })
    .check(z.minimum(min, { error: `expected ${what}` }), z.maximum(max, { error: `expected ${what}` }));

/** One token, several comma-separated in one string, or a list of 1..max of them. */
const tokenList = (test: (s: string) => boolean, what: string, max: number, one: string, many: string) =>
  z.union(
    [
      matching(eachToken(test), what),
      z
        .array(matching(test, what))
        .check(
          z.minLength(1, { error: `expected at least one ${one}` }),
          z.maxLength(max, { error: `at most ${max} ${many}` }),
        ),
    ],
    { error: `expected ${what}, or a list of them` },
  );
const hostName = text(1, 253, 'a DNS name or an IP address').check(
  z.regex(/^[A-Za-z0-9.:_-]+$/, { error: 'expected a DNS name or an IP address' }),
);
const PORT_ACCESS = '"tcp/PORT" or "udp/PORT"';
const DISCOVERY_SOURCE = 'https://URL or stun=HOST:PORT';
const ALLOW_IP_MODE = 'source, auto, stun=HOST:PORT, https://URL or an IP address';
const SERVICE_NAME = 'a service name ([a-z0-9][a-z0-9_-]*, at most 32 characters)';

/** One entry under `hosts`; checked on its own, so that a broken entry leaves the others usable. */
export const hostProfileSchema: z.ZodMiniType<HostProfile> = z.strictObject(
  {
    host: z.optional(hostName),
    port: z.optional(integer(1, 65535, 'a port number 1-65535')),
    serverKey: matching(isServerKey, `a server public key "${SERVER_PUBLIC_PREFIX}…"`),
    keyFile: z.optional(text(1, 4096, 'a key file path')),
    services: z.optional(
      z.union(
        [
          z
            .record(
              matching(isServiceName, SERVICE_NAME),
              // As in the server's config: one port, or a list of them.
              z.union(
                [
                  matching(isPortAccess, PORT_ACCESS),
                  z
                    .array(matching(isPortAccess, PORT_ACCESS))
                    .check(
                      z.minLength(1, { error: `expected at least one ${PORT_ACCESS}` }),
                      z.maxLength(MAX_ACCESS, { error: `at most ${MAX_ACCESS} ports` }),
                    ),
                ],
                { error: `expected ${PORT_ACCESS} or a list of them` },
              ),
            )
            .check(
              z.refine((m) => Object.keys(m).length <= MAX_ACCESS, {
                error: `at most ${MAX_ACCESS} services`,
              }),
            ),
          z
            .array(matching((s) => parseAccess(s) !== undefined, 'a service name, tcp/PORT or udp/PORT'))
            .check(z.maxLength(MAX_ACCESS, { error: `at most ${MAX_ACCESS} entries` })),
        ],
        { error: `expected {"name": ["tcp/PORT", …]} or ["name", "tcp/PORT", …]` },
      ),
    ),
    allowIp: z.optional(tokenList(isAllowIpMode, ALLOW_IP_MODE, MAX_ADDRESSES, 'entry', 'entries')),
    discover: z.optional(
      tokenList(isDiscoverySource, DISCOVERY_SOURCE, MAX_DISCOVERY_SOURCES, 'source', 'sources'),
    ),
    discoverCa: z.optional(text(1, 4096, 'a CA certificate file path')),
    duration: z.optional(integer(0, 0xffffffff, 'a whole number of seconds')),
    maxDuration: z.optional(integer(1, 0xffffffff, 'a whole number of seconds, at least 1')),
    timeOffset: z.optional(
      integer(
        -MAX_TIME_OFFSET_SECONDS,
        MAX_TIME_OFFSET_SECONDS,
        `whole seconds between -${MAX_TIME_OFFSET_SECONDS} and ${MAX_TIME_OFFSET_SECONDS}`,
      ),
    ),
  },
  { error: 'expected an object' },
);

const hostKey = text(1, 253, 'a host name');

/** The file's outline, each entry unchecked: what must hold before any entry can be used. */
export const profileOutlineSchema: z.ZodMiniType<{ hosts: Record<string, unknown> }> = z.strictObject(
  { hosts: z.record(hostKey, z.unknown(), { error: 'expected an object of hosts' }) },
  { error: 'expected an object with "hosts"' },
);

/** The zod schema; strict everywhere so a misspelt field is an error, not a silently ignored setting. */
export const clientProfileSchema: z.ZodMiniType<ClientProfileFile> = z.strictObject(
  { hosts: z.record(hostKey, hostProfileSchema, { error: 'expected an object of hosts' }) },
  { error: 'expected an object with "hosts"' },
);

/** A profile that does not match the schema: SpaError PROFILE_INVALID, `field` the first bad field's path. */
export function profileError(path: readonly PropertyKey[], message: string, cause: unknown): SpaError {
  // The whole file (not an object, no "hosts") has no field to name.
  const field = path.length === 0 ? '' : formatPath(path);
  return new SpaError(ERROR_CODES.invalidProfile, field === '' ? message : `${field}: ${message}`, {
    cause,
    field,
  });
}

/** Validates parsed JSON; throws SpaError PROFILE_INVALID naming the first bad field (one line). */
export function parseClientProfile(value: unknown): ClientProfileFile {
  const result = clientProfileSchema.safeParse(value);
  if (result.success) return result.data;
  const { field, message } = firstProblem(result.error.issues, []);
  throw profileError(field, message, result.error);
}

/** The first problem among zod issues, as the path of the field it concerns and a message. */
export function firstProblem(
  issues: readonly Issue[],
  prefix: readonly PropertyKey[],
): { field: readonly PropertyKey[]; message: string } {
  // A misspelt field usually also makes a required one missing: name the misspelling first.
  const first = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
  if (!first) return { field: prefix, message: 'invalid profile' };
  const { issue, path } = innermost(first, prefix);
  if (issue.code === 'unrecognized_keys')
    return { field: [...path, issue.keys[0] ?? ''], message: 'unknown field' };
  return { field: path, message: issue.message };
}

type Issue = z.core.$ZodIssue;

/**
 * A union (services, allowIp) reports "no branch matched"; when only one branch had the input's
 * type, its own issue says what is actually wrong (`services.ssh: expected "tcp/PORT" …`).
 */
function innermost(issue: Issue, prefix: readonly PropertyKey[]): { issue: Issue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    return inner ? { issue: { ...inner, path: [] } as Issue, path } : { issue, path };
  }
  if (issue.code !== 'invalid_union') return { issue, path };
  const typed = issue.errors.filter(
    (branch) => !(branch[0]?.code === 'invalid_type' && branch[0].path.length === 0),
  );
  const inner = typed.length === 1 ? typed[0]![0] : undefined;
  return inner ? innermost(inner, path) : { issue, path };
}
