/** ProtectionError: `status` found the configured ports not (fully) protected by the firewall (exit 3). @module */

export const PROTECTION_ERROR_CODES = {
  /** No table/chain of the server's: every configured port accepts anyone. */
  missing: 'PROTECTION_MISSING',
  /** Part of it is there: some configured port may accept anyone. */
  incomplete: 'PROTECTION_INCOMPLETE',
} as const;
export type ProtectionErrorCode = (typeof PROTECTION_ERROR_CODES)[keyof typeof PROTECTION_ERROR_CODES];

export class ProtectionError extends Error {
  readonly code: ProtectionErrorCode;
  constructor(code: ProtectionErrorCode, message: string) {
    super(message);
    this.name = 'ProtectionError';
    this.code = code;
  }
}
