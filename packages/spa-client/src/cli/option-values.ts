/** Validates option values (ports, seconds, ACCESS words) into numbers and access items, naming the option on error. @module */
import { type AccessItem, formatAccess, MAX_ACCESS_ITEMS, parseAccess } from 'spa-protocol';
import { usageError } from './errors.js';

/** A port 1-65535, decimal digits only: `--port 0x16` or `--port 22.0` are mistakes, not 22. */
export function parsePortOption(option: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw usageError(`--${option}: expected a port number 1-65535, got "${clip(text)}"`);
  }
  return Number(text);
}

/** Whole seconds (the wire carries a 32-bit count); `--timeout` also takes decimals for sub-second tests. */
export function parseSecondsOption(
  option: string,
  text: string,
  { min = 0, max = 0xffffffff, fraction = false }: { min?: number; max?: number; fraction?: boolean } = {},
): number {
  const pattern = fraction ? /^\d{1,10}(\.\d{1,3})?$/ : /^\d{1,10}$/;
  const value = Number(text);
  if (!pattern.test(text) || value < min || value > max) {
    throw usageError(
      `--${option}: expected ${fraction ? 'a number of' : 'whole'} seconds ${min}-${max}, got "${clip(text)}"`,
    );
  }
  return value;
}

const OFFSET_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 };
/** A week, as the profile's timeOffset: a clock further off is to be fixed, not corrected for. */
const MAX_TIME_OFFSET_SECONDS = 604_800;

/** `--time-offset`: signed seconds, or with a unit (`-90`, `+2m`, `1h`, `-1d`), at most a week either way. */
export function parseTimeOffset(text: string): number {
  const match = /^([+-]?)(\d{1,7})([smhd]?)$/.exec(text);
  const seconds = match ? Number(match[2]) * OFFSET_UNITS[match[3]!]! * (match[1] === '-' ? -1 : 1) : NaN;
  if (!(Math.abs(seconds) <= MAX_TIME_OFFSET_SECONDS)) {
    throw usageError(
      `--time-offset: expected seconds, or a number with s, m, h or d (-90, +2m, 1h), at most a week either way, got "${clip(text)}"`,
    );
  }
  return seconds;
}

/** ACCESS words → access items, duplicates dropped (the wire format forbids them). */
export function parseAccessList(words: readonly string[]): AccessItem[] {
  const items = new Map<string, AccessItem>();
  for (const word of words) {
    const item = parseAccess(word);
    if (!item) {
      throw usageError(
        `not a service name, tcp/PORT or udp/PORT: "${clip(word)}" (service names are [a-z0-9][a-z0-9_-]*)`,
      );
    }
    items.set(formatAccess(item), item);
  }
  if (items.size > MAX_ACCESS_ITEMS)
    throw usageError(`at most ${MAX_ACCESS_ITEMS} services or ports per request`);
  return [...items.values()];
}

/** Echo at most a short, printable piece of user input in messages. */
export function clip(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

/**
 * Text from a file, whole, for a terminal: control characters (C0, DEL, C1) become `?`, so a
 * profile someone else wrote cannot move the cursor, retitle the window or clear the screen.
 */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}
