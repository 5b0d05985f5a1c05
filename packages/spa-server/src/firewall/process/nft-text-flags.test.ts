import { describe, expect, it } from 'vitest';
import { listsFlags } from './nft-text-flags.js';

describe('listsFlags', () => {
  it('a dormant table, as nft 1.0.6 lists it', () => {
    const text = 'table ip filter {\n\tflags dormant\n\n\tchain SPA-INPUT {\n\t\ttcp dport 22 drop\n\t}\n}\n';
    expect(listsFlags(text)).toBe(true);
    expect(listsFlags(`# Warning: table ip filter is managed by iptables-nft, do not touch!\n${text}`)).toBe(
      true,
    );
  });

  it('a comment that spells a flags line is not one', () => {
    const text = 'table ip filter {\n\tcomment "x\n\tflags dormant"\n\tchain INPUT {\n\t}\n}\n';
    expect(listsFlags(text)).toBe(false);
  });

  it('no flags line: not flagged, whatever the rules say', () => {
    const text = [
      'table ip filter {',
      '\tchain INPUT {',
      '\t\ttype filter hook input priority filter; policy accept;',
      '\t\tcounter packets 0 bytes 0 jump SPA-INPUT',
      '\t}',
      '\tchain SPA-INPUT {',
      '\t\ttcp flags syn / fin,syn,rst,ack tcp dport { 2222 } drop',
      '\tflags dormant',
      '\t}',
      '}',
      '',
    ].join('\n');
    expect(listsFlags(text)).toBe(false);
    expect(listsFlags('')).toBe(false);
    expect(listsFlags('table ip filter {\n}\n')).toBe(false);
  });
});
