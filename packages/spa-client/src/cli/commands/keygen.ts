/** `spa-client keygen --out FILE`: a new Ed25519 key (0600, never overwritten) and FILE.pub; prints the public key. @module */
import { dirname } from 'node:path';
import { makeDirectory, nodeBackend, writeNewKeyFile } from 'spa-node';
import { computeKeyId, formatPublicKey } from 'spa-protocol';
import { expandHome } from '../../profile/profile.js';
import { flag, parseCommandArgs, stringOption } from '../args.js';
import { CLIENT_ERROR_CODES, ClientError, usageError } from '../errors.js';
import { writeOut } from '../output.js';

export async function runKeygen(argv: readonly string[]): Promise<number> {
  const args = parseCommandArgs('keygen', argv, { out: { type: 'string' }, comment: { type: 'string' } });
  if (flag(args, 'help')) {
    const { HELP } = await import('../help.js');
    writeOut(1, `${HELP.keygen}\n`);
    return 0;
  }
  if (args.positionals.length > 0) throw usageError(`keygen: unexpected argument "${args.positionals[0]}"`);
  const out = stringOption(args, 'out');
  if (out === undefined || out === '') throw usageError('keygen: --out FILE is required');
  const comment = stringOption(args, 'comment');
  if (comment !== undefined && !/^[\x20-\x7e]{1,200}$/.test(comment)) {
    throw usageError('keygen: --comment must be 1-200 printable ASCII characters');
  }
  const path = expandHome(out, process.env);
  // ~/.config/spa may not exist yet; like ~/.ssh, nobody else needs to list it.
  await makeDirectory(dirname(path)).catch(() => undefined);
  let pair: Awaited<ReturnType<typeof writeNewKeyFile>>;
  try {
    pair = await writeNewKeyFile(nodeBackend, 'client', path, { writePublic: true, comment });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new ClientError(CLIENT_ERROR_CODES.cannotCreate, message, { cause });
  }
  const publicKey = formatPublicKey('client', pair.publicKey);
  pair.secretKey.fill(0);
  if (flag(args, 'json')) {
    const keyId = Buffer.from(computeKeyId(nodeBackend, pair.publicKey)).toString('hex');
    writeOut(1, `${JSON.stringify({ publicKey, keyFile: path, publicKeyFile: `${path}.pub`, keyId })}\n`);
  } else writeOut(1, `${publicKey}\n`);
  return 0;
}
