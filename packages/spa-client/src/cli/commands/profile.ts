/** `spa-client profile add|list|show`: manage the profile file that `spa-server client-config` output goes into. @module */
import { readFileSync } from 'node:fs';
import { suggestion } from 'spa-node/suggest';
import { mergeProfile } from '../../profile/merge-profile.js';
import {
  findHost,
  loadProfile,
  locateProfile,
  parseProfileJson,
  profileInvalid,
  readProfileText,
} from '../../profile/profile.js';
import { writeProfileFile } from '../../profile/write-profile.js';
import { flag, parseCommandArgs, stringOption } from '../args.js';
import { CLIENT_ERROR_CODES, ClientError, usageError } from '../errors.js';
import { clip, printable } from '../option-values.js';
import { writeOut } from '../output.js';

const SUBCOMMANDS = ['add', 'list', 'show'];
const MAX_INPUT_BYTES = 1 << 20;

export async function runProfile(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('profile', argv, { force: { type: 'boolean' } });
  const [sub, ...operands] = args.positionals;
  if (flag(args, 'help') || sub === undefined) {
    const { HELP } = await import('../help.js');
    writeOut(sub === undefined && !flag(args, 'help') ? 2 : 1, `${HELP.profile}\n`);
    return sub === undefined && !flag(args, 'help') ? 64 : 0;
  }
  if (!SUBCOMMANDS.includes(sub)) {
    throw usageError(
      `profile: unknown command '${clip(sub)}'${suggestion(sub, SUBCOMMANDS)} (add, list, show)`,
    );
  }
  if (flag(args, 'force') && sub !== 'add') throw usageError(`profile ${sub}: --force is for profile add`);
  const location = locateProfile(stringOption(args, 'config'), process.env);
  const json = flag(args, 'json');
  if (sub === 'add') {
    if (operands.length > 1) throw usageError(`profile add: one FILE at most, got "${clip(operands[1]!)}"`);
    return addEntries(location.path, operands[0] ?? '-', flag(args, 'force'), json);
  }
  const profile = await loadProfile(location);
  if (sub === 'list') {
    if (operands.length > 0) throw usageError(`profile list: unexpected argument "${clip(operands[0]!)}"`);
    const entries = [
      ...Object.entries(profile?.hosts ?? {}).map(([name, e]) => ({
        name,
        host: e.host ?? name,
        port: e.port ?? 62201,
        services:
          e.services === undefined ? [] : Array.isArray(e.services) ? e.services : Object.keys(e.services),
      })),
      ...Object.entries(profile?.broken ?? {}).map(([name, b]) => ({
        name,
        error: `${b.field}: ${b.message}`,
      })),
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (json) writeOut(1, `${JSON.stringify({ profile: location.path, hosts: entries })}\n`);
    else if (entries.length === 0) writeOut(2, `spa-client: no entries in ${location.path}\n`);
    else {
      for (const e of entries) {
        const line =
          'error' in e
            ? `${e.name}  BROKEN: ${e.error}`
            : `${e.name}  ${e.host} port ${e.port}  ${e.services.join(', ') || '(no services)'}`;
        writeOut(1, `${printable(line)}\n`);
      }
    }
    return 0;
  }
  if (operands.length !== 1) throw usageError('profile show: name one entry (profile show NAME)');
  const name = operands[0]!;
  const found = profile ? findHost(profile, name, location.path) : undefined;
  if (!found) {
    const names = [...Object.keys(profile?.hosts ?? {}), ...Object.keys(profile?.broken ?? {})];
    throw new ClientError(
      CLIENT_ERROR_CODES.hostUnknown,
      `profile ${location.path}: no entry "${clip(name)}"${suggestion(name, names)}${names.length > 0 ? ` (entries: ${names.slice(0, 20).join(', ')})` : ''}`,
    );
  }
  const shown = { hosts: { [found.name]: found.entry } };
  writeOut(1, `${JSON.stringify(shown, null, json ? undefined : 2)}\n`);
  return 0;
}

/** Reads client-config output from FILE or stdin (`-`), checks it whole, and merges it into the profile file. */
async function addEntries(path: string, source: string, force: boolean, json: boolean): Promise<number> {
  const label = source === '-' ? 'stdin' : source;
  const text = source === '-' ? await readStdin() : readInput(source);
  const { parseClientProfile } = await import('spa-config/client-profile');
  let incoming: ReturnType<typeof parseClientProfile>;
  try {
    incoming = parseClientProfile(await parseProfileJson(label, text));
  } catch (cause) {
    throw cause instanceof ClientError ? cause : profileInvalid(label, cause);
  }
  if (Object.keys(incoming.hosts).length === 0) throw usageError(`profile add: ${label} has no hosts`);
  // The file's own JSON, so that entries this client version cannot use are kept as they were.
  const existingText = readProfileText({ path, explicit: false });
  let existing: unknown;
  if (existingText !== undefined) {
    existing = await parseProfileJson(path, existingText);
    const { parseClientProfileEntries } = await import('spa-config/client-profile-entries');
    try {
      parseClientProfileEntries(existing);
    } catch (cause) {
      throw profileInvalid(path, cause);
    }
  }
  const { merged, added, replaced } = mergeProfile(existing, incoming, force, path);
  try {
    await writeProfileFile(path, `${JSON.stringify(merged, null, 2)}\n`);
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? String(cause);
    throw new ClientError(CLIENT_ERROR_CODES.cannotCreate, `profile ${path}: cannot write (${code})`, {
      cause,
    });
  }
  if (json) writeOut(1, `${JSON.stringify({ profile: path, added, replaced })}\n`);
  else {
    for (const name of added) writeOut(1, `added ${printable(name)} to ${path}\n`);
    for (const name of replaced) writeOut(1, `replaced ${printable(name)} in ${path}\n`);
  }
  return 0;
}

function readInput(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.length > MAX_INPUT_BYTES) throw usageError(`profile add: ${file} is larger than 1 MiB`);
    return text;
  } catch (cause) {
    if (cause instanceof ClientError) throw cause;
    const code = (cause as { code?: string }).code;
    throw usageError(`profile add: cannot read ${file} (${code === 'ENOENT' ? 'no such file' : code})`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_INPUT_BYTES) throw usageError('profile add: stdin is larger than 1 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
