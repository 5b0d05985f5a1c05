/** Demo steps on the way to a running server: keys from the real CLIs, server.json, a client profile, sshd and spa-server started. @module */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJson } from 'spa-test-kit/build/spa-fixture';
import type { Host } from 'spa-test-kit/lab/netns';
import { startSshd } from 'spa-test-kit/lab/sshd';
import { type Daemon, startDaemon } from './daemon.js';
import {
  CLIENT_BIN,
  type DemoContext,
  GRANT_SECONDS,
  KNOCK_PORT,
  SERVER_BIN,
  SSH_PORT,
  shown,
  TABLE,
} from './demo-context.js';

export interface RunningServer {
  readonly daemon: Daemon;
  /** Argument list for the client's `ssh` to log in and run a command. */
  sshArgs(command: readonly string[]): string[];
  /** The client's profile file (from `spa-server client-config`). */
  readonly profile: string;
}

export async function setUpServer(ctx: DemoContext): Promise<RunningServer> {
  const { say, server, client, dir } = ctx;
  const serverDir = join(dir, 'server');
  const clientDir = join(dir, 'client');
  await mkdir(serverDir, { mode: 0o700 });
  await mkdir(clientDir, { mode: 0o700 });

  say.step('Keys, made with the real CLIs: the server an X25519 key, alice an Ed25519 key');
  const serverKey = join(serverDir, 'server.key');
  await makeKey(ctx, server, ['spa-server', SERVER_BIN], serverKey, 'spa-x25519:');
  const aliceKey = join(clientDir, 'alice.key');
  const alicePublic = await makeKey(ctx, client, ['spa-client', CLIENT_BIN], aliceKey, 'spa-ed25519:');

  say.step(`server.json: service ssh = tcp/${SSH_PORT}, alice may open it, grants last ${GRANT_SECONDS} s`);
  const configPath = join(serverDir, 'server.json');
  const config = {
    listen: [`${server.ipv4}:${KNOCK_PORT}`],
    serverKeyFile: 'server.key',
    stateDir: join(serverDir, 'state'),
    firewall: { backend: 'nftables', table: TABLE },
    services: { ssh: `tcp/${SSH_PORT}` },
    clients: [{ name: 'alice', publicKey: alicePublic, services: ['ssh'] }],
    defaultDuration: GRANT_SECONDS,
  };
  await writeJson(configPath, config);
  const check = await shown(ctx, server, ['spa-server', 'check', '-c', configPath], SERVER_BIN, [
    'check',
    '-c',
    configPath,
  ]);
  say.check(check.exitCode === 0, check.exitCode === 0 ? check.stdout.trim() : oneLine(check.stderr));

  say.step('The admin prints a client profile for alice (server address, port, key, services)');
  const profileResult = await shown(
    ctx,
    server,
    ['spa-server', 'client-config', 'alice', '--host', server.ipv4, '-c', configPath],
    SERVER_BIN,
    ['client-config', 'alice', '--host', server.ipv4, '-c', configPath],
  );
  const profile = join(clientDir, 'spa.json');
  const written = await writeProfile(profileResult.stdout, server.ipv4, aliceKey, profile);
  say.check(
    profileResult.exitCode === 0 && written,
    `saved as ${profile}, keyFile pointing at alice's key (the private key never left the client)`,
  );

  say.step(`Start OpenSSH (sshd, port ${SSH_PORT}) and spa-server on the server`);
  const sshd = await startSshd(server, join(dir, 'ssh'), SSH_PORT);
  ctx.teardown.add(() => sshd.stop());
  say.check(
    true,
    `sshd listening on port ${SSH_PORT}, with its own host key and authorized_keys in $DEMO/ssh`,
  );
  say.command(server.name, ['spa-server', '--config', configPath]);
  const daemon = startDaemon(server, SERVER_BIN, configPath);
  ctx.teardown.add(() => daemon.stop());
  const listening = await daemon.waitForLog((l) => l.event === 'daemon.listening', 10_000);
  say.check(
    listening !== undefined,
    listening
      ? `spa-server listening on ${String(listening.listen)}, nftables table "${TABLE}"`
      : 'spa-server did not start',
  );
  return { daemon, profile, sshArgs: (command) => sshd.sshArgs(server.ipv4, command) };
}

/** `CLI keygen --out FILE` in `host`, shown; checks the printed public key and the file's mode, returns the key. */
async function makeKey(
  ctx: DemoContext,
  host: Host,
  [name, bin]: readonly [string, string],
  file: string,
  prefix: string,
): Promise<string> {
  const gen = await shown(ctx, host, [name, 'keygen', '--out', file], bin, ['keygen', '--out', file]);
  const publicKey = gen.stdout.trim();
  const mode = (await stat(file).catch(() => undefined))?.mode;
  const ok = publicKey.startsWith(prefix) && mode !== undefined && (mode & 0o077) === 0;
  const octal = mode === undefined ? 'missing' : (mode & 0o777).toString(8);
  ctx.say.check(
    gen.exitCode === 0 && ok,
    `public ${publicKey.slice(0, prefix.length + 10)}…, private key file mode ${octal}`,
  );
  return publicKey;
}

/** The profile as printed, with keyFile set to where alice's key really is (client-config cannot know). */
async function writeProfile(text: string, host: string, keyFile: string, path: string): Promise<boolean> {
  try {
    const profile = JSON.parse(text) as { hosts: Record<string, { keyFile?: string }> };
    const entry = profile.hosts[host];
    if (!entry) return false;
    entry.keyFile = keyFile;
    await writeJson(path, profile, 0o600);
    return true;
  } catch {
    return false;
  }
}

function oneLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
