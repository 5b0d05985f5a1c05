/** The built spa-client refuses what it can tell is wrong before sending, and says what it signs and why. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectOneLine, useSandbox } from './cli-harness.js';

const sb = useSandbox();

const profile = (overrides: Record<string, unknown> = {}) =>
  sb.profile({ ssh: 'tcp/22', web: ['tcp/80', 'tcp/443'] }, overrides);

/** Lets a refused command's datagram (if one were sent) arrive before counting. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

describe('refusals before sending', { timeout: 30_000 }, () => {
  it('a service the profile does not list: exit 64 naming the services it has, nothing sent', async () => {
    const path = sb.writeProfile(profile(), join(sb.home, 'services.json'));
    const before = sb.sink.datagrams.length;
    const r = await sb.run(['open', 'shh', '--host', 'vpn.test', '--config', path]);
    expect(r.exitCode).toBe(64);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(/unknown service "shh": .* \(it lists ssh, web\)/);
    // The list form names services too; ports are never refused.
    sb.writeProfile(profile({ services: ['ssh', 'tcp/8443'] }), path);
    const list = await sb.run(['open', 'web', '--host', 'vpn.test', '--config', path]);
    expect(list.exitCode).toBe(64);
    expect(list.stderr).toMatch(/unknown service "web": .* \(it lists ssh\)/);
    await settle();
    expect(sb.sink.datagrams.length).toBe(before);
    const port = await sb.run(['open', 'tcp/2222', '--host', 'vpn.test', '--config', path]);
    expect(port.exitCode, port.stderr).toBe(0);
  });

  it('without a services list in the profile, any name is sent (the client cannot tell)', async () => {
    const r = await sb.run(['open', 'shh', ...sb.direct()]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('a public key where the private key belongs says so, from a file, SPA_PRIVATE_KEY or stdin', async () => {
    const pub = readFileSync(`${sb.keyFile}.pub`, 'utf8');
    const file = join(sb.home, 'pasted.key');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, pub, { mode: 0o600 });
    const base = [
      'open',
      'tcp/22',
      '--host',
      '127.0.0.1',
      '--spa-port',
      String(sb.sink.port),
      '--server-key',
      sb.serverKey,
    ];
    const fromFile = await sb.run([...base, '--key', file]);
    const fromEnv = await sb.run(base, { env: { SPA_PRIVATE_KEY: pub } });
    const fromStdin = await sb.run([...base, '--key', '-'], { input: pub });
    for (const [r, source] of [
      [fromFile, file],
      [fromEnv, 'SPA_PRIVATE_KEY'],
      [fromStdin, 'stdin'],
    ] as const) {
      expect(r.exitCode).toBe(65);
      expectOneLine(r.stderr);
      expect(r.stderr).toBe(
        `spa-client: ${source}: this is a public key; the private key file starts with spa-ed25519-private:`,
      );
    }
  });

  it('STUN needs two servers and discovery needs https: exit 64 before anything is sent', async () => {
    for (const [args, why] of [
      [['--allow-ip', 'stun'], /none is built in/],
      [['--allow-ip', 'stun=127.0.0.1:3478'], /one STUN server is not enough/],
      [['--discover', 'http://127.0.0.1/'], /--discover: http:\/\/ is refused/],
      [['--discover', 'stun=127.0.0.1'], /--discover: one STUN server is not enough/],
    ] as const) {
      const r = await sb.run(['open', 'tcp/22', ...sb.direct(), ...args]);
      expect(r.exitCode, r.stderr).toBe(64);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(why);
    }
  });
});

describe('what the client says', { timeout: 30_000 }, () => {
  it('a --duration above the profile maxDuration is sent with a warning on stderr', async () => {
    const path = sb.writeProfile(profile({ maxDuration: 900 }), join(sb.home, 'max.json'));
    const r = await sb.run([
      'open',
      'ssh',
      '--host',
      'vpn.test',
      '--config',
      path,
      '--duration',
      '3600',
      '--json',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).request.durationSeconds).toBe(3600);
    expect(r.stderr).toMatch(
      /^spa-client: warning: 3600 s asked, but the server grants vpn.test at most 900 s \(profile maxDuration\)/,
    );
    const within = await sb.run(['open', 'ssh', '--host', 'vpn.test', '--config', path, '--duration', '900']);
    expect(within.stderr).not.toMatch(/warning/);
  });

  it('--allow-ip source is said to sign nothing; --dry-run with discovery says what it would ask', async () => {
    const source = await sb.run(['open', 'tcp/22', ...sb.direct(), '--allow-ip', 'source']);
    expect(source.exitCode, source.stderr).toBe(0);
    expect(source.stderr).toMatch(/signing no address: the server opens the datagram's source address/);
    const dry = await sb.run([
      'open',
      'tcp/22',
      ...sb.direct(),
      '--allow-ip',
      'stun=127.0.0.1:9,stun=[::1]:9',
      '--dry-run',
      '--json',
      '--verbose',
    ]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).request.allowIp).toEqual(['stun=127.0.0.1:9', 'stun=[::1]:9']);
    expect(dry.stderr).toMatch(/IPv4: would ask stun=127.0.0.1:9, stun=\[::1\]:9/);
  });

  it('--verbose names the profile, the key source and the discovery source, never the key', async () => {
    const path = sb.writeProfile(
      profile({ discover: ['https://echo.test/ip'], discoverCa: 'ca.pem' }),
      join(sb.home, 'verbose.json'),
    );
    const r = await sb.run(
      ['open', 'ssh', '--host', 'vpn.test', '--config', path, '--dry-run', '--verbose'],
      {
        env: { SPA_PRIVATE_KEY: readFileSync(sb.keyFile, 'utf8') },
      },
    );
    expect(r.stderr).toContain(`spa-client: profile: ${path} (entry "vpn.test")`);
    expect(r.stderr).toContain('spa-client: key: SPA_PRIVATE_KEY');
    expect(r.stderr).toContain(
      `spa-client: discovery: https://echo.test/ip (${path}: discover), extra CA file ${join(sb.home, 'ca.pem')}`,
    );
    // The CA file does not exist: a configuration error, after the explanation.
    expect(r.exitCode).toBe(78);
    const secret = readFileSync(sb.keyFile, 'utf8').trim().split(':')[1]!;
    expect(r.stderr).not.toContain(secret.slice(0, 16));
    const plain = await sb.run(['open', 'ssh', ...sb.direct(), '--dry-run', '--verbose']);
    expect(plain.stderr).toContain('spa-client: profile: none');
    expect(plain.stderr).toContain(`spa-client: key: ${sb.keyFile}`);
    expect(plain.stderr).toContain('spa-client: discovery: none configured');
    expect(plain.stderr).toContain('spa-client: signing 127.0.0.1 (route)');
  });
});
