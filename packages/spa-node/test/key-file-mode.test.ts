/** The key-file permission check: group/other bits refused on POSIX, not judged on Windows (where Node invents them). */

import { ERROR_CODES } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import { assertOwnerOnly } from '../src/key-files.js';

describe('assertOwnerOnly', () => {
  it('accepts 0600 and 0400 and refuses any group or other bit on Linux and macOS', () => {
    for (const platform of ['linux', 'darwin']) {
      expect(() => assertOwnerOnly('k', 0o100600, platform)).not.toThrow();
      expect(() => assertOwnerOnly('k', 0o100400, platform)).not.toThrow();
      for (const mode of [0o100640, 0o100604, 0o100666, 0o100610]) {
        expect(() => assertOwnerOnly('k', mode, platform)).toThrow(
          expect.objectContaining({
            code: ERROR_CODES.invalidKey,
            message: expect.stringMatching(/chmod 600 k/),
          }),
        );
      }
    }
  });

  it('accepts the modes Node reports on Windows for every file (0666, or 0444 when read-only)', () => {
    expect(() => assertOwnerOnly('k', 0o100666, 'win32')).not.toThrow();
    expect(() => assertOwnerOnly('k', 0o100444, 'win32')).not.toThrow();
  });
});
