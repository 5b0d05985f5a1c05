import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isServiceName } from 'spa-protocol';
import { describe, expect, it } from 'vitest';
import {
  checkServerConfig,
  formatPath,
  locateJsonError,
  parseIsoDate,
  parsePortSpec,
  parseSocketAddress,
  RENAMED_REQUIRE_SIGNED,
  SERVICE_NAME_PATTERN,
  serverConfigJsonSchema,
} from './server-config.js';

const KEY_A = 'spa-ed25519:mXCDOzQHDPmgGuTEVrvBVphRl2KgVzuHnc3uWkXPqAI';
const base = { serverKeyFile: 'server.key', services: { ssh: 'tcp/22' } };

describe('server.json schema', () => {
  it('fills every default', () => {
    const result = checkServerConfig(base);
    expect(result).toEqual({
      ok: true,
      config: {
        listen: ['0.0.0.0:62201', '[::]:62201'],
        serverKeyFile: 'server.key',
        stateDir: '/var/lib/spa-server',
        firewall: { backend: 'nftables', table: 'spa', iptablesVariant: 'nft', knockGate: true },
        services: { ssh: 'tcp/22' },
        clients: [],
        timestampWindow: 60,
        watchClientsDir: false,
        futureWindow: 5,
        defaultDuration: 30,
        maxDuration: 3600,
        maxGrantsPerClient: 64,
        rateLimit: {
          perSourceRate: 5,
          perSourceBurst: 10,
          maxSources: 65536,
          perClientRate: 1,
          perClientBurst: 10,
        },
        replay: { capacity: 65536, perClient: 4096, store: 'file', timeout: 500, whenUnreachable: 'refuse' },
        queueSize: 1024,
        log: { level: 'info', refusalsPerSecond: 10 },
      },
    });
  });

  it('binds metrics to localhost unless told otherwise', () => {
    const result = checkServerConfig({ ...base, metrics: {} });
    expect(result.ok && result.config.metrics).toEqual({ listen: '127.0.0.1:9262', allowRemote: false });
  });

  it.each(['127.0.0.1:9262', '127.9.9.9:9262', '[::1]:9262', '[::ffff:127.0.0.1]:9262'])(
    'serves metrics on the loopback address %s without allowRemote',
    (listen) => {
      expect(checkServerConfig({ ...base, metrics: { listen } }).ok).toBe(true);
    },
  );

  it.each(['0.0.0.0:9262', '[::]:9262', '10.0.0.5:9262', '[2001:db8::1]:9262'])(
    'refuses metrics on %s unless metrics.allowRemote is true, in one line naming the field',
    (listen) => {
      const refused = checkServerConfig({ ...base, metrics: { listen } });
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.problems).toEqual([
        `metrics.listen: ${listen} is not a loopback address; set "metrics.allowRemote": true to serve metrics beyond this host`,
      ]);
      const allowed = checkServerConfig({ ...base, metrics: { listen, allowRemote: true } });
      expect(allowed.ok && allowed.config.metrics).toEqual({ listen, allowRemote: true });
    },
  );

  it('accepts a full client entry', () => {
    const client = {
      name: 'alice@laptop',
      publicKey: `${KEY_A} alice`,
      services: ['ssh'],
      maxDuration: 300,
      sourceNetworks: ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'],
      allowSourceAddress: true,
      expires: '2027-01-01T12:00:00+02:00',
    };
    expect(checkServerConfig({ ...base, clients: [client] })).toMatchObject({ ok: true });
  });

  it('requires signed addresses by default and caps live grants per client', () => {
    const client = { name: 'a', publicKey: KEY_A, services: ['ssh'] };
    const result = checkServerConfig({ ...base, clients: [client] });
    expect(result.ok && result.config.clients[0]?.allowSourceAddress).toBe(false);
    expect(result.ok && result.config.maxGrantsPerClient).toBe(64);
    expect(checkServerConfig({ ...base, maxGrantsPerClient: 0 })).toEqual({
      ok: false,
      problems: ['maxGrantsPerClient: must be at least 1'],
    });
  });

  it('says what replaced requireSignedAddresses, in one line', () => {
    const client = { name: 'a', publicKey: KEY_A, services: ['ssh'], requireSignedAddresses: true };
    expect(checkServerConfig({ ...base, clients: [client] })).toEqual({
      ok: false,
      problems: [`clients[0].requireSignedAddresses: ${RENAMED_REQUIRE_SIGNED}`],
    });
  });

  it('reports a cross-field problem on the field at fault', () => {
    const clients = [
      { name: 'a', publicKey: KEY_A, services: ['ssh'] },
      { name: 'b', publicKey: `${KEY_A} copy`, services: ['ssh'] },
    ];
    expect(checkServerConfig({ ...base, clients })).toEqual({
      ok: false,
      problems: ['clients[1].publicKey: same key as clients[0] ("a"): every client needs its own key'],
    });
  });

  it('keeps the future side of the window within the past side, and one client below the replay capacity', () => {
    expect(checkServerConfig({ ...base, timestampWindow: 10, futureWindow: 11 })).toEqual({
      ok: false,
      problems: ['futureWindow: 11 is more than timestampWindow (10)'],
    });
    expect(checkServerConfig({ ...base, replay: { capacity: 100, perClient: 100 } })).toEqual({
      ok: false,
      problems: [
        'replay.perClient: 100 is not less than replay.capacity (100): one client could fill the store',
      ],
    });
    expect(
      checkServerConfig({ ...base, futureWindow: 0, replay: { capacity: 100, perClient: 99 } }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('refuses a knock port that is itself protected', () => {
    const result = checkServerConfig({ ...base, listen: ['0.0.0.0:53'], services: { dns: 'udp/53' } });
    expect(result).toEqual({
      ok: false,
      problems: ['listen[0]: port 53 is also a protected service port (udp/53): knocks would be dropped'],
    });
  });

  it('refuses a knock port inside a protected UDP range', () => {
    const result = checkServerConfig({
      ...base,
      listen: ['0.0.0.0:62201'],
      services: { voip: 'udp/62000-63000' },
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'listen[0]: port 62201 is also a protected service port (udp/62000-63000): knocks would be dropped',
      ],
    });
  });

  it('accepts port ranges, alone or in a list, and equal ranges in two services', () => {
    const services = { web: 'tcp/8000-8010', admin: ['tcp/8000-8010', 'tcp/9000'], dns: 'udp/8000-8020' };
    expect(checkServerConfig({ ...base, services })).toMatchObject({ ok: true, config: { services } });
  });

  it.each([
    ['tcp/8010-8000', 'services.web: "tcp/8010-8000" is not'],
    ['tcp/8000-8000', 'services.web: "tcp/8000-8000" is not'],
    ['tcp/0-10', 'services.web: "tcp/0-10" is not'],
    ['tcp/8000-65536', 'services.web: "tcp/8000-65536" is not'],
    ['tcp/8000-', 'services.web: "tcp/8000-" is not'],
  ])('refuses the range %s in one line naming the field', (range, start) => {
    const result = checkServerConfig({ ...base, services: { web: range } });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      `${start} tcp/PORT, udp/PORT or a range tcp/FIRST-LAST (ports 1-65535, FIRST below LAST)`,
    ]);
  });

  it('refuses ranges that overlap without being equal', () => {
    const result = checkServerConfig({
      ...base,
      services: { web: 'tcp/8000-8010', api: ['tcp/9000', 'tcp/8010-8020'] },
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'services.api[1]: tcp/8010-8020 overlaps tcp/8000-8010 (services.web): ranges may only be equal or disjoint',
      ],
    });
  });

  it('refuses any range with the iptables backend, naming the field', () => {
    const result = checkServerConfig({
      ...base,
      firewall: { backend: 'iptables' },
      services: { ssh: 'tcp/22', web: 'tcp/8000-8010' },
    });
    expect(result).toEqual({
      ok: false,
      problems: [
        'services.web: tcp/8000-8010: port ranges need firewall.backend "nftables" (ipset stores a range as one element per port)',
      ],
    });
  });

  it('refuses a one-shot client with the iptables backend, or with a service that is not one TCP port, naming the field', () => {
    const carol = { name: 'carol', publicKey: KEY_A, services: ['ssh', 'dns', 'web'], oneShot: true };
    const services = { ssh: 'tcp/22', dns: ['tcp/53', 'udp/53'], web: 'tcp/8000-8010' };
    expect(checkServerConfig({ ...base, services, clients: [carol] })).toEqual({
      ok: false,
      problems: [
        'clients[0].oneShot: service "dns" has udp/53: one-shot grants are for single TCP ports only',
        'clients[0].oneShot: service "web" has tcp/8000-8010: one-shot grants are for single TCP ports only',
      ],
    });
    expect(
      checkServerConfig({
        ...base,
        firewall: { backend: 'iptables' },
        clients: [{ ...carol, services: ['ssh'] }],
      }),
    ).toEqual({
      ok: false,
      problems: [
        'clients[0].oneShot: needs firewall.backend "nftables": the iptables backend cannot end a grant at the first connection',
      ],
    });
    const ok = checkServerConfig({ ...base, clients: [{ ...carol, services: ['ssh'] }] });
    expect(ok.ok && ok.config.clients[0]?.oneShot).toBe(true);
    const db = { port: 'tcp/15432', forward: '10.0.0.5:5432' };
    expect(
      checkServerConfig({
        ...base,
        services: { ssh: 'tcp/22', db },
        clients: [{ ...carol, services: ['db'] }],
      }),
    ).toEqual({
      ok: false,
      problems: [
        'clients[0].oneShot: service "db" is forwarded to an internal host: one-shot grants are for local ports only',
      ],
    });
  });

  it('takes a forwarded service: one gateway port, one internal host per family', () => {
    const db = { port: 'tcp/15432', forward: ['10.0.0.5:5432', '[fd00::5]:5432'] };
    const result = checkServerConfig({ ...base, services: { ssh: 'tcp/22', db } });
    expect(result.ok && result.config.services.db).toEqual(db);
  });

  it('refuses a forward it could not give exactly, naming the field', () => {
    const problems = (services: Record<string, unknown>, firewall = {}) => {
      const result = checkServerConfig({ ...base, firewall, services });
      return result.ok ? [] : result.problems;
    };
    const db = (forward: unknown, port = 'tcp/15432') => ({ db: { port, forward } });
    expect(problems(db('10.0.0.5:5432'), { backend: 'iptables' })).toEqual([
      'services.db.forward: forwarding to an internal host needs firewall.backend "nftables"',
    ]);
    expect(problems(db('10.0.0.5:5432', 'tcp/15432-15440'))).toEqual([
      'services.db.port: tcp/15432-15440: a forwarded service has a single port, not a range',
    ]);
    expect(problems(db(['10.0.0.5:5432', '10.0.0.6:5432']))).toEqual([
      'services.db.forward: more than one IPv4 destination',
    ]);
    for (const address of ['127.0.0.1:5432', '[::1]:5432', '0.0.0.0:5432', '224.0.0.1:5432']) {
      expect(problems(db(address))[0]).toMatch(/^services\.db\.forward: .*not a loopback/);
    }
    expect(problems(db('db.internal:5432'))).toEqual([
      'services.db.forward: "db.internal:5432" is not ip:port or [ipv6]:port',
    ]);
    expect(problems({ ...db('10.0.0.5:5432'), web: ['tcp/80', 'tcp/15000-16000'] })).toEqual([
      'services.db.port: tcp/15432 is also a port of services.web: a forwarded port belongs to one service',
    ]);
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = checkServerConfig(value);
        if (!result.ok) for (const line of result.problems) expect(line).not.toContain('\n');
      }),
    );
  });

  it('docs/server-config.schema.json is up to date (pnpm exec tsx scripts/write-server-config-schema.ts)', () => {
    const file = join(import.meta.dirname, '../../../docs/server-config.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(serverConfigJsonSchema());
  });

  it('keeps the service name pattern the same as isServiceName', () => {
    const re = new RegExp(SERVICE_NAME_PATTERN);
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => re.test(s) === isServiceName(s)));
    for (const s of ['ssh', 'a', 'a'.repeat(32), 'a'.repeat(33), '-x', 'A', 'web_1']) {
      expect(re.test(s)).toBe(isServiceName(s));
    }
  });
});

