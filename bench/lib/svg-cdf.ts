/** A small hand-written SVG chart: the cumulative distribution of each server's latency samples. @module */

export interface Series {
  readonly name: string;
  readonly samples: readonly number[];
}

const W = 640;
const H = 360;
const M = { left: 56, right: 16, top: 28, bottom: 44 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

/** Renders one step curve per series; x in ms up to the largest p99 (+10%) so one outlier cannot flatten it. */
export function renderCdf(title: string, series: readonly Series[]): string {
  const sorted = series.map((s) => [...s.samples].sort((a, b) => a - b));
  const p99s = sorted.filter((s) => s.length > 0).map((s) => s[Math.ceil(0.99 * s.length) - 1]!);
  const xMax = _niceCeil(Math.max(1, ...p99s) * 1.1);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (ms: number): number => M.left + (Math.min(ms, xMax) / xMax) * pw;
  const y = (q: number): number => M.top + (1 - q) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">${_esc(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const ms = (xMax * i) / 5;
    out.push(`<line x1="${x(ms)}" y1="${M.top}" x2="${x(ms)}" y2="${M.top + ph}" stroke="#eee"/>`);
    out.push(`<text x="${x(ms)}" y="${M.top + ph + 16}" text-anchor="middle">${_fmt(ms)}</text>`);
  }
  for (const q of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${M.left}" y1="${y(q)}" x2="${M.left + pw}" y2="${y(q)}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${y(q) + 4}" text-anchor="end">${q}</text>`);
  }
  // p95 gets a dashed line, labelled inside the plot where it cannot collide with the 1.0 tick.
  out.push(
    `<line x1="${M.left}" y1="${y(0.95)}" x2="${M.left + pw}" y2="${y(0.95)}" stroke="#bbb" stroke-dasharray="4 3"/>`,
  );
  out.push(`<text x="${M.left + 4}" y="${y(0.95) - 3}" fill="#888">p95</text>`);
  out.push(
    `<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle">knock sent → TCP accepts (ms)</text>`,
  );
  out.push(
    `<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">fraction of knocks</text>`,
  );
  out.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  sorted.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    // Step function: the fraction jumps at each sample and stays flat in between.
    let d = `M${x(0)},${y(0)}`;
    s.forEach((ms, k) => {
      d += ` H${x(ms).toFixed(1)} V${y((k + 1) / s.length).toFixed(1)}`;
    });
    if (s.length > 0) out.push(`<path d="${d} H${x(xMax)}" fill="none" stroke="${color}" stroke-width="2"/>`);
    // Bottom right: a CDF never passes there (it has risen long before the right edge).
    const ly = M.top + ph - 12 - (sorted.length - 1 - i) * 18;
    out.push(
      `<line x1="${M.left + pw - 150}" y1="${ly - 4}" x2="${M.left + pw - 130}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${M.left + pw - 124}" y="${ly}">${_esc(series[i]!.name)} (n=${s.length})</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Rounds up to 1, 2 or 5 times a power of ten, so the axis ticks are round numbers. */
function _niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

function _fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

function _esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
