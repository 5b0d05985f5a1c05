/** The `hooks` section of server.json: a command per grant event, run with the event on stdin, and its bounds. @module */
import { z } from 'zod';

/** The grant events a hook can follow. */
export const HOOK_EVENTS = ['grant', 'extend', 'close', 'expire'] as const;
export type HookEventName = (typeof HOOK_EVENTS)[number];

export const DEFAULT_HOOK_TIMEOUT_MS = 5000;
export const DEFAULT_HOOK_CONCURRENCY = 2;
export const DEFAULT_HOOK_QUEUE = 100;

// An argument array, never a shell line: the daemon runs as root, so the program is an absolute
// path (no PATH lookup) and every argument reaches it as written.
const command = z
  .array(
    z
      .string()
      .min(1)
      .max(4096)
      .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' }),
  )
  .min(1)
  .max(64)
  .refine((argv) => argv.length === 0 || argv[0]!.startsWith('/'), {
    error: 'the first item must be the absolute path of the program (no shell, no PATH lookup)',
  })
  .describe('Program (absolute path) and its arguments; the event is one JSON object on stdin');

export const hooksSchema = z
  .object({
    grant: command.optional(),
    extend: command.optional(),
    close: command.optional(),
    expire: command.optional(),
    timeout: z
      .number()
      .int()
      .min(100)
      .max(600_000)
      .default(DEFAULT_HOOK_TIMEOUT_MS)
      .describe('Milliseconds a hook may run before it (and every process it started) is killed'),
    maxConcurrent: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(DEFAULT_HOOK_CONCURRENCY)
      .describe('Hooks running at once; more wait in the queue'),
    maxQueue: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(DEFAULT_HOOK_QUEUE)
      .describe('Events waiting for a free slot; beyond this they are dropped and counted'),
  })
  .strict();
