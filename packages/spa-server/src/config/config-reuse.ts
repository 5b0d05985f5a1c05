/** What a reload may take over from the load before it: files read, clients resolved, key verdicts and secrets. @module */
import type { ClientConfig } from 'spa-config/server-config';
import { ClientFileMemo } from './client-file-memo.js';
import { ClientsDirCache } from './clients-dir-cache.js';
import { KeyCache } from './key-cache.js';
import type { ResolvedClient } from './resolved-config.js';

/**
 * Held by the running daemon from start to stop and handed to every loadConfig, so that a reload
 * costs the files and keys that changed plus a readdir and an lstat per file.
 */
export interface ConfigReuse {
  /** clientsDir: each file's parse and validation, by the file's identity. */
  readonly files: ClientFileMemo;
  /** Each unchanged ClientConfig's resolved form (key decoded, key id hashed), per server maxDuration. */
  readonly resolved: WeakMap<ClientConfig, { readonly maxDuration: number; readonly client: ResolvedClient }>;
  /** stateDir's cache of §1 verdicts and §6.1 secrets: what a restart need not compute again. */
  readonly keys: KeyCache;
  /** stateDir's copy of `files`: what a restart need not read and validate again. */
  readonly dir: ClientsDirCache;
  /**
   * The daemon's user: its server key and Redis password files must be this user's or root's. Only
   * the daemon's loads compare it: `spa-server check` or `status` run by root read the key of a daemon
   * run as its own user, which root may trust. Undefined: no user ids on this platform.
   */
  readonly owner: number | undefined;
}

/**
 * `build`: the daemon's version and code; a key cache or clients-dir cache written by another build is
 * not used. Without one (sources run unbundled) no clients-dir cache is kept, and the key cache is
 * bound to its format alone.
 */
export function createConfigReuse(build: string | undefined): ConfigReuse {
  return {
    files: new ClientFileMemo(),
    resolved: new WeakMap(),
    keys: new KeyCache(build),
    dir: new ClientsDirCache(build),
    owner: process.getuid?.(),
  };
}
