/** spa-node: the node:crypto backend, key files and directories, shared by the server and the client. Node only. @module */

export {
  assertOwnerOnly,
  parsePrivateKeyText,
  readPrivateKeyFile,
  readPrivateKeyFileSync,
  writeNewKeyFile,
} from './key-files.js';
export { makeDirectory } from './make-directory.js';
export { nodeBackend } from './node-backend.js';
