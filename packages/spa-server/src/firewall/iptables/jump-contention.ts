/** iptables: how often the driver moves its jump back to the top of INPUT when something else keeps taking that place. @module */

/*
 * A rule above the jump decides before the driver's chain does, so the check counts it as damage and
 * the setup puts the jump first again. Another tool that also keeps its rule first (a second
 * spa-server with another prefix in the same namespace, Calico's insert mode) would then move its
 * own back, and each move wakes the other's check: a fight at the speed of iptables-restore. So after
 * each move the misplaced jump is tolerated for a while, 1 s after the first move, doubling up to
 * 60 s while the moves go on, back to 1 s once none was needed for 10 minutes. A single rule put on
 * top is still undone at once; a contended top costs one move per minute, and `status` reports the
 * protection as incomplete meanwhile.
 */
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 60_000;
const CALM_MS = 10 * 60_000;

export class JumpContention {
  #movedAt = Number.NEGATIVE_INFINITY;
  #waitMs = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A setup found the jump below another rule and is moving it back to the top. */
  moved(): void {
    const now = this.now();
    this.#waitMs =
      now - this.#movedAt > CALM_MS
        ? FIRST_WAIT_MS
        : Math.min(Math.max(this.#waitMs * 2, FIRST_WAIT_MS), MAX_WAIT_MS);
    this.#movedAt = now;
  }

  /** Whether a jump found below another rule (and nothing else wrong) is let be for now. */
  tolerated(): boolean {
    return this.now() - this.#movedAt < this.#waitMs;
  }
}
