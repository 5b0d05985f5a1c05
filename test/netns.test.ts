/** The lab itself: hosts reach each other over IPv4 and IPv6, and every namespace is gone afterwards. */
import { execa } from 'execa';
import { createLab, type Lab } from 'spa-test-kit/lab/netns';
import { probeTcp } from 'spa-test-kit/lab/probe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('network namespace lab', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await createLab(['server', 'client']);
  });
  afterAll(async () => {
    await lab?.destroy();
  });

  it('connects hosts over IPv4 and IPv6, with closed ports answering RST', async () => {
    const client = lab.host('client');
    const server = lab.host('server');
    await client.exec('ping', ['-c1', '-W2', server.ipv4]);
    await client.exec('ping', ['-6', '-c1', '-W2', server.ipv6]);
    expect(await probeTcp(client, server.ipv4, 9)).toBe('closed');
  });

  it('removes its namespaces on destroy', async () => {
    const extra = await createLab(['a']);
    await extra.destroy();
    const { stdout } = await execa('ip', ['netns', 'list']);
    expect(stdout).not.toContain(extra.id);
  });
});
