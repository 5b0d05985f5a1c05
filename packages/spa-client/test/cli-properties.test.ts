/** Property tests on the built binary: arbitrary argv and profile files never crash it (documented exit code, one line). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, createSandbox, type Sandbox } from './cli-harness.js';

const DOCUMENTED = new Set([0, 64, 65, 68, 69, 73, 75, 78]);
let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox();
}, 60_000);
afterAll(() => sb.cleanup());

function expectTidy(r: CliResult, verbose = false): void {
  expect(DOCUMENTED.has(r.exitCode), `exit ${r.exitCode}: ${r.stderr}`).toBe(true);
  if (verbose) return; // --verbose adds progress lines and the stack trace, by design
  if (r.exitCode !== 0) {
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^spa-client: /);
  }
  expect(r.stderr).not.toMatch(/\n\s+at |TypeError|ReferenceError|internal error/);
}

// Every value that could make the binary talk to the network points at loopback; nothing listens
// on the SPA port there, and --wait, connect's timeout and STUN are left out (they only wait).
const junk = fc.string({ maxLength: 12 });
const value = (): fc.Arbitrary<string> =>
  fc.oneof(
    junk,
    fc.constantFrom(
      '127.0.0.1',
      '::1',
      'localhost',
      '0',
      '22',
      '65536',
      '-1',
      '1.5',
      'tcp/22',
      'ssh',
      'udp/0',
    ),
    fc.constantFrom('source', 'auto', '192.0.2.1,2001:db8::1', 'stun=', 'x,y'),
  );
const OPTIONS = [
  '--host',
  '--port',
  '--spa-port',
  '--duration',
  '--allow-ip',
  '--config',
  '--out',
  '--comment',
  '--timeout',
];
const FLAGS = ['--json', '--dry-run', '-4', '-6', '-v', '--help', '--bogus', '-', '--'];
const token = (): fc.Arbitrary<string[]> =>
  fc.oneof(
    fc.tuple(fc.constantFrom(...OPTIONS), value()).map(([o, v]): string[] => [o, v]),
    fc.constantFrom(...FLAGS).map((f): string[] => [f]),
    value().map((v): string[] => [v]),
  );

describe('arbitrary input', () => {
  it('argv: any mix of commands, options and junk ends in a documented exit code and at most one line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('open', 'close', 'keygen', 'help', '--version', 'connect', 'nope', ''),
        fc.array(token(), { maxLength: 6 }),
        fc.boolean(),
        async (command, tokens, complete) => {
          const args = [command, ...tokens.flat()];
          // Half the runs carry a valid key pair, so the checks past argument parsing run too.
          if (complete) args.push('--server-key', sb.serverKey, '--key', sb.keyFile);
          if (command === 'connect') args.push('--timeout', '0.2');
          if (args.includes('--out')) args.push('--out', join(sb.home, 'generated', String(Math.random())));
          expectTidy(await sb.run(args), args.includes('-v'));
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('profile: any JSON (or broken text) at the default path gives exit 0 or a one-line 78/65/64', async () => {
    const entry = fc.record(
      {
        host: fc.oneof(
          fc.constantFrom('127.0.0.1', '::1'),
          junk.map((s) => `${s} x`),
        ),
        port: fc.oneof(fc.integer({ min: -1, max: 70000 }), junk),
        serverKey: fc.oneof(fc.constant(sb.serverKey), junk),
        keyFile: fc.oneof(fc.constant(sb.keyFile), fc.constant('~/client.key'), junk),
        services: fc.oneof(
          fc.dictionary(junk, fc.oneof(junk, fc.array(junk))),
          fc.array(junk),
          fc.jsonValue(),
        ),
        allowIp: fc.oneof(fc.constantFrom('source', 'auto', '192.0.2.7'), junk, fc.array(junk)),
        duration: fc.oneof(fc.integer(), junk),
      },
      { requiredKeys: [] },
    );
    const text = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.record({ hosts: fc.dictionary(fc.constantFrom('a', 'b'), entry) }).map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 40 }),
    );
    mkdirSync(join(sb.home, '.config', 'spa'), { recursive: true });
    await fc.assert(
      fc.asyncProperty(text, async (profile) => {
        writeFileSync(join(sb.home, '.config', 'spa', 'config.json'), profile);
        const r = await sb.run(['open', '--host', 'a', '--dry-run']);
        expectTidy(r);
        expect([0, 64, 65, 78]).toContain(r.exitCode);
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
