/** Command lines for fuzzing both CLIs: files to point them at (good, broken, unreadable), and fast-check arbitraries. @module */
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Host } from '../lab/netns.js';
import { writeSpaKeys } from './spa-fixture.js';

export interface Fixtures {
  readonly dir: string;
  readonly goodConfig: string;
  readonly badConfigs: readonly string[];
  readonly serverKey: string;
  readonly goodKey: string;
  readonly badKeys: readonly string[];
  readonly profiles: readonly string[];
}

export async function makeFixtures(host: Host): Promise<Fixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'spa-cli-args-'));
  const keys = await writeSpaKeys(dir, ['alice']);
  const clientKey = keys.client().keyFile!;
  const serverKey = keys.serverKeyText;
  const config = keys.serverJson({
    listen: [`${host.ipv4}:62201`],
    serverKeyFile: 'server.key',
    stateDir: join(dir, 'state'),
    firewall: { table: 'spa_args' },
    services: { ssh: 'tcp/22' },
  });
  const file = async (name: string, text: string | Uint8Array, mode = 0o600) => {
    const path = join(dir, name);
    await writeFile(path, text);
    await chmod(path, mode);
    return path;
  };
  await mkdir(join(dir, 'a-directory'));
  const openKey = await file(
    'open.key',
    `spa-ed25519-private:${Buffer.alloc(32, 7).toString('base64url')}\n`,
    0o644,
  );
  const profile = {
    hosts: { lab: { host: '127.0.0.1', serverKey, keyFile: clientKey, services: { ssh: 22 } } },
  };
  return {
    dir,
    serverKey,
    goodConfig: await file('server.json', JSON.stringify(config)),
    badConfigs: [
      await file('broken.json', '{ "services": '),
      await file('binary.json', crypto.getRandomValues(new Uint8Array(300))),
      await file('wrong.json', JSON.stringify({ ...config, queueSize: 'many' })),
      join(dir, 'missing.json'),
      join(dir, 'a-directory'),
      '/dev/null',
    ],
    goodKey: clientKey,
    badKeys: [
      openKey,
      await file('garbage.key', 'not a key\n'),
      join(dir, 'missing.key'),
      join(dir, 'a-directory'),
      '-',
    ],
    profiles: [
      await file('profile.json', JSON.stringify(profile)),
      await file('broken-profile.json', '{"hosts": {'),
      await file('odd-profile.json', JSON.stringify({ hosts: { lab: { host: 7 } } })),
      join(dir, 'missing-profile.json'),
    ],
  };
}

const junk = fc.oneof(
  fc.constantFrom(
    '',
    '-',
    '--',
    '=',
    '--=',
    '-x',
    '--no-such-option',
    'a'.repeat(5000),
    'é',
    '%s%n',
    '$(id)',
  ),
  // No NUL: an argument vector cannot hold one (execve would refuse it before any CLI saw it).
  fc.string({ maxLength: 20 }).map((text) => text.replaceAll('\u0000', '')),
);

/** Mostly well-shaped command lines with bad values (what reaches the parsers), some plain junk. */
export function serverArgs(f: Fixtures): fc.Arbitrary<string[]> {
  const config = fc.constantFrom(...f.badConfigs);
  const shaped = fc.oneof(
    fc
      .tuple(fc.constantFrom('run', 'check', 'status', 'flush'), config)
      .map(([cmd, c]) => [cmd, '--config', c]),
    config.map((c) => ['-c', c]), // the default command, run
    fc
      .tuple(
        fc.constantFrom('alice', 'bob', '', 'a'.repeat(100)),
        fc.constantFrom('vpn.example.com', '', '::1', 'a b', '1.2.3.4:99'),
        fc.constantFrom(f.goodConfig, ...f.badConfigs),
      )
      .map(([name, host, c]) => ['client-config', name, '--host', host, '--config', c]),
    fc
      .constantFrom(join(f.dir, 'server.key'), join(f.dir, 'a-directory'), '/proc/nope/key', '')
      .map((out) => ['keygen', '--out', out]),
    fc.constantFrom('check', 'status').map((cmd) => [cmd, '--config', f.goodConfig]),
  );
  const extra = fc.oneof(
    fc.constantFrom(['--verbose'], ['--json'], ['--help'], ['-V'], ['--config'], ['--out']),
    junk.map((j) => [j]),
  );
  return fc
    .tuple(shaped, fc.array(extra, { maxLength: 2 }), fc.boolean())
    .map(([args, extras, add]) => (add ? [...args, ...extras.flat()] : args))
    .filter(
      (args) => !(args.includes(f.goodConfig) && !['check', 'status', 'client-config'].includes(args[0]!)),
    );
}

export function clientArgs(f: Fixtures): fc.Arbitrary<string[]> {
  const value = (flag: string, values: readonly string[]) => fc.constantFrom(...values).map((v) => [flag, v]);
  const knockOption = fc.oneof(
    value('--server-key', [f.serverKey, 'spa-x25519:AAAA', f.serverKey.replace('x25519', 'ed25519'), '']),
    value('--key', [f.goodKey, ...f.badKeys]),
    value('--spa-port', ['62201', '0', '70000', 'abc', '-1', '1e3']),
    value('--allow-ip', [
      'source',
      'auto',
      '192.0.2.1',
      '::ffff:1.2.3.4',
      '224.0.0.1',
      'bogus',
      '1.2.3.4,5.6.7.8',
      '0.0.0.0',
      'stun',
      'stun=192.0.2.1',
      'http://192.0.2.1/',
    ]),
    value('--discover', ['http://192.0.2.1/', 'stun=192.0.2.1', 'ftp://x', 'https://', '']),
    value('--duration', ['30', '0', '-5', 'abc', '99999999999', '1.5']),
    value('--config', f.profiles),
    fc.constantFrom(
      ['--json'],
      ['--verbose'],
      ['-4'],
      ['-6'],
      ['ssh'],
      ['tcp/22'],
      ['udp/99999'],
      ['tcp/0'],
      ['UPPER'],
      ['a'.repeat(40)],
    ),
  );
  const knock = fc
    .tuple(
      fc.constantFrom('open', 'close'),
      value('--host', ['127.0.0.1', '::1', 'lab', '', 'no such host!', '[::1]:9', 'x'.repeat(300)]),
      fc.array(knockOption, { minLength: 1, maxLength: 5 }),
    )
    // --dry-run or not, a knock that parses only ever reaches 127.0.0.1 in this namespace.
    .map(([cmd, host, opts]) => [cmd, ...host, ...opts.flat(), '--dry-run']);
  const keygen = fc
    .constantFrom(
      f.goodKey,
      join(f.dir, 'a-directory', 'new.key'),
      '/proc/nope/key',
      join(f.dir, 'a-directory'),
    )
    .map((out) => ['keygen', '--out', out]);
  const other = fc
    .tuple(fc.constantFrom('help', '--version', 'nope', 'connect', ''), fc.array(junk, { maxLength: 3 }))
    .map(([cmd, rest]) => [...(cmd ? [cmd] : []), ...rest]);
  return fc.oneof(
    { arbitrary: knock, weight: 6 },
    { arbitrary: keygen, weight: 1 },
    { arbitrary: other, weight: 1 },
  );
}
