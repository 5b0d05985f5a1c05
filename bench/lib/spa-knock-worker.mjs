// @ts-check
/** Worker thread entry: registers tsx (the CLI's loader does not reach workers), then runs the TypeScript worker. @module */
import { register } from 'tsx/esm/api';

register();
// A URL, not a specifier: only the tsx loader registered above can load a .ts file.
await import(new URL('./spa-knock-worker.ts', import.meta.url).href);
