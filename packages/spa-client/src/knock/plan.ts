/** Merges the command line, the environment and the host's profile entry into one knock plan; options win. @module */

import type { ClientProfileEntries } from 'spa-config/client-profile-entries';
import {
  type AccessItem,
  DEFAULT_PORT,
  type IpFamily,
  parseAccess,
  parseServerPublicKey,
  type RequestKind,
} from 'spa-protocol';
import { type AllowIp, DEFAULT_ALLOW_IP, parseAllowIp } from '../address/allow-ip.js';
import { CLIENT_ERROR_CODES, ClientError, usageError } from '../cli/errors.js';
import {
  clip,
  parseAccessList,
  parsePortOption,
  parseSecondsOption,
  parseTimeOffset,
} from '../cli/option-values.js';
import { type DiscoverySources, parseDiscoverySources } from '../discovery/discovery-sources.js';
import { chooseKeySource, type KeySource } from '../profile/private-key.js';
import {
  expandHome,
  findHost,
  type HostEntry,
  loadProfile,
  locateProfile,
  type ProfileLocation,
} from '../profile/profile.js';

export interface PlanInputs {
  readonly kind: RequestKind;
  readonly host: string | undefined;
  readonly access: readonly string[];
  readonly serverKey?: string | undefined;
  readonly spaPort?: string | undefined;
  readonly key?: string | undefined;
  readonly allowIp?: readonly string[];
  readonly discover?: readonly string[];
  readonly discoverCa?: string | undefined;
  readonly duration?: string | undefined;
  readonly timeOffset?: string | undefined;
  readonly config?: string | undefined;
  readonly family?: IpFamily | undefined;
  /** What to ask for without ACCESS, instead of all the profile's services (connect: its port's). */
  readonly defaultAccess?: (servicePorts: ReadonlyMap<string, readonly AccessItem[]>) => AccessItem[];
  readonly env: NodeJS.ProcessEnv;
  /** The profile read once before (the agent); without it, the file is read now. */
  readonly loaded?: LoadedProfile;
}

/** A profile file as read at some moment: where it is, and its entries (none when there is no file). */
export interface LoadedProfile {
  readonly location: ProfileLocation;
  readonly file: ClientProfileEntries | undefined;
}

export interface KnockPlan {
  readonly kind: RequestKind;
  /** What the knock is sent to: the profile entry's `host`, or --host as typed. */
  readonly host: string;
  readonly profile: HostEntry | undefined;
  readonly spaPort: number;
  readonly serverKeyText: string;
  readonly serverKey: Uint8Array;
  readonly keySource: KeySource;
  readonly access: readonly AccessItem[];
  readonly allowIp: AllowIp;
  /** What the default asks when the route's address is in another scope; `origin` names where it was set. */
  readonly discovery: { readonly sources: DiscoverySources; readonly origin: string } | undefined;
  /** Extra CA certificates (PEM file) for https:// discovery sources. */
  readonly discoverCa: string | undefined;
  /** The profile file read, if there was one (for --verbose). */
  readonly profilePath: string | undefined;
  /** Things the user should know before the knock goes out (a --duration above the known maximum). */
  readonly warnings: readonly string[];
  readonly durationSeconds: number;
  /** Seconds added to the signed timestamp (--time-offset, else the profile's timeOffset). */
  readonly timeOffsetSeconds: number;
  /** From the profile's services map: the ports behind each service name (for --wait and connect). */
  readonly servicePorts: ReadonlyMap<string, readonly AccessItem[]>;
  readonly family: IpFamily | undefined;
}

/** What --host and the agent's requests accept: a name or address, never a shell or path character. */
export const HOST_TEXT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._:-]{1,253})$/;

