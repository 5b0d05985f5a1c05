/** The agent's line protocol: one line `connect HOST PORT\n` (ssh's %h and %p), then the stream is the connection. @module */
import { HOST_TEXT } from '../knock/plan.js';

/** The longest first line, newline included: a 253-byte host name and a port fit with room to spare. */
export const MAX_LINE_BYTES = 512;

/** Why a connection to the agent was closed without a connection behind it; each is counted. */
export const REFUSALS = {
  lineTooLong: 'line-too-long',
  noLine: 'no-line',
  malformed: 'malformed',
  unknownCommand: 'unknown-command',
  badHost: 'bad-host',
  badPort: 'bad-port',
  busy: 'busy',
  unknownHost: 'unknown-host',
  noKey: 'no-key',
  knockFailed: 'knock-failed',
} as const;
export type Refusal = (typeof REFUSALS)[keyof typeof REFUSALS];

export interface ConnectRequest {
  readonly host: string;
  readonly port: number;
}

export type ParsedLine =
  | { readonly ok: true; readonly request: ConnectRequest }
  | { readonly ok: false; readonly refusal: Refusal };

const PORT_TEXT = /^[1-9][0-9]{0,4}$/;
const NEWLINE = 0x0a;

/**
 * Where the first line ends in what has arrived so far: the index after its newline, `undefined` when
 * more may come, or a refusal when the cap is reached without a newline.
 */
export function findLineEnd(received: Uint8Array): number | undefined | Refusal {
  const limit = Math.min(received.length, MAX_LINE_BYTES);
  for (let i = 0; i < limit; i++) if (received[i] === NEWLINE) return i + 1;
  return received.length >= MAX_LINE_BYTES ? REFUSALS.lineTooLong : undefined;
}

/**
 * The first line, newline included. Exactly three words, one space apart: anything else (a second
 * command, a tab, a NUL, a CR) is refused rather than guessed at.
 */
export function parseRequestLine(line: Uint8Array): ParsedLine {
  if (line.length === 0 || line.length > MAX_LINE_BYTES || line[line.length - 1] !== NEWLINE) {
    return { ok: false, refusal: REFUSALS.malformed };
  }
  const text = _printableAscii(line.subarray(0, line.length - 1));
  if (text === undefined) return { ok: false, refusal: REFUSALS.malformed };
  const words = text.split(' ');
  if (words[0] !== 'connect') return { ok: false, refusal: REFUSALS.unknownCommand };
  if (words.length !== 3) return { ok: false, refusal: REFUSALS.malformed };
  const [, host, portText] = words as [string, string, string];
  if (!HOST_TEXT.test(host)) return { ok: false, refusal: REFUSALS.badHost };
  const port = PORT_TEXT.test(portText) ? Number(portText) : 0;
  if (port < 1 || port > 65_535) return { ok: false, refusal: REFUSALS.badPort };
  return { ok: true, request: { host, port } };
}

/** The bytes as text when every one is printable ASCII (space to ~), else undefined. */
function _printableAscii(bytes: Uint8Array): string | undefined {
  let text = '';
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) return undefined;
    text += String.fromCharCode(b);
  }
  return text;
}
