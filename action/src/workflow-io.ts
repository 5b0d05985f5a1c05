/** What a JavaScript action reads from and writes to the runner: INPUT_* variables, workflow commands, the GITHUB_OUTPUT/GITHUB_STATE files. @module */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/** The variable the runner sets for input NAME: INPUT_ + upper case, spaces as `_` (dashes stay). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function readInput(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[inputVariable(name)] ?? '').trim();
}

/** Post steps get what main saved with saveState as STATE_NAME. */
export function readState(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[`STATE_${name}`] ?? '';
}

/** Escaping from the runner's command grammar: `%`, CR and LF would end or forge a command. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function issue(command: string, message: string): void {
  process.stdout.write(`::${command}::${escapeData(message)}\n`);
}

/**
 * The runner replaces every later occurrence of `value` in the log with ***. A multi-line secret is
 * masked line by line, because the runner matches each registered value within one line.
 */
export function maskSecret(value: string): void {
  for (const line of value.split(/\r?\n/)) {
    const text = line.trim();
    if (text !== '') issue('add-mask', text);
  }
}

export const logInfo = (message: string): void => void process.stdout.write(`${message}\n`);
export const logWarning = (message: string): void => issue('warning', message);
export const logError = (message: string): void => issue('error', message);

/**
 * NAME<<DELIMITER, the value, DELIMITER: the file format that allows any value. The delimiter is
 * random so that a value can never end the block early and forge another entry.
 */
function appendEntry(file: string | undefined, what: string, name: string, value: string): void {
  if (!file) throw new Error(`${what} is not set: not running as a GitHub Actions step`);
  const delimiter = `spa_${randomBytes(12).toString('hex')}`;
  appendFileSync(file, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  appendEntry(env.GITHUB_OUTPUT, 'GITHUB_OUTPUT', name, value);
}

export function saveState(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  appendEntry(env.GITHUB_STATE, 'GITHUB_STATE', name, value);
}
