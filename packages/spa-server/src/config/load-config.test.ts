import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { nodeBackend, writeNewKeyFile } from 'spa-node';
import { formatPublicKey, generateKeyPair } from 'spa-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../cli/commands/check.js';
import { ServerError } from '../shared/server-error.js';
import { type ConfigReuse, createConfigReuse } from './config-reuse.js';
import { loadConfig } from './load-config.js';

const clientKey = (): string => formatPublicKey('client', generateKeyPair(nodeBackend, 'client').publicKey);
const KEY_A = clientKey();
const KEY_B = clientKey();
// The identity point: a small-order key under which every signature verifies (docs/protocol.md §1).
const WEAK_KEY = formatPublicKey('client', Uint8Array.of(1, ...new Uint8Array(31)));
// A + T with T of order 8 (A from the seed 07…07): verifies some signatures under one equation and not
// the other, so it is refused at load (docs/protocol.md §1).
const TORSIONED_KEY = 'spa-ed25519:H09YDnOsII8GdgGQ6e3G9ZFnddq9nBzco5MXXC1tEIM';

let dir: string;
let serverPublic: Uint8Array;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spa-config-'));
  serverPublic = (await writeNewKeyFile(nodeBackend, 'server', join(dir, 'server.key'))).publicKey;
  await writeFile(join(dir, 'open.key'), (await import('node:fs')).readFileSync(join(dir, 'server.key')));
  await chmod(join(dir, 'open.key'), 0o640);
  await writeFile(join(dir, 'not-a-key'), 'hello\n', { mode: 0o600 });
  await writeFile(join(dir, 'redis.pass'), 'secret\n', { mode: 0o600 });
  // FIFOs, which an open without O_NONBLOCK would wait on until a writer came: a start that hangs.
  for (const name of ['fifo.keys', 'fifo.pass']) execFileSync('mkfifo', ['-m', '600', join(dir, name)]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const base = {
  serverKeyFile: 'server.key',
  services: { ssh: 'tcp/22', web: ['tcp/80', 'tcp/443'] },
  clients: [{ name: 'alice', publicKey: KEY_A, services: ['ssh'] }],
};
const client = (extra: object) => ({ ...base, clients: [{ ...base.clients[0], ...extra }] });

let counter = 0;
/** `before` is given the case's file names (`case-N.json`, `case-N.keys`); `reuse` makes it the daemon's load. */
async function load(
  config: unknown,
  authorizedKeys?: string,
  options: { before?: (json: string, keys: string) => Promise<void>; reuse?: ConfigReuse } = {},
): Promise<unknown> {
  const name = `case-${counter++}`;
  const text = typeof config === 'string' ? config : JSON.stringify(config, null, 2);
  // An explicit mode: a permissive umask would make them world-writable, which is refused.
  await writeFile(join(dir, `${name}.json`), text, { mode: 0o644 });
  if (authorizedKeys !== undefined)
    await writeFile(join(dir, `${name}.keys`), authorizedKeys, { mode: 0o644 });
  await options.before?.(join(dir, `${name}.json`), join(dir, `${name}.keys`));
  return loadConfig(join(dir, `${name}.json`), options.reuse);
}
const withKeys = (file: string) => ({ ...base, authorizedKeysFile: file });
const withRedis = (passwordFile: string) => ({
  ...base,
  replay: { store: 'redis', url: 'redis://127.0.0.1:6379', passwordFile },
});

describe('loadConfig', () => {
  it('resolves a valid config', async () => {
    const config = (await load({
      ...base,
      listen: ['127.0.0.1:7000'],
      clients: [
        { ...base.clients[0], sourceNetworks: ['10.1.2.3'], expires: '2030-01-01', maxDuration: 60 },
        { name: 'bob', publicKey: KEY_B, services: ['web', 'web'] },
      ],
      stateDir: 'state',
    })) as Awaited<ReturnType<typeof loadConfig>>;
    expect(config.serverPublicKey).toEqual(serverPublic);
    expect(config.listen).toEqual([{ address: '127.0.0.1', port: 7000 }]);
    expect(config.stateDir).toBe(join(dir, 'state'));
    expect([...config.services]).toEqual([
      ['ssh', [{ protocol: 'tcp', port: 22 }]],
      [
        'web',
        [
          { protocol: 'tcp', port: 80 },
          { protocol: 'tcp', port: 443 },
        ],
      ],
    ]);
    expect(config.clients[0]).toMatchObject({
      name: 'alice',
      sourceNetworks: ['10.1.2.3/32'],
      maxDurationSeconds: 60,
      expiresAtMs: Date.UTC(2030, 0, 1),
      allowSourceAddress: false,
    });
    expect(config.clients[0]!.keyIdHex).toMatch(/^[0-9a-f]{32}$/);
    expect(config.clients[1]).toMatchObject({ name: 'bob', services: ['web'], maxDurationSeconds: 3600 });
    expect(config.metrics).toBeUndefined();
  });

  it('adds the clients of an authorized-keys file', async () => {
    const keys = `# team\n\n${KEY_B} name=bob services=ssh,web max-duration=300 from=10.0.0.0/8,fd00::/8 allow-source expires=2031-06-01 # laptop\n`;
    const config = (await load(withKeys('case-1.keys'), keys)) as Awaited<ReturnType<typeof loadConfig>>;
    expect(config.clients.map((c) => c.name)).toEqual(['alice', 'bob']);
    expect(config.clients[1]).toMatchObject({
      services: ['ssh', 'web'],
      maxDurationSeconds: 300,
      sourceNetworks: ['10.0.0.0/8', 'fd00::/8'],
      allowSourceAddress: true,
      oneShot: false,
      expiresAtMs: Date.UTC(2031, 5, 1),
    });
  });

  it('reads one-shot from the authorized-keys file', async () => {
    const name = `case-${counter}.keys`;
    const config = (await load(withKeys(name), `${KEY_B} name=bob services=ssh,web one-shot\n`)) as Awaited<
      ReturnType<typeof loadConfig>
    >;
    expect(config.clients.map((c) => c.oneShot)).toEqual([false, true]);
  });

  it("resolves a forwarded service to its port carrying each family's host", async () => {
    const db = { port: 'tcp/15432', forward: ['[FD00::5]:5432', '10.0.0.5:5432'] };
    const config = (await load({ ...base, services: { ...base.services, db } })) as Awaited<
      ReturnType<typeof loadConfig>
    >;
    expect(config.services.get('db')).toEqual([
      {
        protocol: 'tcp',
        port: 15432,
        forward: [
          { family: 6, address: 'fd00::5', port: 5432 },
          { family: 4, address: '10.0.0.5', port: 5432 },
        ],
      },
    ]);
  });
});

// Each bad configuration gives exactly one problem line, naming the field at fault.
const BAD: [string, () => Promise<unknown>, RegExp][] = [
  [
    'bad JSON',
    () => load('{\n  "serverKeyFile": "server.key",\n  "services": {,}\n}'),
    /case-\d+\.json:3:16: invalid JSON/,
  ],
  ['JSON that ends early', () => load('{"serverKeyFile": "server.key"'), /case-\d+\.json:1:31: invalid JSON/],
  ['not an object', () => load('[]'), /^\(top level\): expected an object, got an array$/],
  ['unknown key', () => load({ ...base, listne: [] }), /^listne: unknown field$/],
  [
    'unknown nested key',
    () => load({ ...base, firewall: { backend: 'nftables', tabel: 'x' } }),
    /^firewall\.tabel: unknown field$/,
  ],
  ['unknown client key', () => load(client({ service: ['ssh'] })), /^clients\[0\]\.service: unknown field$/],
  [
    'listen without a port',
    () => load({ ...base, listen: ['0.0.0.0'] }),
    /^listen\[0\]: "0.0.0.0" is not ip:port/,
  ],
  [
    'listen with a host name',
    () => load({ ...base, listen: ['localhost:62201'] }),
    /^listen\[0\]: "localhost:62201"/,
  ],
  [
    'listen port out of range',
    () => load({ ...base, listen: ['[::]:70000'] }),
    /^listen\[0\]: "\[::\]:70000"/,
  ],
  ['empty listen', () => load({ ...base, listen: [] }), /^listen: must have at least 1 item$/],
  [
    'duplicate listen',
    () => load({ ...base, listen: ['[::]:1', '[::]:1'] }),
    /^listen\[1\]: \[::\]:1 is listed twice$/,
  ],
  [
    'knock port protected',
    () => load({ ...base, listen: ['0.0.0.0:53'], services: { dns: 'udp/53' }, clients: [] }),
    /^listen\[0\]: port 53 is also a protected/,
  ],
  ['missing server key field', () => load({ services: base.services }), /^serverKeyFile: is required$/],
  [
    'missing server key file',
    () => load({ ...base, serverKeyFile: 'nope.key' }),
    /^serverKeyFile: cannot read key file .*nope\.key: no such file$/,
  ],
  [
    'group-readable key file',
    () => load({ ...base, serverKeyFile: 'open.key' }),
    /^serverKeyFile: key file .*open\.key is accessible by group or others \(mode 640\)/,
  ],
  [
    'not a key file',
    () => load({ ...base, serverKeyFile: 'not-a-key' }),
    /^serverKeyFile: .*not-a-key: not a server private key/,
  ],
  [
    'client key in the wrong format',
    () => load(client({ publicKey: 'spa-x25519:abc' })),
    /^clients\[0\]\.publicKey: not a client public key: expected it to start with "spa-ed25519:"$/,
  ],
  [
    'client key of the wrong length',
    () => load(client({ publicKey: 'spa-ed25519:AAAA' })),
    /^clients\[0\]\.publicKey: client public key is not 32 bytes of base64url$/,
  ],
  [
    'weak client key',
    () => load(client({ publicKey: WEAK_KEY })),
    /^clients\[0\]\.publicKey: client public key is a small-order, torsioned, non-canonical or invalid point$/,
  ],
  [
    // The daemon checks the subgroup after it starts (its client table); `spa-server check` at once.
    'client key with a small-order component (spa-server check)',
    () =>
      load(client({ publicKey: TORSIONED_KEY })).then(() =>
        runCheck({ config: join(dir, `case-${counter - 1}.json`) }),
      ),
    /^clients\[0\]\.publicKey: client public key is a small-order, torsioned, non-canonical or invalid point$/,
  ],
  [
    'unknown service',
    () => load(client({ services: ['ssh', 'db'] })),
    /^clients\[0\]\.services\[1\]: unknown service "db" \(services are: ssh, web\)$/,
  ],
  [
    'client without services',
    () => load(client({ services: [] })),
    /^clients\[0\]\.services: must have at least 1 item$/,
  ],
  [
    'duplicate client name',
    () =>
      load({ ...base, clients: [...base.clients, { name: 'alice', publicKey: KEY_B, services: ['ssh'] }] }),
    /^clients\[1\]\.name: duplicate client name "alice" \(also clients\[0\]\)$/,
  ],
  [
    'duplicate key',
    () => load({ ...base, clients: [...base.clients, { name: 'bob', publicKey: KEY_A, services: ['ssh'] }] }),
    /^clients\[1\]\.publicKey: same key as clients\[0\] \("alice"\)/,
  ],
  [
    'bad client name',
    () => load(client({ name: 'alice smith' })),
    /^clients\[0\]\.name: not a valid client name/,
  ],
  [
    'no protected port',
    () => load({ ...base, services: {}, clients: [] }),
    /^services: no service defined: a configuration must protect at least one port$/,
  ],
  [
    'source mode in a fleet',
    () =>
      load({
        ...client({ allowSourceAddress: true }),
        replay: { store: 'redis', url: 'redis://127.0.0.1:6379' },
      }),
    /^clients\[0\]\.allowSourceAddress: not with replay\.store "redis"/,
  ],
  [
    'bad port spec',
    () => load({ ...base, services: { ssh: 'tcp/99999' } }),
    /^services\.ssh: "tcp\/99999" is not tcp\/PORT, udp\/PORT or a range/,
  ],
  [
    'bad port in a list',
    () => load({ ...base, services: { ...base.services, web: ['tcp/80', 'http'] } }),
    /^services\.web\[1\]: "http" is not tcp\/PORT/,
  ],
  [
    'port as a number',
    () => load({ ...base, services: { ...base.services, web: 80 } }),
    /^services\.web: expected "tcp\/PORT", "udp\/PORT", a range "tcp\/FIRST-LAST", a list of them, or \{"port": \.\.\., "forward": "ip:port"\}$/,
  ],
  [
    'bad service name',
    () => load({ ...base, services: { ...base.services, 'Web Site': 'tcp/80' } }),
    /^services\["Web Site"\]: not a valid service name/,
  ],
  [
    'bad CIDR',
    () => load(client({ sourceNetworks: ['10.0.0.0/33'] })),
    /^clients\[0\]\.sourceNetworks\[0\]: "10.0.0.0\/33" is not an IPv4\/IPv6 network/,
  ],
  [
    'bad date',
    () => load(client({ expires: '2027-02-30' })),
    /^clients\[0\]\.expires: "2027-02-30" is not an ISO date/,
  ],
  ['date without a zone', () => load(client({ expires: '2027-02-01T10:00:00' })), /^clients\[0\]\.expires: /],
  [
    'client maxDuration over the limit',
    () => load({ ...client({ maxDuration: 600 }), maxDuration: 300 }),
    /^clients\[0\]\.maxDuration: 600 is more than the server's maxDuration \(300\)$/,
  ],
  [
    'defaultDuration over maxDuration',
    () => load({ ...base, defaultDuration: 90, maxDuration: 60 }),
    /^defaultDuration: 90 is more than maxDuration \(60\)$/,
  ],
  [
    'fractional window',
    () => load({ ...base, timestampWindow: 1.5 }),
    /^timestampWindow: expected an integer, got 1\.5$/,
  ],
  [
    'window as a string',
    () => load({ ...base, timestampWindow: '60' }),
    /^timestampWindow: expected a number, got a string$/,
  ],
  ['zero queue', () => load({ ...base, queueSize: 0 }), /^queueSize: must be at least 1$/],
  [
    'bad backend',
    () => load({ ...base, firewall: { backend: 'pf' } }),
    /^firewall\.backend: expected one of "nftables", "iptables"$/,
  ],
  [
    'bad table name',
    () => load({ ...base, firewall: { table: 'spa table' } }),
    /^firewall\.table: must be 1-16 of a-z/,
  ],
  [
    'bad log level',
    () => load({ ...base, log: { level: 'verbose' } }),
    /^log\.level: expected one of "debug", "info", "warn", "error"$/,
  ],
  [
    'negative rate',
    () => load({ ...base, rateLimit: { perSourceRate: -1 } }),
    /^rateLimit\.perSourceRate: must be more than 0$/,
  ],
  [
    'bad metrics address',
    () => load({ ...base, metrics: { listen: '9262' } }),
    /^metrics\.listen: "9262" is not ip:port/,
  ],
  [
    'missing authorized keys file',
    () => load(withKeys('nowhere.keys')),
    /^authorizedKeysFile: .*nowhere\.keys: cannot read the authorized keys file: no such file$/,
  ],
  [
    'authorized key with an unknown service',
    () => load(withKeys(`case-${counter}.keys`), `${KEY_B} name=bob services=db\n`),
    /case-\d+\.keys:1: services: unknown service "db"/,
  ],
  [
    'authorized key duplicating a JSON client',
    () => load(withKeys(`case-${counter}.keys`), `\n${KEY_A} name=bob services=ssh\n`),
    /case-\d+\.keys:2: key: same key as clients\[0\] \("alice"\)/,
  ],
  [
    'authorized key with a duplicate name',
    () => load(withKeys(`case-${counter}.keys`), `${KEY_B} name=alice services=ssh\n`),
    /case-\d+\.keys:1: name: duplicate client name "alice" \(also clients\[0\]\)$/,
  ],
  [
    'authorized one-shot key with the iptables backend',
    () =>
      load(
        { ...withKeys(`case-${counter}.keys`), firewall: { backend: 'iptables' } },
        `${KEY_B} name=bob services=web one-shot\n`,
      ),
    /case-\d+\.keys:1: one-shot: needs firewall\.backend "nftables"/,
  ],
  [
    'authorized one-shot key with a UDP service',
    () =>
      load(
        { ...withKeys(`case-${counter}.keys`), services: { ...base.services, dns: 'udp/53' } },
        `${KEY_B} name=bob services=ssh,dns one-shot\n`,
      ),
    /case-\d+\.keys:1: one-shot: service "dns" has udp\/53: one-shot grants are for single TCP ports only$/,
  ],
  [
    'authorized key with an unknown option',
    () => load(withKeys(`case-${counter}.keys`), `${KEY_B} name=bob services=ssh color=red\n`),
    /case-\d+\.keys:1: color: unknown option/,
  ],
  [
    'authorized key without a name',
    () => load(withKeys(`case-${counter}.keys`), `${KEY_B} services=ssh\n`),
    /case-\d+\.keys:1: name: is required$/,
  ],
  [
    'authorized key with a bad duration',
    () => load(withKeys(`case-${counter}.keys`), `${KEY_B} name=bob services=ssh max-duration=5m\n`),
    /case-\d+\.keys:1: max-duration: "5m" is not a whole number of seconds$/,
  ],
  [
    'authorized key with a bad network',
    () =>
      load(withKeys(`case-${counter}.keys`), `${KEY_B} name=bob services=ssh from=10.0.0.0/8,300.0.0.0/8\n`),
    /case-\d+\.keys:1: from: "300.0.0.0\/8" is not an IPv4\/IPv6 network/,
  ],
  [
    'world-writable config file',
    () => load(base, undefined, { before: (json) => chmod(json, 0o646) }),
    /^\/\S+\/case-\d+\.json: file: is world-writable \(chmod o-w\)$/,
  ],
  [
    'world-writable authorized keys file',
    () =>
      load(withKeys(`case-${counter}.keys`), `${KEY_B} name=bob services=ssh\n`, {
        before: (_json, keys) => chmod(keys, 0o666),
      }),
    /^authorizedKeysFile: \/\S+\/case-\d+\.keys: file: is world-writable \(chmod o-w\)$/,
  ],
  [
    'a FIFO as the authorized keys file',
    () => load(withKeys('fifo.keys')),
    /^authorizedKeysFile: \/\S+\/fifo\.keys: the authorized keys file is not a regular file$/,
  ],
  [
    'a FIFO as the Redis password file',
    () => load(withRedis('fifo.pass')),
    /^replay\.passwordFile: \/\S+\/fifo\.pass is not a regular file$/,
  ],
  [
    'authorized key that is weak',
    () => load(withKeys(`case-${counter}.keys`), `${WEAK_KEY} name=bob services=ssh\n`),
    /case-\d+\.keys:1: key: client public key is a small-order/,
  ],
];

describe('loadConfig refuses bad configurations with one line naming the field', () => {
  it.each(BAD)('%s', async (_name, run, expected) => {
    const error = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerError);
    const { problems, code } = error as ServerError;
    expect(code).toBe('CONFIG_INVALID');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    expect(problems[0]).not.toContain('\n');
  });

  it('reports problems in different fields together', async () => {
    const error = (await load({ ...base, serverKeyFile: 'open.key', queueSize: 0 }).catch(
      (e) => e,
    )) as ServerError;
    expect(error.problems).toHaveLength(2);
  });

  it('never prints key material', async () => {
    const privateText = `spa-ed25519-private:${'Q'.repeat(43)}`;
    const error = (await load(client({ publicKey: privateText })).catch((e) => e)) as ServerError;
    const fromFile = (await load(withKeys(`case-${counter}.keys`), `${KEY_B} ${privateText}\n`).catch(
      (e) => e,
    )) as ServerError;
    for (const e of [error, fromFile]) {
      expect(e).toBeInstanceOf(ServerError);
      expect(e.message).not.toContain('QQQQ');
    }
  });
});

