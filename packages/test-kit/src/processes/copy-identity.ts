/** A second server of a fleet: the first one's keys and server.json, its own listen addresses and state. @module */
import { copyFile, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeJson } from '../build/spa-fixture.js';

/** Copies `of`'s key files (0600, as the originals) and server.json into `dir`, for `listen` and `stateDir`. */
export async function copyIdentity<C extends { readonly keyFile: string }>(
  of: {
    readonly dir: string;
    readonly configPath: string;
    readonly clients: readonly C[];
    readonly serverPublicKeyBytes: Uint8Array;
  },
  dir: string,
  listen: readonly string[],
  stateDir: string,
): Promise<{ serverPublicKeyBytes: Uint8Array; clients: C[] }> {
  await copyFile(join(of.dir, 'server.key'), join(dir, 'server.key'));
  const clients: C[] = [];
  for (const client of of.clients) {
    const keyFile = join(dir, basename(client.keyFile));
    await copyFile(client.keyFile, keyFile);
    clients.push({ ...client, keyFile });
  }
  const config = JSON.parse(await readFile(of.configPath, 'utf8')) as Record<string, unknown>;
  await writeJson(join(dir, 'server.json'), { ...config, listen, stateDir });
  return { serverPublicKeyBytes: of.serverPublicKeyBytes, clients };
}
