/** Typed errors for API misuse and bad keys; network input never throws (see refusal.ts). @module */

export const ERROR_CODES = {
  invalidArgument: 'INVALID_ARGUMENT',
  invalidKey: 'INVALID_KEY',
  weakKey: 'WEAK_KEY',
  invalidRequest: 'INVALID_REQUEST',
  requestTooLarge: 'REQUEST_TOO_LARGE',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class SpaError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpaError';
    this.code = code;
  }
}

/** Throws INVALID_ARGUMENT unless `value` is a Uint8Array of `length` bytes (when given). */
export function assertBytes(value: unknown, length: number | undefined, name: string): Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new SpaError(ERROR_CODES.invalidArgument, `${name} must be a Uint8Array`);
  }
  if (length !== undefined && value.length !== length) {
    throw new SpaError(ERROR_CODES.invalidArgument, `${name} must be ${length} bytes, got ${value.length}`);
  }
  return value;
}
