/** ConfigError: everything wrong with a configuration, one line per problem, each naming its field. @module */

export const CONFIG_ERROR_CODES = { invalid: 'CONFIG_INVALID' } as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[keyof typeof CONFIG_ERROR_CODES];

export class ConfigError extends Error {
  readonly code: ConfigErrorCode = CONFIG_ERROR_CODES.invalid;
  /** One line each, `field.path: what is wrong`; never key material. */
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(problems.join('\n'), options);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
