/** Bad configurations against the real binary: refused before anything is touched, one line per problem naming the field; a bad SIGHUP keeps the old config. */

import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runServerOnce, type ServerFiles, writeServerFiles } from 'spa-test-kit/build/server-files';
import { clientKeys, clientKeyText } from 'spa-test-kit/build/spa-fixture';
import { probeTcp, waitForTcp } from 'spa-test-kit/lab/probe';
import { KNOCK_PORT, startServerProcess } from 'spa-test-kit/processes/server-process';
import { useLabScenario } from 'spa-test-kit/scenarios/lab-scenario';
import { describe, expect, it } from 'vitest';

const PORT = 2222;
const weakKey = `spa-ed25519:${Buffer.alloc(32).toString('base64url')}`;

/** [name, how to break the files, the field each stderr line must start with]. */
const BAD: [string, (f: ServerFiles) => Promise<void>, string[]][] = [
  ['JSON cut short', (f) => f.writeRaw('{ "serverKeyFile": "server.key", '), ['server.json:1:']],
  ['an unknown field', (f) => f.writeConfig({ listne: [] }), ['listne:']],
  [
    'a client key that is not a key',
    (f) => f.writeConfig({ clients: [{ name: 'x', publicKey: 'ssh-ed25519 AAAA', services: ['ssh'] }] }),
    ['clients[0].publicKey:'],
  ],
  [
    'a weak (small-order) client key',
    (f) => f.writeConfig({ clients: [{ name: 'x', publicKey: weakKey, services: ['ssh'] }] }),
    ['clients[0].publicKey:'],
  ],
  [
    'a client with an unknown service',
    (f) =>
      f.writeConfig({
        clients: [
          {
            name: 'x',
            publicKey: clientKeyText(clientKeys('x')),
            services: ['db'],
          },
        ],
      }),
    ['clients[0].services[0]:'],
  ],
  ['the server key readable by others', (f) => chmod(f.serverKeyFile, 0o644), ['serverKeyFile:']],
  [
    'the server key missing',
    (f) => f.writeConfig({ serverKeyFile: '/nonexistent/server.key' }),
    ['serverKeyFile:'],
  ],
  ['a port out of range', (f) => f.writeConfig({ services: { ssh: 'tcp/70000' } }), ['services.ssh:']],
  [
    'the knock port protected too',
    (f) => f.writeConfig({ services: { ssh: 'tcp/2222', knock: `udp/${KNOCK_PORT}` } }),
    ['listen[0]:'],
  ],
  [
    'defaultDuration above maxDuration',
    (f) => f.writeConfig({ defaultDuration: 600, maxDuration: 60 }),
    ['defaultDuration:'],
  ],
  [
    'a missing authorized-keys file',
    (f) => f.writeConfig({ authorizedKeysFile: 'nope.keys' }),
    ['authorizedKeysFile:'],
  ],
  [
    'two problems at once',
    (f) => f.writeConfig({ queueSize: 0, log: { level: 'loud' } }),
    ['queueSize:', 'log.level:'],
  ],
];

describe('bad configuration', () => {
  const env = useLabScenario({ hosts: ['server', 'alice', 'bob'], tcpServices: [PORT] });

  it.each(BAD)(
    '%s: exit 78, one line per problem naming the field, nothing started or installed',
    async (_name, breakIt, fields) => {
      const files = await writeServerFiles({ host: env.server, services: { ssh: `tcp/${PORT}` } });
      try {
        await breakIt(files);
        const run = await runServerOnce(env.server, files.configPath);
        expect(run.timedOut).toBe(false);
        expect(run.exitCode, run.stderr).toBe(78);
        const lines = run.stderr.trim().split('\n');
        // What comes before the first ': ' says where: a field path, or file:line:column for bad JSON.
        expect(lines.map((l) => l.slice(0, l.indexOf(': ')))).toEqual(
          fields.map((f) => expect.stringContaining(f.replace(/:$/, ''))),
        );
        expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace without --verbose
        expect(run.stdout).toBe('');
        // Never half-configured: no table, no state written, no socket, the port as it was.
        expect(String((await env.server.exec('nft', ['list', 'tables'])).stdout)).toBe('');
        expect(String((await env.server.exec('ss', ['-Hulnp'])).stdout)).not.toContain(String(KNOCK_PORT));
        await expect(stat(files.stateDir)).rejects.toMatchObject({ code: 'ENOENT' });
        expect(await probeTcp(env.lab.host('alice'), env.server.ipv4, PORT)).toBe('open');
      } finally {
        await files.remove();
      }
    },
  );

  it('a SIGHUP with a broken config changes nothing: grants stay, and the old clients still get in', async () => {
    const daemon = await startServerProcess({
      host: env.server,
      backend: 'nftables',
      services: { ssh: `tcp/${PORT}` },
      config: { defaultDuration: 60 },
    });
    try {
      const alice = env.lab.host('alice');
      const bob = env.lab.host('bob');
      await daemon.send(alice, daemon.knock());
      expect(await waitForTcp(alice, env.server.ipv4, PORT, 'open')).toBe('open');

      // Each would remove alice if any part of it were applied.
      const attempts: [string, () => Promise<void>][] = [
        ['invalid JSON', () => writeFile(daemon.configPath, '{ "clients": [')],
        [
          'no clients and an invalid field',
          () =>
            writeFile(
              daemon.configPath,
              JSON.stringify({
                serverKeyFile: 'server.key',
                services: { ssh: `tcp/${PORT}` },
                clients: [],
                queueSize: -1,
              }),
            ),
        ],
        ['the key file readable by others', () => chmod(join(daemon.dir, 'server.key'), 0o644)],
      ];
      const original = await readFile(daemon.configPath);
      for (const [name, breakIt] of attempts) {
        const earlier = new Set(daemon.logs());
        await breakIt();
        await daemon.reload();
        const failed = await daemon.waitForLog((l) => l.event === 'config.reload-failed' && !earlier.has(l));
        expect(failed, name).toMatchObject({ level: 'error', reason: 'CONFIG_INVALID' });
        await writeFile(daemon.configPath, original);
        await chmod(join(daemon.dir, 'server.key'), 0o600);
      }
      expect(daemon.logs().some((l) => l.event === 'daemon.reloaded' || l.event === 'grants.revoked')).toBe(
        false,
      );
      expect(await probeTcp(alice, env.server.ipv4, PORT)).toBe('open');
      await daemon.send(bob, daemon.knock());
      expect(await waitForTcp(bob, env.server.ipv4, PORT, 'open')).toBe('open');
    } finally {
      await daemon.cleanup();
    }
  });
});
