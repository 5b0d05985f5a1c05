/** The authorized-keys file: one client per line, `spa-ed25519:KEY name=alice services=ssh,web ...`. Pure. @module */
import {
  type ClientConfig,
  type ClientConfigInput,
  clientConfigSchema,
  configErrorMap,
} from 'spa-config/server-config';

/** A client read from the file, with the line it came from (1-based). */
export interface AuthorizedKey {
  readonly line: number;
  readonly client: ClientConfig;
}

export interface AuthorizedKeys {
  readonly keys: readonly AuthorizedKey[];
  /** `FILE:LINE: option: what is wrong`, one per problem. */
  readonly problems: readonly string[];
}

/** Option name in the file → field of a client in server.json. */
const OPTIONS = {
  name: 'name',
  services: 'services',
  'max-duration': 'maxDuration',
  from: 'sourceNetworks',
  'allow-source': 'allowSourceAddress',
  'one-shot': 'oneShot',
  expires: 'expires',
} as const;
type OptionName = keyof typeof OPTIONS;
const OPTION_OF_FIELD = new Map<string, string>(
  Object.entries(OPTIONS).map(([option, field]) => [field, option]),
);

export const MAX_LINE_LENGTH = 4096;
/** The flag allow-source replaced (with the opposite meaning): named so the error says so. */
const RENAMED_OPTION = 'require-addresses';

/** How a client field is called in this file (`maxDuration` → `max-duration`), for messages. */
export function optionOfField(field: string): string {
  return field === 'publicKey' ? 'key' : (OPTION_OF_FIELD.get(field) ?? field);
}

/**
 * Parses the file's text. Blank lines and lines starting with `#` are ignored, as is everything from
 * ` #` on. Each entry goes through the same schema as a client in server.json.
 */
export function parseAuthorizedKeys(text: string, label: string): AuthorizedKeys {
  const keys: AuthorizedKey[] = [];
  const problems: string[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = i + 1;
    const content = raw.replace(/(^|\s)#.*$/, '').trim();
    if (content === '') continue;
    const report = (option: string, message: string): void => {
      problems.push(`${label}:${line}: ${option}: ${message}`);
    };
    if (content.length > MAX_LINE_LENGTH) {
      report('line', `longer than ${MAX_LINE_LENGTH} characters`);
      continue;
    }
    const input = readLine(content, report);
    if (!input) continue;
    const result = clientConfigSchema.safeParse(input, { error: configErrorMap });
    if (result.success) {
      keys.push({ line, client: result.data });
      continue;
    }
    for (const issue of result.error.issues) {
      report(optionOfField(String(issue.path[0] ?? 'publicKey')), issue.message);
    }
  }
  return { keys, problems };
}

/** `KEY opt=value flag ...` → a client entry as server.json would have it; undefined after a report. */
function readLine(
  content: string,
  report: (option: string, message: string) => void,
): ClientConfigInput | undefined {
  const [publicKey = '', ...words] = content.split(/\s+/);
  if (publicKey.includes('=')) {
    report('key', 'a line must start with the public key (spa-ed25519:...)');
    return undefined;
  }
  const entry: Record<string, unknown> = { publicKey };
  const seen = new Set<string>();
  let ok = true;
  for (const word of words) {
    const eq = word.indexOf('=');
    const option = eq === -1 ? word : word.slice(0, eq);
    const value = eq === -1 ? undefined : word.slice(eq + 1);
    if (option === RENAMED_OPTION) {
      report(option, 'replaced by allow-source: signed addresses are now required by default (remove it)');
      ok = false;
      continue;
    }
    if (!Object.hasOwn(OPTIONS, option)) {
      // Only echo what looks like an option name: a stray word may be a pasted private key.
      const shown = /^[a-z][a-z-]{0,31}$/.test(option) ? option : `word ${words.indexOf(word) + 2}`;
      report(shown, `unknown option (options are: ${Object.keys(OPTIONS).join(', ')})`);
      ok = false;
      continue;
    }
    if (seen.has(option)) {
      report(option, 'given twice');
      ok = false;
      continue;
    }
    seen.add(option);
    const converted = convert(option as OptionName, value);
    if (converted instanceof Problem) {
      report(option, converted.message);
      ok = false;
    } else entry[OPTIONS[option as OptionName]] = converted;
  }
  return ok ? (entry as unknown as ClientConfigInput) : undefined;
}

class Problem {
  constructor(readonly message: string) {}
}

/** An option's text → the value server.json would hold; the schema checks it afterwards. */
function convert(
  option: OptionName,
  value: string | undefined,
): string | string[] | number | boolean | Problem {
  if (option === 'allow-source' || option === 'one-shot') {
    return value === undefined ? true : new Problem('is a flag and takes no value');
  }
  if (value === undefined || value === '') return new Problem(`needs a value (${option}=...)`);
  if (option === 'services' || option === 'from') return value.split(',');
  if (option === 'max-duration') {
    return /^\d{1,9}$/.test(value)
      ? Number(value)
      : new Problem(`"${value}" is not a whole number of seconds`);
  }
  return value;
}
