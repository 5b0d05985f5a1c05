/** Build-time constants that scripts/bundle.mjs injects with esbuild's `define`. @module */

/** The package version; not defined when the sources run unbundled (tests), see version.ts. */
declare const __SPA_VERSION__: string | undefined;

/** A hash of every package's sources and the lockfile at build time (see bundle.mjs); not defined unbundled. */
declare const __SPA_CODE_ID__: string | undefined;

/** The agreement worker's bundled text (config/agreement-worker.ts); not defined unbundled. */
declare const __SPA_AGREEMENT_WORKER__: string | undefined;
