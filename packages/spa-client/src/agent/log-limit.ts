/** A bounded stderr log: a flood of refused streams must not become a flood of journal lines. @module */

/** At most `burst` lines at once and `perSecond` after that; what was dropped is counted on the next line. */
export function limitLog(
  write: (line: string) => void,
  {
    burst = 20,
    perSecond = 5,
    now = Date.now,
  }: { burst?: number; perSecond?: number; now?: () => number } = {},
): (line: string) => void {
  let tokens = burst;
  let last = now();
  let dropped = 0;
  return (line) => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
    last = t;
    if (tokens < 1) {
      dropped++;
      return;
    }
    tokens--;
    write(dropped > 0 ? `${line} (${dropped} earlier lines not shown)` : line);
    dropped = 0;
  };
}
