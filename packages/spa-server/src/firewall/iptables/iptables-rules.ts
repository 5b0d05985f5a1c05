/** iptables-restore text for the server's own chain (SPA-INPUT, jumped to first from INPUT), and reading `iptables -S`. @module */
import type { PortSpec, ProtectionState } from '../driver.js';

/** multiport takes at most 15 ports per rule. */
const MULTIPORT_MAX = 15;

/** The driver's chain for a name prefix: `SPA-INPUT` for `spa`. */
export function chainName(prefix: string): string {
  return `${prefix.toUpperCase()}-INPUT`;
}

/**
 * The chain's rules. RETURN rather than ACCEPT: iptables' ACCEPT would be final for the whole INPUT
 * chain, so this chain would decide about traffic it does not protect. The chain only drops protected
 * ports for addresses without a grant; established connections outlive the grant that opened them.
 * A new TCP connection (a bare SYN) from an address without a grant is dropped before the conntrack
 * RETURN, as in nft-script.ts: conntrack counts a SYN that reuses a tracked 4-tuple as established.
 * The SYN rules are written as `iptables -S` prints them (`--syn` is shorthand for these flags).
 */
export function chainRules(
  chain: string,
  set: string,
  ports: readonly PortSpec[],
  knockRules: readonly string[] = [],
): string[] {
  const rules = [
    // The knock limit first: a flood is dropped before conntrack or set lookups spend anything on it.
    ...knockRules,
    `-A ${chain} -m set --match-set ${set} src,dst -j RETURN`,
    ...portChunks(ports, 'tcp').map(
      (chunk) =>
        `-A ${chain} -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports ${chunk} -j DROP`,
    ),
    `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN`,
  ];
  for (const protocol of ['tcp', 'udp'] as const) {
    for (const chunk of portChunks(ports, protocol))
      rules.push(`-A ${chain} -p ${protocol} -m multiport --dports ${chunk} -j DROP`);
  }
  return rules;
}

/** A protocol's ports as multiport lists of at most MULTIPORT_MAX. */
function portChunks(ports: readonly PortSpec[], protocol: PortSpec['protocol']): string[] {
  const list = ports.filter((p) => p.protocol === protocol).map((p) => p.port);
  const chunks: string[] = [];
  for (let i = 0; i < list.length; i += MULTIPORT_MAX)
    chunks.push(list.slice(i, i + MULTIPORT_MAX).join(','));
  return chunks;
}

/**
 * The ports the chain's DROP rules name, as `iptables -S` prints them
 * (`-A SPA-INPUT -p tcp -m multiport --dports 22,443 -j DROP`); other rules are skipped.
 */
export function droppedPorts(rules: readonly string[]): PortSpec[] {
  const ports: PortSpec[] = [];
  for (const rule of rules) {
    const match = /^-A \S+ -p (tcp|udp) -m multiport --dports ([\d,]+) -j DROP$/.exec(rule);
    if (!match) continue;
    const protocol = match[1] as PortSpec['protocol'];
    for (const text of match[2]!.split(',')) {
      const port = Number(text);
      if (Number.isInteger(port) && port >= 1 && port <= 65_535) ports.push({ protocol, port });
    }
  }
  return ports;
}

/**
 * What `status` reports for the chain state of each family and whether each family's set exists:
 * a port counts as protected only when every family drops it.
 */
export function chainProtection(
  chains: readonly ChainState[],
  setsPresent: readonly boolean[],
): Omit<ProtectionState, 'grants'> {
  if (chains.every((c) => !c.exists && c.jumps === 0) && !setsPresent.some(Boolean)) {
    return { protection: 'missing', ports: [] };
  }
  const key = (p: PortSpec): string => `${p.protocol}/${p.port}`;
  const perFamily = chains.map((c) => new Set(droppedPorts(c.exists ? c.rules : []).map(key)));
  const ports = droppedPorts(chains[0]?.rules ?? []).filter((p) => perFamily.every((s) => s.has(key(p))));
  const whole =
    setsPresent.every(Boolean) && chains.every((c) => c.exists && c.jumpFirst && c.rules.length >= 2);
  return { protection: whole ? 'installed' : 'incomplete', ports };
}

/**
 * The driver's integrity check: each family's set and chain there, jumped to from INPUT's first rule
 * (iptables has one INPUT chain: a rule above the jump decides before the chain does), and holding
 * exactly the rules setup() left (`expected`, per family, as read back right after it: a rule replaced
 * in place keeps the count); at least the two fixed ones when unknown.
 */
export function chainsIntact(
  chains: readonly (ChainState | undefined)[],
  setsPresent: readonly boolean[],
  expected: readonly (readonly string[] | undefined)[],
): boolean {
  return chains.every((state, i) => {
    const want = expected[i];
    return (
      setsPresent[i] === true &&
      state?.exists === true &&
      state.jumpFirst &&
      (want === undefined
        ? state.rules.length >= 2
        : state.rules.length === want.length && state.rules.every((rule, j) => rule === want[j]))
    );
  });
}

/** What `iptables -S` (filter table) says about the driver's chain. */
export interface ChainState {
  readonly exists: boolean;
  /** Rules in INPUT that jump to the chain, and whether the first INPUT rule is one. */
  readonly jumps: number;
  readonly jumpFirst: boolean;
  /** The chain's own rules, as printed. */
  readonly rules: readonly string[];
  /** INPUT's rules above the first jump to the chain, as printed (all of them without a jump). */
  readonly above: readonly string[];
}

/** Parses `iptables -S` output of the filter table; warning lines ('#') are ignored. */
export function parseChainState(text: string, chain: string): ChainState {
  const jump = `-A INPUT -j ${chain}`;
  let exists = false;
  let jumps = 0;
  let jumpFirst = false;
  let inputRules = 0;
  const rules: string[] = [];
  const above: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === `-N ${chain}`) exists = true;
    else if (line.startsWith('-A INPUT ')) {
      if (line === jump) {
        jumps++;
        if (inputRules === 0) jumpFirst = true;
      } else if (jumps === 0) above.push(line);
      inputRules++;
    } else if (line.startsWith(`-A ${chain} `)) rules.push(line);
  }
  return { exists, jumps, jumpFirst, rules, above };
}

/**
 * `iptables-restore --noflush` input that installs or reconciles the chain in one commit: declaring
 * an existing chain flushes it, its rules are written anew, and every jump to it is replaced by one
 * at position 1, so no user rule before ours can accept a protected port.
 */
export function setupRestore(
  chain: string,
  set: string,
  ports: readonly PortSpec[],
  state: ChainState,
  knockRules: readonly string[] = [],
): string {
  const lines = ['*filter', `:${chain} - [0:0]`, ...chainRules(chain, set, ports, knockRules)];
  for (let i = 0; i < state.jumps; i++) lines.push(`-D INPUT -j ${chain}`);
  lines.push(`-I INPUT 1 -j ${chain}`, 'COMMIT');
  return `${lines.join('\n')}\n`;
}

/** `iptables-restore --noflush` input removing the jumps and the chain; undefined when nothing is there. */
export function removeRestore(chain: string, state: ChainState): string | undefined {
  if (!state.exists && state.jumps === 0) return undefined;
  const lines = ['*filter'];
  for (let i = 0; i < state.jumps; i++) lines.push(`-D INPUT -j ${chain}`);
  if (state.exists) lines.push(`-F ${chain}`, `-X ${chain}`);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}
