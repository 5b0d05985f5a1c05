/** iptables: how often the driver moves its jump back to the top of INPUT when another tool keeps taking that place, and which rules may sit above it meanwhile. @module */

/*
 * A rule above the jump decides before the driver's chain does, so the check counts it as damage and
 * the setup puts the jump first again. Another tool that also keeps its rule first (a second
 * spa-server with another prefix in the same namespace, Calico's insert mode) would then move its
 * own back, and each move wakes the other's check: a fight at the speed of iptables-restore. So a
 * move remembers, per family, the rules it found above the jump, and for a while afterwards those
 * rules, and only those, may sit above it again: 1 s after the first move, doubling up to 60 s while
 * the moves go on, back to 1 s once none was needed for 10 minutes. Only jumps to another chain are
 * remembered, the way such tools hook in: a rule that decides itself (ACCEPT, or any other built-in
 * target) is damage at once, whatever the wait, as is any rule the move did not find. The clock is
 * monotonic: a wall clock stepped back must not stretch the wait.
 */
// iptables' own targets (ACCEPT, DROP, REJECT, RETURN, LOG, ...) are upper case letters only; a user
// chain named that way is taken for one (its jump is then moved back at every check).
const BUILTIN_TARGET = / -j [A-Z]+$/;
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 60_000;
const CALM_MS = 10 * 60_000;

export class JumpContention {
  readonly #now: () => number;
  #movedAt = Number.NEGATIVE_INFINITY;
  #waitMs = 0;
  /** Per family, the INPUT rules the last move found above the jump. */
  #above = new Map<4 | 6, ReadonlySet<string>>();

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** A setup moved the jump back to the top; `above` holds, per family, the rules that were over it. */
  moved(above: ReadonlyMap<4 | 6, readonly string[]>): void {
    const now = this.#now();
    const calm = !(now - this.#movedAt <= CALM_MS && now >= this.#movedAt);
    this.#waitMs = calm ? FIRST_WAIT_MS : Math.min(Math.max(this.#waitMs * 2, FIRST_WAIT_MS), MAX_WAIT_MS);
    this.#movedAt = now;
    this.#above = new Map([...above].map(([family, rules]) => [family, new Set(rules.filter(jumpsToChain))]));
  }

  /** Whether these rules above the family's jump are the ones the last move found there, within its wait. */
  tolerated(family: 4 | 6, above: readonly string[]): boolean {
    const ago = this.#now() - this.#movedAt;
    const known = this.#above.get(family);
    return ago >= 0 && ago < this.#waitMs && known !== undefined && above.every((rule) => known.has(rule));
  }
}

/** A rule that only hands the packet to another chain (`-j NAME`), not one that decides with a built-in target. */
function jumpsToChain(rule: string): boolean {
  return / -j \S+$/.test(rule) && !BUILTIN_TARGET.test(rule);
}
