/** Merges the entries `spa-server client-config` prints into a profile file's JSON: new names added, existing ones only with force. @module */
import type { ClientProfileFile } from 'spa-config/client-profile';
import { CLIENT_ERROR_CODES, ClientError } from '../cli/errors.js';

export interface MergeResult {
  /** The whole file as it is to be written; every entry not named in the input is kept as it was. */
  readonly merged: { hosts: Record<string, unknown> } & Record<string, unknown>;
  readonly added: readonly string[];
  readonly replaced: readonly string[];
}

/**
 * `existing` is the profile file's parsed JSON (its outline already checked), or undefined when there
 * is no file. An entry that exists is replaced only with `force`, as fwknop's --save-rc-stanza does.
 */
export function mergeProfile(
  existing: unknown,
  incoming: ClientProfileFile,
  force: boolean,
  path: string,
): MergeResult {
  const base = (existing ?? { hosts: {} }) as { hosts: Record<string, unknown> };
  const hosts = { ...base.hosts };
  const names = Object.keys(incoming.hosts);
  const taken = names.filter((name) => Object.hasOwn(hosts, name));
  if (taken.length > 0 && !force) {
    throw new ClientError(
      CLIENT_ERROR_CODES.cannotCreate,
      `profile ${path}: ${taken.map((n) => `"${n}"`).join(', ')} already ${taken.length === 1 ? 'has an entry' : 'have entries'}; nothing written (--force replaces ${taken.length === 1 ? 'it' : 'them'})`,
    );
  }
  for (const name of names) hosts[name] = incoming.hosts[name];
  return {
    merged: { ...base, hosts },
    added: names.filter((n) => !taken.includes(n)),
    replaced: taken,
  };
}
