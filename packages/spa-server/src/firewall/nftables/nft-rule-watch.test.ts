/** NftRuleWatch: rules compared with those listed after the setup; a missing baseline asks for a setup, at most once a minute. */
import { describe, expect, it } from 'vitest';
import type { NftTableState } from './nft-json.js';
import { NftRuleWatch } from './nft-rule-watch.js';

const drop = [
  { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } },
  { drop: null },
];
const accept = [
  { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } },
  { accept: null },
];
const stateOf = (expr: unknown[]): NftTableState => ({
  sets: new Set(['protected']),
  rules: new Map([['input', 1]]),
  hooks: new Map([['input', 'input']]),
  grants: [],
  ports: [],
  ruleExprs: new Map([['input', [JSON.stringify(expr)]]]),
});

describe('NftRuleWatch', () => {
  it('finds a rule replaced in place (same count) changed, and the setup’s own rules unchanged', async () => {
    const watch = new NftRuleWatch(async () => stateOf(drop));
    watch.remember();
    expect(await watch.changed(stateOf(drop))).toBe(false);
    expect(await watch.changed(stateOf(accept))).toBe(true);
  });

  it('without a baseline (the listing failed) asks for a setup once, then again only after a minute', async () => {
    const watch = new NftRuleWatch(async () => {
      throw new Error('nft failed');
    });
    watch.remember();
    expect(await watch.changed(stateOf(accept), 1_000_000)).toBe(true);
    expect(await watch.changed(stateOf(accept), 1_030_000)).toBe(false);
    expect(await watch.changed(stateOf(accept), 1_061_000)).toBe(true);
  });
});
