/** Build-time constants that scripts/bundle.mjs injects with esbuild's `define`. @module */

/** The package version; not defined when the sources run unbundled (tests), see version.ts. */
declare const __SPA_VERSION__: string | undefined;
