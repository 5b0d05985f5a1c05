/** The SpaError code a call throws, for tests of refusals by code. @module */
import { SpaError } from '../src/errors.js';

/** The code of the SpaError `fn` throws; undefined if it returns; a marker if it throws anything else. */
export const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    return e instanceof SpaError ? e.code : `not SpaError: ${String(e)}`;
  }
  return undefined;
};
