/** One file of the clients directory: `NAME.json` holding one client entry as server.json has it. Pure. @module */
import { type ClientConfig, ClientShapes, formatIssues, locateJsonError } from 'spa-config/server-config';

/** Why a name in the directory is skipped without a word, or undefined when it is a client file. */
export type IgnoredReason = 'hidden' | 'editor' | 'package-manager';

/** Suffix of the files that hold clients. */
export const CLIENT_FILE_SUFFIX = '.json';

/*
 * Editors, configuration-management tools and package managers leave files next to the ones they
 * write: a swap file while a client is edited, a `.tmp`/dotfile while one is written, `.dpkg-old`
 * after an upgrade. None of them is a client, and none is a mistake worth refusing a reload for.
 */
const EDITOR = /(~|\.sw[a-p]|\.tmp|\.bak|\.orig|\.rej)$|^#.*#$/;
const PACKAGE_MANAGER = /\.(dpkg-[a-z]+|rpmnew|rpmsave|rpmorig|ucf-[a-z]+)$/;

/** Names the loader skips silently: dotfiles, editor and package-manager leftovers. */
export function ignoredName(name: string): IgnoredReason | undefined {
  if (name.startsWith('.')) return 'hidden';
  if (EDITOR.test(name)) return 'editor';
  if (PACKAGE_MANAGER.test(name)) return 'package-manager';
  return undefined;
}

/*
 * A fleet's files come from a few templates: the schema validates each template's fields once, and
 * each file's name and key with the schema's own checks (spa-config's ClientShapes).
 */
const shapes = new ClientShapes();

export type ClientFileResult =
  | { readonly ok: true; readonly client: ClientConfig }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Parses `text`, the contents of the file `fileName` (`alice.json`), reported as `label` (its path).
 * The client is named after the file; a `name` field, when present, must say the same. Every
 * problem is one line: `LABEL: FIELD: what is wrong`, or `LABEL:LINE:COLUMN: invalid JSON: ...`.
 */
export function parseClientFile(text: string, fileName: string, label: string): ClientFileResult {
  const name = fileName.slice(0, -CLIENT_FILE_SUFFIX.length);
  // Editors on some systems save a byte-order mark; it is not JSON but it is not a mistake either.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    const where = locateJsonError(body);
    const detail = where ? `${where.line}:${where.column}: invalid JSON: ${where.message}` : ' invalid JSON';
    return { ok: false, problems: [`${label}:${detail}`] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problems: [`${label}: (top level): expected an object (one client entry)`] };
  }
  const entry = value as Record<string, unknown>;
  const problems: string[] = [];
  if (entry.name !== undefined && entry.name !== name) {
    problems.push(`${label}: name: ${JSON.stringify(entry.name)} is not the file's name ("${name}")`);
  }
  const result = shapes.safeParse({ ...entry, name });
  if (!result.success) {
    for (const line of formatIssues(result.error.issues)) {
      // The name comes from the file, so a bad one is the file's fault, not a field's.
      problems.push(line.startsWith('name:') ? `${label}: file name: ${line.slice(6)}` : `${label}: ${line}`);
    }
  }
  if (problems.length > 0 || !result.success) return { ok: false, problems };
  return { ok: true, client: result.data };
}
