/** ipset command text and `ipset save` parsing, with output captured from ipset 7.17. */
import { describe, expect, it } from 'vitest';
import { alice, bob6 } from '../../../test/sample-grants.js';
import {
  ipsetCreateScript,
  ipsetGrantLines,
  ipsetRevokeLines,
  parseIpsetNames,
  parseIpsetSave,
} from './ipset-script.js';
import { IptablesDriver } from './iptables.js';

describe('ipset commands', () => {
  it('creates one hash:ip,port set per family with timeouts and comments', () => {
    expect(ipsetCreateScript('spa')).toBe(
      'create spa4 hash:ip,port family inet timeout 0 comment maxelem 65536\n' +
        'create spa6 hash:ip,port family inet6 timeout 0 comment maxelem 65536\n',
    );
  });

  it('grants with -exist so a repeat replaces the timeout and comment', () => {
    expect(ipsetGrantLines('spa', [alice, bob6])).toEqual([
      'add spa4 10.0.0.1,tcp:22 timeout 30 comment "alice" -exist',
      'add spa6 fd77::2,udp:53 timeout 5 comment "bob@x" -exist',
    ]);
    expect(ipsetRevokeLines('spa', [bob6])).toEqual(['del spa6 fd77::2,udp:53 -exist']);
  });
});

describe('parseIpsetSave', () => {
  it('reads the grants of its own sets only', () => {
    const save = [
      'create spa4 hash:ip,port family inet hashsize 1024 maxelem 65536 timeout 0 comment bucketsize 12 initval 0x3abadc2e',
      'add spa4 10.0.0.1,tcp:22 timeout 59 comment "bob"',
      'add spa4 10.0.0.7,udp:53',
      'add other4 10.0.0.2,tcp:22 timeout 9 comment "x"',
      'create spa6 hash:ip,port family inet6 hashsize 1024 maxelem 65536 timeout 0 comment bucketsize 12 initval 0x2f852a41',
      'add spa6 fd77:14::1,tcp:2222 timeout 3 comment "c@d.e"',
      'add spa6 10.0.0.3,tcp:22 timeout 3',
      'add spa4 10.0.0.4,icmp:8 timeout 3',
      '',
    ].join('\n');
    expect(parseIpsetSave(save, 'spa')).toEqual([
      {
        family: 4,
        address: '10.0.0.1',
        protocol: 'tcp',
        port: 22,
        client: 'bob',
        owners: ['bob'],
        expiresInSeconds: 59,
      },
      {
        family: 4,
        address: '10.0.0.7',
        protocol: 'udp',
        port: 53,
        client: '',
        owners: [],
        expiresInSeconds: Number.POSITIVE_INFINITY,
      },
      {
        family: 6,
        address: 'fd77:14::1',
        protocol: 'tcp',
        port: 2222,
        client: 'c@d.e',
        owners: ['c@d.e'],
        expiresInSeconds: 3,
      },
    ]);
  });

  it('refuses port ranges instead of letting ipset expand them into one element per port', () => {
    const range = { ...alice, port: 8000, lastPort: 8010 };
    const refused = {
      code: 'FIREWALL_INVALID_INPUT',
      message: 'port ranges need the nftables backend: tcp/8000-8010',
    };
    expect(() => ipsetGrantLines('spa', [alice, range])).toThrow(expect.objectContaining(refused));
    expect(() => ipsetRevokeLines('spa', [range])).toThrow(expect.objectContaining(refused));
  });

  it('refuses one-shot grants: ipset would keep them open to every connection until their timeout', () => {
    const refused = {
      code: 'FIREWALL_INVALID_INPUT',
      message: 'one-shot grants need the nftables backend: tcp/22',
    };
    expect(() => ipsetGrantLines('spa', [{ ...alice, once: true }])).toThrow(
      expect.objectContaining(refused),
    );
  });

  it('refuses a forwarded port at setup, before running any tool: iptables has no DNAT of grants', async () => {
    const driver = new IptablesDriver({
      variant: 'nft',
      prefix: 'spa',
      paths: { iptables: '/nonexistent/iptables' },
    });
    const forward = [{ family: 4 as const, address: '10.0.0.5', port: 5432 }];
    await expect(driver.setup([{ protocol: 'tcp', port: 15432, forward }])).rejects.toMatchObject({
      code: 'FIREWALL_INVALID_INPUT',
      message: 'forwarding to an internal host needs the nftables backend: tcp/15432',
    });
  });

  it('lists set names', () => {
    expect(parseIpsetNames('spa4\nspa6\n\n')).toEqual(new Set(['spa4', 'spa6']));
  });
});
