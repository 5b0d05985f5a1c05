/** --host: IP literals as written, names through the resolver, and addresses written another way refused rather than reread. */
import { describe, expect, it } from 'vitest';
import { resolveHost } from '../src/address/resolve-host.js';

describe('resolveHost', () => {
  it('takes IPv4 and IPv6 literals as they are, with or without brackets', async () => {
    expect((await resolveHost('192.0.2.1')).addresses).toEqual([{ address: '192.0.2.1', family: 4 }]);
    expect((await resolveHost('[2001:db8::1]')).addresses).toEqual([{ address: '2001:db8::1', family: 6 }]);
  });

  it.each(['010.0.0.1', '10.0.0.010', '2130706433', '0x7f.1', '127.1', '0X7F000001', '10.0.0.1.'])(
    'refuses %s, which the system resolver would read as another address (usage)',
    async (host) => {
      await expect(resolveHost(host)).rejects.toMatchObject({
        code: 'USAGE',
        message: expect.stringContaining('is not an IP address as written'),
      });
    },
  );

  it('resolves a name through the system resolver', async () => {
    expect((await resolveHost('localhost')).addresses.length).toBeGreaterThan(0);
  });
});
