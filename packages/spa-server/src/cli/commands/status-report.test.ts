import { describe, expect, it } from 'vitest';
import type { ResolvedConfig } from '../../config/resolved-config.js';
import type { ActiveGrant, Grant, ProtectionState } from '../../firewall/driver.js';
import { buildStatus, formatStatus, protectionProblem } from './status-report.js';

const config: Pick<ResolvedConfig, 'firewall' | 'services'> = {
  firewall: { backend: 'nftables', table: 'spa', iptablesVariant: 'nft', knockGate: true },
  services: new Map([
    ['ssh', [{ protocol: 'tcp', port: 22 }]],
    ['web', [{ protocol: 'tcp', port: 443 }]],
  ]),
};
const grant = (client: string, address: string, port: number, expiresInSeconds: number): ActiveGrant => ({
  client,
  owners: client.split(','),
  address,
  family: address.includes(':') ? 6 : 4,
  protocol: 'tcp',
  port,
  expiresInSeconds,
});
const bothPorts = [
  { protocol: 'tcp', port: 443 },
  { protocol: 'tcp', port: 22 },
] as const;
const kernel = (over: Partial<ProtectionState> = {}): ProtectionState => ({
  protection: 'installed',
  ports: bothPorts,
  grants: [],
  ...over,
});

