/** spa-protocol/node: the node:crypto backend and key files, shared by the server and the client. @module */

export {
  parsePrivateKeyText,
  readPrivateKeyFile,
  readPrivateKeyFileSync,
  writeNewKeyFile,
} from './key-files.js';
export { nodeBackend } from './node-backend.js';
