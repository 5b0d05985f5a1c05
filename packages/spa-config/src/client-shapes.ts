/** Client entries of one template, validated by the schema once per shape: a fleet's files differ in name and key only. Pure. @module */

import { parseClientPublicKeyDeferred } from 'spa-protocol';
import type { z } from 'zod';
import { clientConfigSchema } from './client-config-schema.js';
import { CLIENT_NAME_PATTERN } from './config-values.js';
import { configErrorMap } from './format-issues.js';
import type { ClientConfig } from './server-config-types.js';

/** Distinct shapes remembered; a fleet has a handful (one per template and set of services). */
const MAX_SHAPES = 1024;
const NAME = new RegExp(CLIENT_NAME_PATTERN);

/** The entry without its name and key, as the schema returned it. */
type Rest = Omit<ClientConfig, 'name' | 'publicKey'>;

/**
 * The schema's verdict on client entries, made by the schema for every shape it has not seen: an
 * entry whose fields other than `name` and `publicKey` are, as JSON, those of an entry the schema
 * accepted gets that entry's values (defaults applied, shared and frozen) with its own name and key,
 * checked by the pattern and the function the schema itself uses. Anything else, and any name or key
 * those checks refuse, goes to the schema, whose issues are then the one-line errors as before. The
 * schema has no check across fields, so a field's verdict does not depend on the others.
 */
export class ClientShapes {
  readonly #rests = new Map<string, Rest>();

  safeParse(entry: Readonly<Record<string, unknown>>): z.ZodSafeParseResult<ClientConfig> {
    const { name, publicKey, ...rest } = entry;
    const shape = JSON.stringify(rest);
    const known = this.#rests.get(shape);
    if (known && typeof name === 'string' && typeof publicKey === 'string' && NAME.test(name)) {
      if (acceptsKey(publicKey)) return { success: true, data: { ...known, name, publicKey } };
    }
    const result = clientConfigSchema.safeParse(entry, { error: configErrorMap });
    if (result.success && !known) this.#remember(shape, result.data);
    return result;
  }

  #remember(shape: string, data: ClientConfig): void {
    if (this.#rests.size >= MAX_SHAPES) this.#rests.clear();
    const { name: _name, publicKey: _publicKey, ...rest } = data;
    // Shared by every entry of the shape: frozen, so that no holder can change another's.
    for (const value of Object.values(rest)) if (Array.isArray(value)) Object.freeze(value);
    this.#rests.set(shape, Object.freeze(rest));
  }
}

function acceptsKey(text: string): boolean {
  try {
    parseClientPublicKeyDeferred(text);
    return true;
  } catch {
    return false;
  }
}