describe('status', () => {
  it("sorts many grants in localeCompare's order of client, then address, then port", () => {
    const clients = ['bob', 'Alice', 'alice', 'ci-7,ci-8', 'Émile', 'E\u0301mile', 'zed'];
    const grants: ActiveGrant[] = [];
    for (let i = 0; i < 600; i++) {
      const address = i % 3 === 0 ? `2001:db8::${(i * 7) % 50}` : `10.0.${i % 4}.${(i * 13) % 40}`;
      grants.push(grant(clients[(i * 5) % clients.length]!, address, [22, 443, 8080][i % 3]!, i));
    }
    const report = buildStatus(config, kernel({ grants }), { running: false });
    const expected = [...report.grants].sort(
      (a, b) => a.client.localeCompare(b.client) || a.address.localeCompare(b.address) || a.port - b.port,
    );
    expect(report.grants).toEqual(expected);
    expect(report.grants).toHaveLength(600);
  });

  it('maps ports back to services, sorted, null for ports no service has', () => {
    const report = buildStatus(
      config,
      kernel({
        grants: [
          grant('bob', '10.0.0.2', 443, 5),
          grant('alice', '2001:db8::1', 22, 30),
          grant('alice', '10.0.0.1', 8080, 9),
        ],
      }),
      { running: true, pid: 42 },
    );
    expect(report).toEqual({
      backend: 'nftables',
      table: 'spa',
      grantsFrom: 'kernel',
      shapeFrom: 'kernel',
      protection: 'installed',
      protectedPorts: [
        { protocol: 'tcp', port: 22 },
        { protocol: 'tcp', port: 443 },
      ],
      unprotectedPorts: [],
      daemon: { running: true, pid: 42 },
      grants: [
        { ...grant('alice', '10.0.0.1', 8080, 9), service: null },
        { ...grant('alice', '2001:db8::1', 22, 30), service: 'ssh' },
        { ...grant('bob', '10.0.0.2', 443, 5), service: 'web' },
      ],
    });
    expect(protectionProblem(report)).toBeUndefined();
    expect(formatStatus(report)).toBe(
      [
        'protection: installed (nftables, table "spa")',
        'protected:  tcp/22, tcp/443',
        'daemon:     running (pid 42)',
        'grants:     3',
        '',
        'CLIENT  ADDRESS      SERVICE  PORT      EXPIRES IN',
        'alice   10.0.0.1     -        tcp/8080  9s',
        'alice   2001:db8::1  ssh      tcp/22    30s',
        'bob     10.0.0.2     web      tcp/443   5s',
        '',
      ].join('\n'),
    );
  });

  it('marks a one-shot grant not yet spent', () => {
    const once = { ...grant('carol', '10.0.0.3', 22, 40), once: true };
    const report = buildStatus(config, kernel({ grants: [once] }), { running: true });
    expect(report.grants).toEqual([{ ...grant('carol', '10.0.0.3', 22, 40), service: 'ssh', oneShot: true }]);
    expect(formatStatus(report)).toContain('carol   10.0.0.3  ssh      tcp/22  40s (one-shot)\n');
  });

  it('says no table means missing protection, names the open ports, and fails (exit 3)', () => {
    const report = buildStatus(config, { protection: 'missing', ports: [], grants: [] }, { running: false });
    expect(report).toMatchObject({
      protection: 'missing',
      protectedPorts: [],
      unprotectedPorts: [
        { protocol: 'tcp', port: 22 },
        { protocol: 'tcp', port: 443 },
      ],
    });
    expect(formatStatus(report)).toBe(
      [
        'protection: missing (nftables, table "spa")',
        'protected:  none',
        'open:       tcp/22, tcp/443 (configured, accept anyone)',
        'daemon:     not running',
        'grants:     none',
        '',
      ].join('\n'),
    );
    expect(protectionProblem(report)).toBe(
      'protection missing: nothing of nftables table "spa" is installed; tcp/22, tcp/443 accept anyone (start spa-server)',
    );
  });

  it('a configured port the kernel does not drop makes an intact table incomplete', () => {
    const report = buildStatus(config, kernel({ ports: [{ protocol: 'tcp', port: 22 }] }), {
      running: null,
      error: 'permission denied',
    });
    expect(report.protection).toBe('incomplete');
    expect(report.unprotectedPorts).toEqual([{ protocol: 'tcp', port: 443 }]);
    expect(formatStatus(report)).toContain('daemon:     unknown (permission denied)\n');
    expect(protectionProblem(report)).toMatch(/^protection incomplete: .* lacks tcp\/443/);
    expect(buildStatus(config, kernel({ protection: 'incomplete' }), { running: true }).protection).toBe(
      'incomplete',
    );
  });

  it("answers from the daemon's ledger, but one-shot grants only as the kernel still holds them", () => {
    const ledger: Grant[] = [
      { family: 4, address: '10.0.0.1', protocol: 'tcp', port: 22, timeoutSeconds: 30, client: 'alice,bob' },
      // Spent: the kernel deleted it at the first connection, the daemon's ledger cannot know.
      {
        family: 4,
        address: '10.0.0.2',
        protocol: 'tcp',
        port: 22,
        timeoutSeconds: 9,
        client: 'bob',
        once: true,
      },
    ];
    const unspent = { ...grant('carol', '10.0.0.3', 22, 7), once: true };
    const state = kernel({ grants: [unspent, grant('dave', '10.0.0.4', 22, 3)] });
    const report = buildStatus(config, state, { running: true, pid: 42 }, { grantsFrom: 'daemon', ledger });
    expect(report.grantsFrom).toBe('daemon');
    expect(report.grants).toEqual([
      {
        client: 'alice,bob',
        owners: ['alice', 'bob'],
        address: '10.0.0.1',
        family: 4,
        protocol: 'tcp',
        port: 22,
        service: 'ssh',
        expiresInSeconds: 30,
      },
      {
        client: 'carol',
        owners: ['carol'],
        address: '10.0.0.3',
        family: 4,
        protocol: 'tcp',
        port: 22,
        service: 'ssh',
        expiresInSeconds: 7,
        oneShot: true,
      },
    ]);
  });

  it('keeps the kernel listing when no daemon answered with its ledger', () => {
    const state = kernel({ grants: [grant('alice', '10.0.0.1', 22, 5)] });
    const report = buildStatus(
      config,
      state,
      { running: false },
      { grantsFrom: 'kernel', ledger: undefined },
    );
    expect(report.grants.map((g) => g.address)).toEqual(['10.0.0.1']);
  });

  it('gives a ledger grant of a port range the same fields, in the same order, as a listed one', () => {
    const range = { family: 4, address: '10.0.0.5', protocol: 'tcp', port: 8000, lastPort: 8010 } as const;
    const listed = buildStatus(
      config,
      kernel({ grants: [{ ...grant('erin', '10.0.0.5', 8000, 4), ...range }] }),
      {
        running: false,
      },
    );
    const ledger = buildStatus(
      config,
      kernel(),
      { running: true },
      {
        grantsFrom: 'daemon',
        ledger: [{ ...range, client: 'erin', timeoutSeconds: 4 }],
      },
    );
    expect(JSON.stringify(ledger.grants)).toBe(JSON.stringify(listed.grants));
  });
});
