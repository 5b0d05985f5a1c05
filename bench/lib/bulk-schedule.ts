/** Figure 6: when the bulk grants end, sized from the delivery rate measured on this host. @module */

/** Knocks granted before the bulk, to measure the delivery rate (their grants end before it starts). */
export const WARMUP_KNOCKS = 1000;
/** The warm-up's grants last this long (s): gone before the bulk's status and memory figures. */
export const WARMUP_DURATION_S = 5;
/**
 * The bulk is planned at this share of the warm-up's rate: the delivery slows down as the sets grow
 * and a shared host's load moves (run 2026-11-30T10-30: warm-up 265/s, the 100,000 then below 150/s,
 * past a plan at 0.7). A knock sent later than planned still asks for at least MIN_LEFT_S, but the
 * earliest grants end at the planned moment whatever happens after, so the plan must be pessimistic.
 */
const PLANNED_SHARE = 0.45;
/** Time for the status, memory and metrics reads with every grant live (status may take seconds). */
const MARGIN_S = 90;
const MIN_LEFT_S = 60;

/** The common end of the bulk grants: `n` knocks from `startMs`, at PLANNED_SHARE of `measuredPerS`. */
export function bulkEndMs(startMs: number, n: number, measuredPerS: number): number {
  return startMs + (n / (PLANNED_SHARE * measuredPerS) + MARGIN_S) * 1000;
}

/**
 * The duration (s) a knock built at `nowMs` asks for: its grant ends at `endMs`. Knocks are built just
 * before they are sent, so the ends cluster however the rate drifts, unless the delivery falls behind
 * the plan by more than the margin: then the late ones end after `endMs` (the expiry span shows it).
 */
export function bulkDurationAt(nowMs: number, endMs: number): number {
  return Math.max(MIN_LEFT_S, Math.ceil((endMs - nowMs) / 1000));
}
