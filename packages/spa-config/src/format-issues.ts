/** Turns zod issues into one-line problems that name the field (`clients[1].publicKey: ...`). @module */
import type { z } from 'zod';

/** `['clients', 1, 'publicKey']` → `clients[1].publicKey`; odd keys are quoted: `services["a b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) {
      out += out === '' ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(top level)' : out;
}

/**
 * Messages for the issues that no schema check words itself. Passed to safeParse so that every issue
 * reads as plain English and none echoes more of the input than a short value.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? 'is required'
        : `expected ${article(issue.expected)}, got ${kindOf(issue.input)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array'
        ? `must have at least ${issue.minimum} item${Number(issue.minimum) === 1 ? '' : 's'}`
        : issue.origin === 'string'
          ? 'must not be empty'
          : `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `must have at most ${issue.maximum} items`
        : issue.origin === 'string'
          ? `must be at most ${issue.maximum} characters`
          : `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    default:
      return undefined;
  }
};

/** One line per problem; an unknown key gets its own line naming it, and the keys that are allowed. */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...path, key])}: unknown field`);
    } else if (issue.code === 'invalid_key' || issue.code === 'invalid_element') {
      // Record keys: the nested issue says what is wrong with the key itself.
      const inner = issue.issues[0];
      lines.push(`${formatPath(path)}: ${inner?.message ?? issue.message}`);
    } else {
      lines.push(`${formatPath(path)}: ${issue.message}`);
    }
  }
  return lines;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isInteger(value)) return `${value}`;
  if (typeof value === 'number') return `the number ${value}`;
  return article(typeof value);
}
