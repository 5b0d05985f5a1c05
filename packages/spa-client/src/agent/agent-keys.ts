/** What the agent reads once at start: the profile, and the private key of every host in it, held in memory. @module */

import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';
import type { LoadedProfile } from '../knock/plan.js';
import {
  chooseKeySource,
  describeKeySource,
  type KeySource,
  loadPrivateKey,
} from '../profile/private-key.js';
import { expandHome, loadProfile, locateProfile } from '../profile/profile.js';

export interface AgentKeys {
  readonly loaded: LoadedProfile;
  /** The hosts whose key loaded, by entry name. */
  readonly hosts: readonly string[];
  /** The key for a key source, if it was loaded at start; a source not seen then is refused. */
  keyFor(source: KeySource): Uint8Array | undefined;
  /** Zeroes every key (at exit). */
  wipe(): void;
}

/**
 * The profile (--config, SPA_CONFIG or the default) must exist: the agent knocks only for hosts it
 * names. A host whose key cannot be loaded is reported through `warn` and refused later; none at all
 * is an error.
 */
export async function loadAgentKeys(
  config: string | undefined,
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void,
): Promise<AgentKeys> {
  const location = locateProfile(config, env);
  const file = await loadProfile({ ...location, explicit: true });
  const keys = new Map<string, Uint8Array>();
  const hosts: string[] = [];
  for (const [name, entry] of Object.entries(file?.hosts ?? {})) {
    try {
      const keyFile = entry.keyFile === undefined ? undefined : expandHome(entry.keyFile, env, location.path);
      const source = chooseKeySource(undefined, env, keyFile);
      const id = _sourceId(source);
      if (!keys.has(id)) keys.set(id, await loadPrivateKey(source, env));
      hosts.push(name);
    } catch (error) {
      warn(`${name}: no key, refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (hosts.length === 0) {
    throw new ClientError(
      CLIENT_ERROR_CODES.configInvalid,
      `profile ${location.path}: no host with a usable key; the agent knocks only for hosts of the profile`,
    );
  }
  return {
    loaded: { location, file },
    hosts,
    keyFor: (source) => keys.get(_sourceId(source)),
    wipe() {
      for (const key of keys.values()) key.fill(0);
      keys.clear();
    },
  };
}

function _sourceId(source: KeySource): string {
  return source.kind === 'file' ? `file:${source.path}` : describeKeySource(source);
}