// Giving a file to another user takes root (CI runs the unit tests as root).
describe.skipIf(process.getuid?.() !== 0)('the daemon refuses secret files another user owns', () => {
  const NOBODY = 65534;
  const daemon = (): ConfigReuse => createConfigReuse(undefined);
  const foreign = async (from: string, to: string): Promise<string> => {
    await copyFile(join(dir, from), join(dir, to));
    await chmod(join(dir, to), 0o600);
    await chown(join(dir, to), NOBODY, NOBODY);
    return to;
  };
  const refusal = (e: unknown): string[] => {
    expect(e).toBeInstanceOf(ServerError);
    return [...(e as ServerError).problems];
  };

  it("serverKeyFile: one line naming the field, the owner and the fix; the CLI's loads (root reading a daemon user's key) accept it", async () => {
    const key = await foreign('server.key', 'nobody.key');
    const config = { ...base, serverKeyFile: key, stateDir: 'state' };
    const problems = refusal(await load(config, undefined, { reuse: daemon() }).catch((e: unknown) => e));
    expect(problems).toEqual([
      `serverKeyFile: ${join(dir, key)}: is owned by uid ${NOBODY}, not by the daemon's user (uid 0) or root (chown 0 ${join(dir, key)})`,
    ]);
    await expect(load(config)).resolves.toMatchObject({ serverPublicKey: serverPublic });
  });

  it("serverKeyFile: root's or the daemon user's is accepted", async () => {
    // A daemon run as uid 4242: the key the test wrote is root's.
    const asUser = { ...daemon(), owner: 4242 };
    const config = { ...base, stateDir: 'state' };
    await expect(load(config, undefined, { reuse: asUser })).resolves.toMatchObject({
      serverPublicKey: serverPublic,
    });
    const key = await foreign('server.key', 'daemon-user.key');
    const asNobody = { ...daemon(), owner: NOBODY };
    await expect(
      load({ ...config, serverKeyFile: key }, undefined, { reuse: asNobody }),
    ).resolves.toMatchObject({ serverPublicKey: serverPublic });
  });

  it('replay.passwordFile: refused as the server key is', async () => {
    const pass = await foreign('redis.pass', 'nobody.pass');
    const config = { ...withRedis(pass), stateDir: 'state' };
    const problems = refusal(await load(config, undefined, { reuse: daemon() }).catch((e: unknown) => e));
    expect(problems).toEqual([
      `replay.passwordFile: ${join(dir, pass)}: is owned by uid ${NOBODY}, not by the daemon's user (uid 0) or root (chown 0 ${join(dir, pass)})`,
    ]);
    await expect(
      load({ ...withRedis('redis.pass'), stateDir: 'state' }, undefined, { reuse: daemon() }),
    ).resolves.toBeDefined();
  });
});

