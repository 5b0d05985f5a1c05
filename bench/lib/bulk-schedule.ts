/** Figure 6: when the bulk grants end, sized from the delivery rate measured on this host. @module */

/** Knocks granted before the bulk, to measure the delivery rate (their grants end before it starts). */
export const WARMUP_KNOCKS = 1000;
/** The warm-up's grants last this long (s): gone before the bulk's status and memory figures. */
export const WARMUP_DURATION_S = 5;
/**
 * The bulk is planned at this share of the warm-up's rate, the rate measured on empty sets: the
 * delivery slows down as the sets fill. Measured over whole deliveries on this host: 0.53 (run
 * 2026-11-30T10-30, 141/s after a 265/s warm-up) and 0.30 (run 2026-11-30T13-41, 113/s after 381/s).
 * The plan sits below the lowest: the earliest grants end at the planned moment whatever happens
 * after, so only a plan slower than the delivery keeps all of them live until the last is granted.
 */
const PLANNED_SHARE = 0.25;
/** Time for the status, memory and metrics reads with every grant live (status may take seconds). */
const MARGIN_S = 90;
const MIN_LEFT_S = 60;

/** The common end of the bulk grants: `n` knocks from `startMs`, at PLANNED_SHARE of `measuredPerS`. */
export function bulkEndMs(startMs: number, n: number, measuredPerS: number): number {
  return startMs + (n / (PLANNED_SHARE * measuredPerS) + MARGIN_S) * 1000;
}

/**
 * The last moment a knock may still be sent: after it, the earliest grants could end before the
 * status and memory reads with every grant live. The delivery stops there (the figure shows the
 * shortfall) rather than measure a status of a part.
 */
export function bulkSendDeadlineMs(endMs: number): number {
  return endMs - MARGIN_S * 1000;
}

/**
 * The duration (s) a knock built at `nowMs` asks for: its grant ends at `endMs`. Knocks are built just
 * before they are sent, so the ends cluster however the rate drifts.
 */
export function bulkDurationAt(nowMs: number, endMs: number): number {
  return Math.max(MIN_LEFT_S, Math.ceil((endMs - nowMs) / 1000));
}