export async function resolvePlan(inputs: PlanInputs): Promise<KnockPlan> {
  const { env } = inputs;
  if (inputs.host === undefined)
    throw usageError('--host is required (a profile name, DNS name or IP address)');
  if (!HOST_TEXT.test(inputs.host))
    throw usageError(`--host: not a host name or address: "${clip(inputs.host)}"`);
  // Every usage error is found before the profile and keys are read: a typo is reported as one.
  const cliAccess = parseAccessList(inputs.access);
  const cliPort = inputs.spaPort === undefined ? undefined : parsePortOption('spa-port', inputs.spaPort);
  const cliTimeOffset = inputs.timeOffset === undefined ? undefined : parseTimeOffset(inputs.timeOffset);
  const cliAllowIp = inputs.allowIp && inputs.allowIp.length > 0 ? parseAllowIp(inputs.allowIp) : undefined;
  const cliDiscover =
    inputs.discover && inputs.discover.length > 0
      ? parseDiscoverySources(splitTokens(inputs.discover), '--discover')
      : undefined;
  if (inputs.duration !== undefined && inputs.kind === 'close') {
    throw usageError('--duration: a close request has no duration');
  }
  const cliDuration =
    inputs.duration === undefined ? undefined : parseSecondsOption('duration', inputs.duration);

  const location = inputs.loaded?.location ?? locateProfile(inputs.config, env);
  const profileFile = inputs.loaded ? inputs.loaded.file : await loadProfile(location);
  const profile = profileFile ? findHost(profileFile, inputs.host, location.path) : undefined;
  const entry = profile?.entry;

  const serverKeyText = inputs.serverKey ?? entry?.serverKey;
  if (serverKeyText === undefined) {
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `no server key for ${inputs.host}: pass --server-key spa-x25519:… or add the host to ${location.path} (spa-server client-config prints the entry)`,
    );
  }
  const serverKey = parseServerKey(
    serverKeyText,
    inputs.serverKey !== undefined ? '--server-key' : `${location.path}: serverKey`,
  );

  const servicePorts = collectServicePorts(entry?.services);
  refuseUnknownServices(cliAccess, entry?.services, inputs.host);
  let access = cliAccess;
  if (access.length === 0) {
    access = inputs.defaultAccess ? inputs.defaultAccess(servicePorts) : defaultAccess(entry?.services);
  }
  if (access.length === 0) {
    throw usageError(
      `nothing to ${inputs.kind}: name services or ports (ssh, tcp/22) or set services in the profile`,
    );
  }

  const profileKeyFile =
    entry?.keyFile === undefined ? undefined : expandHome(entry.keyFile, env, location.path);
  const keySource = chooseKeySource(
    inputs.key === undefined ? undefined : expandHome(inputs.key, env),
    env,
    profileKeyFile,
  );

  let allowIp: AllowIp = cliAllowIp ?? DEFAULT_ALLOW_IP;
  if (!cliAllowIp && entry?.allowIp !== undefined) {
    const values = typeof entry.allowIp === 'string' ? [entry.allowIp] : entry.allowIp;
    allowIp = parseAllowIp(values, `${location.path}: allowIp`);
  }
  let discovery: KnockPlan['discovery'] = cliDiscover && { sources: cliDiscover, origin: '--discover' };
  if (!discovery && entry?.discover !== undefined) {
    const where = `${location.path}: discover`;
    const values = typeof entry.discover === 'string' ? [entry.discover] : entry.discover;
    discovery = { sources: parseDiscoverySources(splitTokens(values), where), origin: where };
  }
  const discoverCa =
    inputs.discoverCa !== undefined
      ? expandHome(inputs.discoverCa, env)
      : entry?.discoverCa === undefined
        ? undefined
        : expandHome(entry.discoverCa, env, location.path);

  const durationSeconds = inputs.kind === 'close' ? 0 : (cliDuration ?? entry?.duration ?? 0);
  const warnings: string[] = [];
  // The server caps a grant at its maximum without saying so: say it here, where someone reads it.
  if (entry?.maxDuration !== undefined && durationSeconds > entry.maxDuration) {
    warnings.push(
      `warning: ${durationSeconds} s asked, but the server grants ${inputs.host} at most ${entry.maxDuration} s (profile maxDuration): access will end sooner`,
    );
  }

  return {
    kind: inputs.kind,
    host: entry?.host ?? inputs.host,
    profile,
    spaPort: cliPort ?? entry?.port ?? DEFAULT_PORT,
    serverKeyText: serverKeyText.trim().split(/\s+/, 1)[0]!,
    serverKey,
    keySource,
    access,
    allowIp,
    discovery,
    discoverCa,
    profilePath: profileFile ? location.path : undefined,
    warnings,
    durationSeconds,
    timeOffsetSeconds: cliTimeOffset ?? entry?.timeOffset ?? 0,
    servicePorts,
    family: inputs.family,
  };
}

function parseServerKey(text: string, where: string): Uint8Array {
  try {
    return parseServerPublicKey(text);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(CLIENT_ERROR_CODES.keyInvalid, `${where}: ${message}`, { cause });
  }
}

type ProfileServices = Readonly<Record<string, string | readonly string[]>> | readonly string[] | undefined;

function collectServicePorts(services: ProfileServices): Map<string, AccessItem[]> {
  const map = new Map<string, AccessItem[]>();
  if (services === undefined || Array.isArray(services)) return map;
  for (const [name, value] of Object.entries(
    services as Readonly<Record<string, string | readonly string[]>>,
  )) {
    const texts = typeof value === 'string' ? [value] : value;
    map.set(
      name,
      texts.map((t) => parseAccess(t)).filter((a): a is AccessItem => a !== undefined),
    );
  }
  return map;
}

function defaultAccess(services: ProfileServices): AccessItem[] {
  if (services === undefined) return [];
  const words = Array.isArray(services) ? services : Object.keys(services);
  return parseAccessList(words as readonly string[]);
}

/**
 * A service the profile does not list would be refused by the server, silently (it never answers):
 * `open shh` must fail here, before anything is sent. Without a services list nothing is known.
 */
function refuseUnknownServices(access: readonly AccessItem[], services: ProfileServices, host: string): void {
  if (services === undefined) return;
  const names = Array.isArray(services)
    ? (services as readonly string[]).filter((s) => parseAccess(s)?.type === 'service')
    : Object.keys(services);
  for (const item of access) {
    if (item.type !== 'service' || names.includes(item.name)) continue;
    const known = names.length > 0 ? `it lists ${names.join(', ')}` : 'it lists no service names';
    throw usageError(
      `unknown service "${item.name}": the profile of ${host} does not list it (${known}); use tcp/PORT or udp/PORT for a port`,
    );
  }
}

/** `a,b` and repeats, as --allow-ip takes them. */
function splitTokens(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((t) => t.trim());
}
