/** A profile file checked entry by entry: a broken host entry is named, and the others stay usable. @module */
import { ERROR_CODES, SpaError } from 'spa-protocol';
import {
  type ClientProfileFile,
  firstProblem,
  type HostProfile,
  hostProfileSchema,
  profileError,
  profileOutlineSchema,
} from './client-profile.js';
import { formatPath } from './format-issues.js';

/** An entry that does not match the schema, kept so that using it names the problem. */
export interface BrokenHost {
  /** The first bad field's path, `hosts["vpn"].serverKey`. */
  readonly field: string;
  readonly message: string;
  /** The entry's `host` when it is a string, so that a lookup by address still finds (and names) it. */
  readonly host: string | undefined;
}

export interface ClientProfileEntries extends ClientProfileFile {
  readonly broken: Readonly<Record<string, BrokenHost>>;
}

/**
 * Checks the outline (an object with `hosts`, nothing else) as a whole and each entry alone. Throws
 * SpaError PROFILE_INVALID only for the outline; a bad entry lands in `broken`.
 */
export function parseClientProfileEntries(value: unknown): ClientProfileEntries {
  const outline = profileOutlineSchema.safeParse(value);
  if (!outline.success) {
    const { field, message } = firstProblem(outline.error.issues, []);
    throw profileError(field, message, outline.error);
  }
  const hosts: Record<string, HostProfile> = {};
  const broken: Record<string, BrokenHost> = {};
  for (const [name, entry] of Object.entries(outline.data.hosts)) {
    const result = hostProfileSchema.safeParse(entry);
    if (result.success) {
      hosts[name] = result.data;
      continue;
    }
    const { field, message } = firstProblem(result.error.issues, ['hosts', name]);
    const host = (entry as { host?: unknown } | null)?.host;
    broken[name] = { field: formatPath(field), message, host: typeof host === 'string' ? host : undefined };
  }
  return { hosts, broken };
}

/** The error for using a broken entry: SpaError PROFILE_INVALID naming the entry's bad field. */
export function brokenHostError(broken: BrokenHost): SpaError {
  return new SpaError(ERROR_CODES.invalidProfile, `${broken.field}: ${broken.message}`, {
    field: broken.field,
  });
}
