/** The built spa-client binary sends knocks a server decodes: open, close, --allow-ip, --dry-run, --json, --wait. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { expectOneLine, useSandbox } from './cli-harness.js';

const sb = useSandbox({ listener: true });

describe('sending knocks', { timeout: 30_000 }, () => {
  it('open sends one datagram the server decodes to exactly the request, and --json describes it', async () => {
    const before = sb.sink.datagrams.length;
    const r = await sb.run([
      'open',
      'ssh',
      'tcp/8443',
      'udp/53',
      ...sb.direct(),
      '--duration',
      '120',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report)).toEqual([
      'command',
      'dryRun',
      'host',
      'profile',
      'server',
      'keyId',
      'request',
      'packets',
      'wait',
      'notes',
    ]);
    expect(report).toMatchObject({
      command: 'open',
      dryRun: false,
      host: '127.0.0.1',
      profile: null,
      server: { addresses: ['127.0.0.1'], port: sb.sink.port, key: sb.serverKey },
      request: {
        kind: 'open',
        access: ['ssh', 'tcp/8443', 'udp/53'],
        allowIp: ['default'],
        addresses: ['127.0.0.1'],
        addressSources: [{ address: '127.0.0.1', via: 'route' }],
        durationSeconds: 120,
      },
      wait: null,
    });
    // Without --allow-ip the route's address is signed (loopback to loopback: the same scope).
    expect(r.stderr).toBe('spa-client: signing 127.0.0.1 (route)');
    expect(report.packets).toHaveLength(1);
    await expect.poll(() => sb.sink.datagrams.length).toBe(before + 1);
    const knock = sb.sink.decoded().at(-1)!;
    expect(knock).toMatchObject({ kind: 'open', addresses: ['127.0.0.1'], durationSeconds: 120 });
    expect(knock.access).toEqual([
      { type: 'service', name: 'ssh' },
      { type: 'tcp', port: 8443 },
      { type: 'udp', port: 53 },
    ]);
    expect(Buffer.from(knock.nonce).toString('hex')).toBe(report.packets[0].nonce);
    expect(report.packets[0]).toMatchObject({
      to: '127.0.0.1',
      family: 4,
      port: sb.sink.port,
      bytes: sb.sink.datagrams.at(-1)!.length,
    });
  });

  it('close sends a signed close request; human output is one line', async () => {
    const before = sb.sink.datagrams.length;
    const r = await sb.run(['close', 'tcp/22', ...sb.direct()]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toMatch(/^sent close tcp\/22 to 127.0.0.1/);
    await expect.poll(() => sb.sink.datagrams.length).toBe(before + 1);
    expect(sb.sink.decoded().at(-1)).toMatchObject({
      kind: 'close',
      durationSeconds: 0,
      access: [{ type: 'tcp', port: 22 }],
    });
  });

  it('--allow-ip: explicit addresses and auto are signed into the request', async () => {
    const before = sb.sink.datagrams.length;
    const r = await sb.run([
      'open',
      'tcp/22',
      ...sb.direct(),
      '--allow-ip',
      '198.51.100.7',
      '--allow-ip',
      'auto,2001:db8::7',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).request).toMatchObject({
      allowIp: ['auto', '198.51.100.7', '2001:db8::7'],
      addresses: ['198.51.100.7', '2001:db8::7', '127.0.0.1'],
    });
    await expect.poll(() => sb.sink.datagrams.length).toBe(before + 1);
    expect(sb.sink.decoded().at(-1)!.addresses).toEqual(['198.51.100.7', '2001:db8::7', '127.0.0.1']);
  });

  it('--dry-run sends nothing and shows the request, human-readable or as JSON', async () => {
    const before = sb.sink.datagrams.length;
    const human = await sb.run(['open', 'ssh', ...sb.direct(), '--dry-run']);
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^dry run: nothing sent\n/);
    expect(human.stdout).toMatch(/request {2}open ssh/);
    const json = JSON.parse((await sb.run(['open', 'ssh', ...sb.direct(), '--dry-run', '--json'])).stdout);
    expect(json).toMatchObject({
      dryRun: true,
      request: { access: ['ssh'] },
      packets: [{ to: '127.0.0.1', bytes: 260 }],
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(sb.sink.datagrams.length).toBe(before);
  });

  it('--wait exits 0 once the port accepts, and reports when', async () => {
    const r = await sb.run([
      'open',
      `tcp/${sb.openPort}`,
      ...sb.direct(),
      '--wait',
      '--timeout',
      '3',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).wait).toMatchObject({
      opened: true,
      knocks: 1,
      ports: [
        { address: '127.0.0.1', port: sb.openPort, openAfterMs: expect.any(Number), lastState: 'open' },
      ],
    });
  });

  it('--wait that times out exits 75 with one line of likely causes, after fresh re-knocks', async () => {
    const before = sb.sink.datagrams.length;
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const r = await sb.run(['open', `tcp/${closed}`, ...sb.direct(), '--wait', '--timeout', '1.6', '--json']);
    expect(r.exitCode).toBe(75);
    const [signing, ...error] = r.stderr.split(/(?<=\n)/);
    expect(signing).toBe('spa-client: signing 127.0.0.1 (route)\n');
    expectOneLine(error.join(''));
    expect(r.stderr).toMatch(
      /did not open within 1.6 s .*; likely causes: clock skew.*wrong server key.*not authorized.*not allowed/,
    );
    const report = JSON.parse(r.stdout);
    expect(report.error).toMatchObject({ code: 'WAIT_TIMEOUT', exitCode: 75 });
    expect(report.wait).toMatchObject({ opened: false, knocks: 2 });
    expect(report.packets).toHaveLength(2);
    await expect.poll(() => sb.sink.datagrams.length).toBe(before + 2);
    const [a, b] = sb.sink.datagrams.slice(before);
    expect(Buffer.from(a!).equals(Buffer.from(b!))).toBe(false);
    const nonces = sb.sink
      .decoded()
      .slice(before)
      .map((k) => Buffer.from(k.nonce).toString('hex'));
    expect(new Set(nonces).size).toBe(2);
  });

  it('--wait refuses at once when a service has no known ports, or nothing is TCP', async () => {
    const ssh = await sb.run(['open', 'ssh', ...sb.direct(), '--wait']);
    expect(ssh.exitCode).toBe(64);
    expect(ssh.stderr).toMatch(/ports of service "ssh" are unknown/);
    const udp = await sb.run(['open', 'udp/53', ...sb.direct(), '--wait']);
    expect(udp.exitCode).toBe(64);
  });
});
