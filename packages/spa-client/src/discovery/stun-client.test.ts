/** The STUN client against the test kit's stun-responder agent on loopback: both families, fallbacks, retries, refusals. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentPath } from 'spa-test-kit/agents/agent-path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientError } from '../cli/errors.js';
import { queryStun } from './stun-client.js';

const RESPONDER = agentPath('stun-responder.mjs');
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'spa-stun-'));
afterAll(() => {
  for (const child of children) child.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function responder(mode: string, extra: string[] = []): Promise<{ port: number; countFile: string }> {
  const countFile = join(dir, `${mode}-${children.length}`);
  const child = spawn(process.execPath, [RESPONDER, '--mode', mode, '--count-file', countFile, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(/listening (\d+)/.exec(d.toString())![1])));
    child.once('exit', (code) => reject(new Error(`responder exited ${code}`)));
  });
  return { port, countFile };
}

const requestsSeen = (file: string): number => Number(readFileSync(file, 'utf8'));
const fast = { initialRtoMs: 100, attempts: 3 };

describe('queryStun', { timeout: 15_000 }, () => {
  it('learns the IPv4 address and port it sends from (XOR-MAPPED-ADDRESS)', async () => {
    const { port } = await responder('xor');
    const mapped = await queryStun({ host: '127.0.0.1', port }, 4, fast);
    expect(mapped.family).toBe(4);
    expect(mapped.address).toBe('127.0.0.1');
    expect(mapped.port).toBeGreaterThan(0);
  });

  it('learns the IPv6 address over IPv6', async () => {
    const { port } = await responder('xor');
    await expect(queryStun({ host: '::1', port }, 6, fast)).resolves.toMatchObject({
      family: 6,
      address: '::1',
    });
  });

  it('resolves a host name for the family asked', async () => {
    const { port } = await responder('xor');
    await expect(queryStun({ host: 'localhost', port }, 4, fast)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
  });

  it('reports the address a NAT would show (the responder answers a fixed public address)', async () => {
    const { port } = await responder('xor', ['--answer', '203.0.113.50']);
    await expect(queryStun({ host: '127.0.0.1', port }, 4, fast)).resolves.toMatchObject({
      address: '203.0.113.50',
    });
  });

  it.each([
    ['198.51.100.9', 6, '::1', /asked over IPv6, answered 198\.51\.100\.9/],
    ['2001:db8::9', 4, '127.0.0.1', /asked over IPv4, answered 2001:db8::9/],
    ['224.0.0.1', 4, '127.0.0.1', /the answer 224\.0\.0\.1 is not a unicast address/],
    ['0.0.0.0', 4, '127.0.0.1', /the answer 0\.0\.0\.0 is not a unicast address/],
  ] as const)(
    'refuses an answer of %s over IPv%s as the HTTPS echo does (STUN_FAILED)',
    async (answer, family, host, message) => {
      const { port } = await responder('xor', ['--answer', answer]);
      await expect(queryStun({ host, port }, family, fast)).rejects.toMatchObject({
        code: 'STUN_FAILED',
        message: expect.stringMatching(message),
      });
    },
  );

  it('falls back to MAPPED-ADDRESS, and prefers XOR-MAPPED-ADDRESS when both are present', async () => {
    const mappedOnly = await responder('mapped');
    await expect(queryStun({ host: '127.0.0.1', port: mappedOnly.port }, 4, fast)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    const both = await responder('both');
    await expect(queryStun({ host: '127.0.0.1', port: both.port }, 4, fast)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
  });

  it('retransmits when the first request gets no answer', async () => {
    const { port, countFile } = await responder('drop-first');
    await expect(queryStun({ host: '127.0.0.1', port }, 4, fast)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    expect(requestsSeen(countFile)).toBe(2);
  });

  it('gives up after the configured attempts with STUN_FAILED', async () => {
    const { port, countFile } = await responder('silent');
    const started = Date.now();
    const error = await queryStun({ host: '127.0.0.1', port }, 4, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe('STUN_FAILED');
    expect((error as ClientError).message).toMatch(/no answer after 3 requests/);
    expect(requestsSeen(countFile)).toBe(3);
    expect(Date.now() - started).toBeLessThan(2000); // 100 + 200 + 400 ms
  });

  it('ignores answers for another transaction, then gives up', async () => {
    const { port } = await responder('wrong-id');
    await expect(queryStun({ host: '127.0.0.1', port }, 4, fast)).rejects.toMatchObject({
      code: 'STUN_FAILED',
    });
  });

  it('fails at once on an error response', async () => {
    const { port } = await responder('error');
    await expect(queryStun({ host: '127.0.0.1', port }, 4, fast)).rejects.toThrow(/error response 400/);
  });

  it('refuses a literal server address of the other family', async () => {
    await expect(queryStun({ host: '127.0.0.1', port: 3478 }, 6, fast)).rejects.toMatchObject({
      code: 'STUN_FAILED',
    });
  });
});
