/** Finds where JSON text first goes wrong, as line and column: JSON.parse does not always say. @module */

export interface JsonErrorLocation {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
  readonly message: string;
}

/**
 * Scans `text` as RFC 8259 JSON and returns the first error, or undefined when it is valid.
 * Iterative (an explicit stack), so hostile nesting cannot overflow the call stack.
 */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let i = 0;
  const fail = (message: string): JsonErrorLocation => at(text, i, message);
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  // 'v' = a value is expected; '}' / ']' = inside an object / array, after a value.
  const stack: ('{' | '[')[] = [];
  let expectValue = true;
  for (;;) {
    skipSpace();
    if (expectValue) {
      const c = text[i];
      if (c === undefined) return fail('unexpected end of input: a value is missing');
      if (c === '{' || c === '[') {
        i++;
        skipSpace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          expectValue = false;
          if (stack.length === 0) break;
          continue;
        }
        stack.push(c);
        if (c === '{' && !readKey()) return fail(keyProblem());
        continue;
      }
      const end = scanScalar(text, i);
      if (typeof end === 'string') return fail(end);
      i = end;
      expectValue = false;
      if (stack.length === 0) break;
      continue;
    }
    const top = stack[stack.length - 1]!;
    const c = text[i];
    if (c === ',') {
      i++;
      if (top === '{' && !readKey()) return fail(keyProblem());
      expectValue = true;
    } else if ((top === '{' && c === '}') || (top === '[' && c === ']')) {
      i++;
      stack.pop();
      if (stack.length === 0) break;
    } else {
      return fail(
        c === undefined ? 'unexpected end of input' : `expected "," or "${top === '{' ? '}' : ']'}"`,
      );
    }
  }
  skipSpace();
  return i < text.length ? fail('unexpected text after the end of the JSON value') : undefined;

  // Reads `"key" :` and leaves i at the value; false (i at the fault) when it is not there.
  function readKey(): boolean {
    skipSpace();
    if (text[i] !== '"') return false;
    const end = scanScalar(text, i);
    if (typeof end === 'string') return false;
    i = end;
    skipSpace();
    if (text[i] !== ':') return false;
    i++;
    return true;
  }
  function keyProblem(): string {
    if (text[i] !== '"') return 'expected a double-quoted property name';
    const end = scanScalar(text, i);
    return typeof end === 'string' ? end : 'expected ":" after the property name';
  }
}

const LITERAL = /true|false|null/y;
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
// RFC 8259 §7: control characters (U+0000-U+001F) must be escaped inside strings.
// biome-ignore lint/suspicious/noControlCharactersInRegex: excluding them is the point
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;

/** The index after the scalar at `i`, or what is wrong there. */
function scanScalar(text: string, i: number): number | string {
  for (const re of [STRING, NUMBER, LITERAL]) {
    re.lastIndex = i;
    if (re.test(text)) return re.lastIndex;
  }
  if (text[i] === '"') return 'unterminated string, or a bad escape or control character in it';
  if (text[i] === "'") return 'strings need double quotes';
  return `unexpected ${JSON.stringify(text.slice(i, i + 1))}: expected a value`;
}

function at(text: string, index: number, message: string): JsonErrorLocation {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < index && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: index - lineStart + 1, message };
}
