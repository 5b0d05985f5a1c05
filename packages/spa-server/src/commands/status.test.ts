import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { buildStatus, formatStatus } from './status.js';

const config: Pick<ResolvedConfig, 'firewall' | 'services'> = {
  firewall: { backend: 'nftables', table: 'spa', iptablesVariant: 'nft' },
  services: new Map([
    ['ssh', [{ protocol: 'tcp', port: 22 }]],
    ['web', [{ protocol: 'tcp', port: 443 }]],
  ]),
};
const grant = (client: string, address: string, port: number, expiresInSeconds: number) =>
  ({
    client,
    owners: client.split(','),
    address,
    family: address.includes(':') ? 6 : 4,
    protocol: 'tcp',
    port,
    expiresInSeconds,
  }) as const;

describe('status', () => {
  it('maps ports back to services, sorted, null for ports no service has', () => {
    const report = buildStatus(config, [
      grant('bob', '10.0.0.2', 443, 5),
      grant('alice', '2001:db8::1', 22, 30),
      grant('alice', '10.0.0.1', 8080, 9),
    ]);
    expect(report).toEqual({
      backend: 'nftables',
      table: 'spa',
      grants: [
        { ...grant('alice', '10.0.0.1', 8080, 9), service: null },
        { ...grant('alice', '2001:db8::1', 22, 30), service: 'ssh' },
        { ...grant('bob', '10.0.0.2', 443, 5), service: 'web' },
      ],
    });
    expect(formatStatus(report)).toBe(
      [
        'CLIENT  ADDRESS      SERVICE  PORT      EXPIRES IN',
        'alice   10.0.0.1     -        tcp/8080  9s',
        'alice   2001:db8::1  ssh      tcp/22    30s',
        'bob     10.0.0.2     web      tcp/443   5s',
        '',
      ].join('\n'),
    );
  });

  it('shows every owner of a grant held by several clients', () => {
    const report = buildStatus(config, [grant('alice,bob', '10.0.0.1', 22, 30)]);
    expect(report.grants[0]).toMatchObject({ client: 'alice,bob', owners: ['alice', 'bob'] });
    expect(formatStatus(report)).toContain('alice,bob  10.0.0.1  ssh');
  });

  it('says so when nothing is granted', () => {
    expect(formatStatus(buildStatus(config, []))).toBe('no active grants\n');
  });
});
