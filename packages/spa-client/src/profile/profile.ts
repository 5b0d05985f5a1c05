/** Finds, reads and validates the profile file (--config, SPA_CONFIG, ~/.config/spa/config.json) and looks a host up in it. @module */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { ClientProfileFile, HostProfile } from 'spa-config/client-profile';
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
export async function loadProfile(location: ProfileLocation): Promise<ClientProfileFile | undefined> {
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
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `profile ${location.path}: not valid JSON (${detail})`,
      {
        cause,
      },
    );
  }
  const { parseClientProfile } = await import('spa-config/client-profile');
  try {
    return parseClientProfile(json);
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(CLIENT_ERROR_CODES.configInvalid, `profile ${location.path}: ${detail}`, { cause });
  }
}

/** By entry name first, then by an entry's `host` (ssh's %h is the resolved HostName). */
export function findHost(
  profile: ClientProfileFile,
  host: string,
  profilePath: string,
): HostEntry | undefined {
  const hosts = profile.hosts;
  if (Object.hasOwn(hosts, host)) return { name: host, entry: hosts[host]!, profilePath };
  for (const [name, entry] of Object.entries(hosts)) {
    if (entry.host === host) return { name, entry, profilePath };
  }
  return undefined;
}

/** `~/x` → `$HOME/x`; other relative paths are relative to `base` when given (the profile's directory). */
export function expandHome(path: string, env: NodeJS.ProcessEnv, base?: string): string {
  if (path === '~') return homeDirectory(env);
  if (path.startsWith('~/')) return join(homeDirectory(env), path.slice(2));
  if (base !== undefined && !isAbsolute(path)) return resolve(dirname(base), path);
  return path;
}