describe('loadConfig on arbitrary input', () => {
  const outcome = (e: unknown) => {
    if (!(e instanceof ServerError)) throw e;
    for (const line of e.problems) expect(line).not.toContain('\n');
  };
  it('either loads or throws ServerError for any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        await load(value).then(() => undefined, outcome);
      }),
      { numRuns: 150 },
    );
  });

  it('either loads or throws ServerError for mutations of a valid config', async () => {
    const valid = JSON.stringify(base);
    const mutated = fc.oneof(
      fc
        .record({
          key: fc.constantFrom(...Object.keys(base), 'listen', 'firewall', 'log'),
          value: fc.jsonValue(),
        })
        .map(({ key, value }) => JSON.stringify({ ...base, [key]: value })),
      fc
        .tuple(fc.nat(valid.length), fc.string({ maxLength: 3 }))
        .map(([at, s]) => valid.slice(0, at) + s + valid.slice(at + 1)),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        await load(text).then(() => undefined, outcome);
      }),
      { numRuns: 150 },
    );
  });

  it('either loads or throws ServerError for any authorized-keys text', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc
        .array(
          fc.constantFrom(
            KEY_B,
            'name=bob',
            'services=ssh',
            'from=1.2.3.0/24',
            'require-addresses',
            'expires=2030-01-01',
            'x',
            '#',
            '=',
          ),
          { maxLength: 6 },
        )
        .map((w) => w.join(' ')),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 5 }), async (lines) => {
        const name = `case-${counter}.keys`;
        await load(withKeys(name), lines.join('\n')).then(() => undefined, outcome);
      }),
      { numRuns: 100 },
    );
  });
});

