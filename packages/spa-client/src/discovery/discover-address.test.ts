/** Address discovery against local responders: an HTTPS echo with a test CA, and STUN servers that must agree. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AgentName, agentPath } from 'spa-test-kit/agents/agent-path';
import { createTestCa, type TestCa } from 'spa-test-kit/lab/test-ca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverAddress } from './discover-address.js';
import { queryHttpsEcho } from './https-echo.js';

const lib = (name: AgentName): string => agentPath(name);
const children: ChildProcess[] = [];
let ca: TestCa;
let caPem: string;

async function start(script: AgentName, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, [lib(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(/listening (\d+)/.exec(d.toString())![1])));
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}
const echo = (extra: readonly string[] = []): Promise<number> =>
  start('https-echo.mjs', ['--cert', ca.certFile, '--key', ca.keyFile, ...extra]);
const stun = (extra: readonly string[] = []): Promise<number> => start('stun-responder.mjs', [...extra]);
const fast = { stun: { initialRtoMs: 100, attempts: 2 } };

beforeAll(async () => {
  ca = await createTestCa(['127.0.0.1', '::1', 'localhost']);
  caPem = readFileSync(ca.caFile, 'utf8');
}, 30_000);
afterAll(async () => {
  for (const child of children) child.kill();
  await ca?.cleanup();
});

describe('queryHttpsEcho', { timeout: 15_000 }, () => {
  it('reads the address from a server whose certificate the given CA signed, per family', async () => {
    const port = await echo();
    await expect(queryHttpsEcho(`https://127.0.0.1:${port}/`, 4, { ca: caPem })).resolves.toBe('127.0.0.1');
    await expect(queryHttpsEcho(`https://[::1]:${port}/ip`, 6, { ca: caPem })).resolves.toBe('::1');
  });

  it('refuses a certificate no trusted CA signed, and one for another name', async () => {
    const port = await echo();
    await expect(queryHttpsEcho(`https://127.0.0.1:${port}/`, 4)).rejects.toMatchObject({
      code: 'DISCOVERY_FAILED',
      message: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|unable to verify/i),
    });
    const other = await createTestCa(['127.0.0.2']);
    try {
      const wrongName = await start('https-echo.mjs', ['--cert', other.certFile, '--key', other.keyFile]);
      const otherPem = readFileSync(other.caFile, 'utf8');
      await expect(
        queryHttpsEcho(`https://127.0.0.1:${wrongName}/`, 4, { ca: otherPem }),
      ).rejects.toMatchObject({ code: 'DISCOVERY_FAILED', message: expect.stringMatching(/ALTNAME/) });
    } finally {
      await other.cleanup();
    }
  });

  it.each([
    [['--answer', '224.0.0.1'], /not a unicast address/],
    [['--answer', '<html>hello</html>'], /not an IP address/],
    [['--answer', 'x'.repeat(300)], /longer than 256 bytes/],
    [['--answer', '2001:db8::7'], /asked over IPv4, answered 2001:db8::7/],
    [['--status', '302'], /HTTP status 302/],
  ])('refuses an answer that is not one unicast address of the family asked: %j', async (args, why) => {
    const port = await echo(args);
    await expect(queryHttpsEcho(`https://127.0.0.1:${port}/`, 4, { ca: caPem })).rejects.toMatchObject({
      code: 'DISCOVERY_FAILED',
      message: expect.stringMatching(why),
    });
  });

  it('gives up after the timeout on a server that never answers', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {}).listen(0, '127.0.0.1');
    await new Promise((r) => silent.once('listening', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await expect(
        queryHttpsEcho(`https://127.0.0.1:${port}/`, 4, { ca: caPem, timeoutMs: 300 }),
      ).rejects.toMatchObject({
        code: 'DISCOVERY_FAILED',
        message: expect.stringMatching(/no answer within 0.3 s/),
      });
    } finally {
      silent.close();
    }
  });
});

describe('discoverAddress', { timeout: 15_000 }, () => {
  it('two STUN servers that agree give the address; HTTPS and STUN together must agree too', async () => {
    const [a, b, e] = await Promise.all([stun(), stun(), echo()]);
    const servers = [
      { host: '127.0.0.1', port: a },
      { host: '127.0.0.1', port: b },
    ];
    await expect(discoverAddress({ https: [], stun: servers }, 4, fast)).resolves.toBe('127.0.0.1');
    const both = { https: [`https://127.0.0.1:${e}/`], stun: servers };
    await expect(discoverAddress(both, 4, { ...fast, https: { ca: caPem } })).resolves.toBe('127.0.0.1');
  });

  it('refuses when the sources disagree, naming each answer (DISCOVERY_CONFLICT)', async () => {
    const [a, liar] = await Promise.all([stun(), stun(['--answer', '198.51.100.66'])]);
    const sources = {
      https: [],
      stun: [
        { host: '127.0.0.1', port: a },
        { host: '127.0.0.1', port: liar },
      ],
    };
    await expect(discoverAddress(sources, 4, fast)).rejects.toMatchObject({
      code: 'DISCOVERY_CONFLICT',
      message: expect.stringMatching(
        /disagree \(stun=127.0.0.1:\d+ says 127.0.0.1, stun=127.0.0.1:\d+ says 198.51.100.66\)/,
      ),
    });
  });

  it('refuses when one of two STUN servers is silent: one unconfirmed answer is not trusted', async () => {
    const [a, silent] = await Promise.all([stun(), stun(['--mode', 'silent'])]);
    const sources = {
      https: [],
      stun: [
        { host: '127.0.0.1', port: a },
        { host: '127.0.0.1', port: silent },
      ],
    };
    await expect(discoverAddress(sources, 4, fast)).rejects.toMatchObject({ code: 'STUN_FAILED' });
  });
});
