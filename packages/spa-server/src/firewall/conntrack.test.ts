/** Which tracked connections of a range target get deleted: the ports used inside the range, nothing else. */
import { describe, expect, it } from 'vitest';
import { conntrackDeleteArgs, rangePortsInListing } from './conntrack.js';

// `conntrack -L -f ipv4 -s 10.0.0.1 -p tcp` (conntrack-tools 1.4.7): the original direction first.
const LISTING = [
  'tcp      6 431998 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=8005 src=10.0.0.2 dst=10.0.0.1 sport=8005 dport=40000 [ASSURED] mark=0 use=1',
  'tcp      6 431990 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40001 dport=8010 src=10.0.0.2 dst=10.0.0.1 sport=8010 dport=40001 [ASSURED] mark=0 use=1',
  'tcp      6 431990 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40002 dport=8005 src=10.0.0.2 dst=10.0.0.1 sport=8005 dport=40002 [ASSURED] mark=0 use=1',
  'tcp      6 117 TIME_WAIT src=10.0.0.1 dst=10.0.0.2 sport=8003 dport=22 src=10.0.0.2 dst=10.0.0.1 sport=22 dport=8003 [ASSURED] mark=0 use=1',
  'tcp      6 431990 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=40003 dport=8011 src=10.0.0.2 dst=10.0.0.1 sport=8011 dport=40003 [ASSURED] mark=0 use=1',
  '',
].join('\n');

const target = { family: 4, address: '10.0.0.1', protocol: 'tcp', port: 8000, lastPort: 8010 } as const;

describe('conntrack', () => {
  it('deletes per port used inside a range, never one outside it or a source port that looks like one', () => {
    expect(rangePortsInListing(LISTING, target)).toEqual([8005, 8010]);
    expect(rangePortsInListing('', target)).toEqual([]);
    expect(conntrackDeleteArgs(target, 8005)).toEqual([
      '-D',
      '-f',
      'ipv4',
      '-s',
      '10.0.0.1',
      '-p',
      'tcp',
      '--dport',
      '8005',
    ]);
  });
});