describe('spa-server check and stateDir', () => {
  it('refuses what the start refuses of stateDir: a link, or writable by group or others; a missing one is fine', async () => {
    const { mkdir, symlink } = await import('node:fs/promises');
    const check = async (stateDir: string) => {
      const name = `case-${counter++}.json`;
      await writeFile(join(dir, name), JSON.stringify({ ...base, stateDir }), { mode: 0o644 });
      return runCheck({ config: join(dir, name) }).then(
        () => 'ok',
        (e: ServerError) => e.problems?.join('\n') ?? e.message,
      );
    };
    const write = process.stdout.write;
    process.stdout.write = () => true;
    try {
      expect(await check('missing-state')).toBe('ok');
      await mkdir(join(dir, 'open-state'), { mode: 0o700 });
      await chmod(join(dir, 'open-state'), 0o770);
      expect(await check('open-state')).toBe(
        `stateDir: ${join(dir, 'open-state')}: is writable by group or others (chmod 700)`,
      );
      await symlink(join(dir, 'open-state'), join(dir, 'linked-state'));
      expect(await check('linked-state')).toBe(
        `stateDir: ${join(dir, 'linked-state')}: is a symbolic link (name the directory itself)`,
      );
      await mkdir(join(dir, 'own-state'), { mode: 0o755 });
      await chmod(join(dir, 'own-state'), 0o755);
      expect(await check('own-state')).toBe('ok');
    } finally {
      process.stdout.write = write;
    }
  });
});
