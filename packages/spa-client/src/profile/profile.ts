/** Finds, reads and validates the profile file (--config, SPA_CONFIG, ~/.config/spa/config.json) and looks a host up in it. @module */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { HostProfile } from 'spa-config/client-profile';
import type { ClientProfileEntries } from 'spa-config/client-profile-entries';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

const MAX_PROFILE_BYTES = 1 << 20;

export interface ProfileLocation {
  readonly path: string;
  /** Named by --config or SPA_CONFIG: then a missing file is an error, not "no profile". */
  readonly explicit: boolean;
}

export interface HostEntry {
  /** The key under `hosts`. */
  readonly name: string;
  readonly entry: HostProfile;
  /** The profile file it came from; relative key files are relative to its directory. */
  readonly profilePath: string;
}

export function homeDirectory(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

export function locateProfile(config: string | undefined, env: NodeJS.ProcessEnv): ProfileLocation {
  if (config !== undefined) return { path: expandHome(config, env), explicit: true };
  if (env.SPA_CONFIG) return { path: expandHome(env.SPA_CONFIG, env), explicit: true };
  return { path: join(homeDirectory(env), '.config', 'spa', 'config.json'), explicit: false };
}

/** Undefined when there is no file at the default path; zod is imported only when there is one. */
export async function loadProfile(location: ProfileLocation): Promise<ClientProfileEntries | undefined> {
  const text = readProfileText(location);
  if (text === undefined) return undefined;
  const json = await parseProfileJson(location.path, text);
  const { parseClientProfileEntries } = await import('spa-config/client-profile-entries');
  try {
    return parseClientProfileEntries(json);
  } catch (cause) {
    throw profileInvalid(location.path, cause);
  }
}

/** The file's text; undefined when the default file does not exist (a named one must). */
export function readProfileText(location: ProfileLocation): string | undefined {
  let text: string;
  try {
    text = readFileSync(location.path, 'utf8');
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ENOENT' && !location.explicit) return undefined;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${location.path}: ${why}`, { cause });
  }
  if (text.length > MAX_PROFILE_BYTES) {
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${location.path}: larger than 1 MiB`);
  }
  return text;
}

/** JSON.parse, and on failure the line and column of the first fault, as the server reports server.json. */
export async function parseProfileJson(path: string, text: string): Promise<unknown> {
  // An editor's byte-order mark is not JSON, but not a mistake either.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (cause) {
    // Only on this path: the scanner is not needed by a file that parses.
    const { locateJsonError } = await import('spa-config/json-position');
    const where = locateJsonError(body);
    const detail = where ? `${where.line}:${where.column}: invalid JSON: ${where.message}` : ': invalid JSON';
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${path}:${detail}`, { cause });
  }
}

/** A profile SpaError (PROFILE_INVALID) as the client's error, naming the file. */
export function profileInvalid(path: string, cause: unknown): ClientError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${path}: ${detail}`, { cause });
}

/**
 * By entry name first, then by an entry's `host` (ssh's %h is the resolved HostName). A broken entry
 * that matches is an error naming its bad field; broken entries that do not match are no concern.
 */
export function findHost(
  profile: ClientProfileEntries,
  host: string,
  profilePath: string,
): HostEntry | undefined {
  const { hosts, broken } = profile;
  const fail = (name: string): never => {
    const { field, message } = broken[name]!;
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `profile ${profilePath}: ${field}: ${message} (the entry for ${name} is unusable until fixed)`,
    );
  };
  if (Object.hasOwn(hosts, host)) return { name: host, entry: hosts[host]!, profilePath };
  if (Object.hasOwn(broken, host)) fail(host);
  for (const [name, entry] of Object.entries(hosts)) {
    if (entry.host === host) return { name, entry, profilePath };
  }
  for (const [name, entry] of Object.entries(broken)) if (entry.host === host) fail(name);
  return undefined;
}

/** `~/x` → `$HOME/x`; other relative paths are relative to `base` when given (the profile's directory). */
export function expandHome(path: string, env: NodeJS.ProcessEnv, base?: string): string {
  if (path === '~') return homeDirectory(env);
  if (path.startsWith('~/')) return join(homeDirectory(env), path.slice(2));
  if (base !== undefined && !isAbsolute(path)) return resolve(dirname(base), path);
  return path;
}
