/** SpaError, the one error class of spa-protocol, spa-config and spa-node; network input never throws (see refusal.ts). @module */

/** One object for the three shared packages: the CLIs map each code to an exit code in one place each. */
export const ERROR_CODES = {
  invalidArgument: 'INVALID_ARGUMENT',
  invalidKey: 'INVALID_KEY',
  weakKey: 'WEAK_KEY',
  invalidRequest: 'INVALID_REQUEST',
  requestTooLarge: 'REQUEST_TOO_LARGE',
  /** spa-config: a client profile that does not match its schema; `field` names the first bad field. */
  invalidProfile: 'PROFILE_INVALID',
} as const;
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export class SpaError extends Error {
  readonly code: ErrorCode;
  /** The dotted path of the input field the error is about ('' when it is about the whole input). */
  readonly field: string;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options);
    this.name = 'SpaError';
    this.code = code;
    this.field = options?.field ?? '';
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
