/** node:fs and node:util as require() returns them, without the ESM facade that costs start-up time. @module */

// An ESM import of a built-in builds a facade that reads every export once: fs's lazy ReadStream
// and WriteStream getters then load the whole streams stack (19 internal modules, ~3 ms), util's
// load four more. process.getBuiltinModule (Node ≥ 20.16) hands over the plain module object.
export const fs: typeof import('node:fs') = process.getBuiltinModule('node:fs');
export const util: typeof import('node:util') = process.getBuiltinModule('node:util');
