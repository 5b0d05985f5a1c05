/** `spa-server keygen`: creates the server's X25519 key file (0600, never overwriting) and prints its public key. @module */

import { nodeBackend, writeNewKeyFile } from 'spa-node';
import { formatPublicKey } from 'spa-protocol';

export interface KeygenOptions {
  readonly out: string;
}

/** The public key is the only line on stdout, so `KEY=$(spa-server keygen --out ...)` works. */
export async function runKeygen(options: KeygenOptions): Promise<void> {
  const pair = await writeNewKeyFile(nodeBackend, 'server', options.out);
  pair.secretKey.fill(0);
  process.stdout.write(`${formatPublicKey('server', pair.publicKey)}\n`);
}