describe('value formats', () => {
  it.each([
    ['0.0.0.0:62201', { address: '0.0.0.0', port: 62201 }],
    ['[::]:1', { address: '::', port: 1 }],
    ['[2001:DB8::1]:65535', { address: '2001:db8::1', port: 65535 }],
  ])('parses listen address %s', (text, expected) => expect(parseSocketAddress(text)).toEqual(expected));

  it.each([
    '0.0.0.0',
    '::1:80',
    '[1.2.3.4]:80',
    '1.2.3.4:0',
    '1.2.3.4:65536',
    '1.2.3.4:080',
    'localhost:80',
    '127.1:80',
    '[fe80::1%eth0]:80',
  ])('refuses listen address %s', (text) => expect(parseSocketAddress(text)).toBeUndefined());

  it('parses port specs strictly', () => {
    expect(parsePortSpec('tcp/22')).toEqual({ protocol: 'tcp', port: 22 });
    expect(parsePortSpec('udp/65535')).toEqual({ protocol: 'udp', port: 65535 });
    expect(parsePortSpec('tcp/8000-8010')).toEqual({ protocol: 'tcp', port: 8000, lastPort: 8010 });
    expect(parsePortSpec('udp/1-65535')).toEqual({ protocol: 'udp', port: 1, lastPort: 65535 });
    for (const bad of [
      'tcp/0',
      'tcp/65536',
      'tcp/022',
      'sctp/1',
      'TCP/22',
      'tcp/ 22',
      'tcp/22/',
      'tcp/22-22',
      'tcp/23-22',
      'tcp/22-080',
      'tcp/22-65536',
      'tcp/22-',
      'tcp/-22',
      'tcp/1-2-3',
    ]) {
      expect(parsePortSpec(bad)).toBeUndefined();
    }
  });

  it('parses ISO dates and refuses impossible ones', () => {
    expect(parseIsoDate('2027-01-01')).toBe(Date.UTC(2027, 0, 1));
    expect(parseIsoDate('2027-01-01T01:00:00+01:00')).toBe(Date.UTC(2027, 0, 1));
    expect(parseIsoDate('2028-02-29')).toBe(Date.UTC(2028, 1, 29));
    for (const bad of [
      '2027-02-30',
      '2027-13-01',
      '2027-1-1',
      '01/01/2027',
      '2027-01-01T10:00:00',
      'tomorrow',
    ]) {
      expect(parseIsoDate(bad)).toBeUndefined();
    }
  });

  it('formats paths the way people write them', () => {
    expect(formatPath(['clients', 1, 'publicKey'])).toBe('clients[1].publicKey');
    expect(formatPath(['services', 'my-web'])).toBe('services.my-web');
    expect(formatPath(['services', 'a b'])).toBe('services["a b"]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('locateJsonError', () => {
  it.each([
    ['{"a": x}', 1, 7],
    ['{\n  "a": 1,\n}', 3, 1],
    ['{"a": 1', 1, 8],
    ["{'a': 1}", 1, 2],
    ['{"a": 1} x', 1, 10],
    ['[1, 2,, 3]', 1, 7],
    ['', 1, 1],
  ])('finds the error in %j at %i:%i', (text, line, column) => {
    expect(locateJsonError(text)).toMatchObject({ line, column });
  });

  it('agrees with JSON.parse on what is valid', () => {
    const text = fc.oneof(
      fc.json(),
      fc.string(),
      fc.json().chain((j) => fc.nat(j.length).map((n) => j.slice(0, n) + j.slice(n + 1))),
    );
    fc.assert(
      fc.property(text, (t) => {
        let valid = true;
        try {
          JSON.parse(t);
        } catch {
          valid = false;
        }
        expect(locateJsonError(t) === undefined).toBe(valid);
      }),
      { numRuns: 2000 },
    );
  });

  it('survives hostile nesting', () => {
    expect(locateJsonError('['.repeat(200_000))).toMatchObject({ line: 1, column: 200_001 });
  });
});

describe('server.json replay store', () => {
  const redis = (replay: Record<string, unknown>) =>
    checkServerConfig({ ...base, replay: { store: 'redis', ...replay } });
  const problems = (result: ReturnType<typeof checkServerConfig>) => (result.ok ? [] : result.problems);

  it.each(['redis://10.0.0.5:6379/2', 'rediss://redis.example.com', 'unix:///run/redis/redis.sock'])(
    'accepts %s',
    (url) => {
      expect(redis({ url, username: 'spa', passwordFile: 'redis.password' }).ok).toBe(true);
    },
  );

  it('refuses bad Redis settings in one line each, naming the field', () => {
    expect(problems(redis({}))).toEqual(['replay.url: required with "store": "redis"']);
    expect(problems(redis({ url: 'redis://spa:secret@10.0.0.5' }))).toEqual([
      'replay.url: no user or password in the URL: use replay.username and replay.passwordFile',
    ]);
    expect(problems(redis({ url: 'http://10.0.0.5' }))).toEqual([
      'replay.url: not redis://host[:port][/db], rediss://host[:port][/db] or unix:///path',
    ]);
    expect(problems(redis({ url: 'redis://10.0.0.5', caFile: 'ca.pem' }))).toEqual([
      'replay.caFile: only used with a rediss:// URL (TLS)',
    ]);
    expect(problems(redis({ url: 'redis://10.0.0.5', timeout: 0 }))[0]).toMatch(/^replay\.timeout: /);
    expect(problems(redis({ url: 'redis://10.0.0.5', keyPrefix: 'a b' }))[0]).toMatch(/^replay\.keyPrefix: /);
    expect(problems(checkServerConfig({ ...base, replay: { url: 'redis://10.0.0.5' } }))).toEqual([
      'replay.url: only used with "store": "redis"',
    ]);
  });
});

describe('server.json hooks', () => {
  const hooks = (value: unknown) => checkServerConfig({ ...base, hooks: value });
  const problems = (result: ReturnType<typeof checkServerConfig>) => (result.ok ? [] : result.problems);

  it('takes a command per event as an argument array, with bounds by default', () => {
    const result = hooks({ grant: ['/usr/local/bin/notify', '--event', 'grant'], expire: ['/bin/true'] });
    expect(result.ok && result.config.hooks).toEqual({
      grant: ['/usr/local/bin/notify', '--event', 'grant'],
      expire: ['/bin/true'],
      timeout: 5000,
      maxConcurrent: 2,
      maxQueue: 100,
    });
  });

  it('refuses a shell line, a program found through PATH and unknown events, one line each naming the field', () => {
    expect(problems(hooks({ grant: '/usr/bin/logger granted' }))).toEqual([
      'hooks.grant: expected an array, got a string',
    ]);
    expect(problems(hooks({ close: ['logger', 'closed'] }))).toEqual([
      'hooks.close: the first item must be the absolute path of the program (no shell, no PATH lookup)',
    ]);
    expect(problems(hooks({ grant: [] }))).toEqual(['hooks.grant: must have at least 1 item']);
    expect(problems(hooks({ revoke: ['/bin/true'] }))).toEqual(['hooks.revoke: unknown field']);
    expect(problems(hooks({ timeout: 0 }))).toEqual(['hooks.timeout: must be at least 100']);
  });
});
