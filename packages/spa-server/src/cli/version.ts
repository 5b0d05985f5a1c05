/** The version `--version` prints: injected by the bundler, a placeholder when running from sources. @module */

// `typeof` of an undeclared global is safe, so unbundled sources (vitest, tsx) fall back quietly.
export const VERSION: string = typeof __SPA_VERSION__ === 'string' ? __SPA_VERSION__ : '0.0.0-dev';

/**
 * What state kept across restarts is tied to: the version and the build's code (the version stays the
 * same across commits). Undefined when the sources run unbundled: such state is then not kept.
 */
export const BUILD_ID: string | undefined =
  typeof __SPA_CODE_ID__ === 'string' ? `${VERSION}+${__SPA_CODE_ID__}` : undefined;
