/** The closest known word to a mistyped command or option, by the rule commander uses for its "Did you mean". @module */

/** Farther than this many edits, a word is not a typo of another. */
const MAX_DISTANCE = 3;
/** And at least this much of the longer word must be shared (so `-x` does not suggest `-4`). */
const MIN_SIMILARITY = 0.4;

/**
 * The candidates closest to `word` (optimal string alignment distance, as commander's suggestSimilar),
 * empty when none is close. For `--options`, only candidates that are options compete.
 */
export function closestWords(word: string, candidates: readonly string[]): string[] {
  // A one-letter option is too short to have a typo worth guessing at.
  if (word === '' || /^-[^-]/.test(word)) return [];
  const isLong = word.startsWith('--');
  const bare = isLong ? word.slice(2) : word;
  let best = MAX_DISTANCE + 1;
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    if (isLong !== candidate.startsWith('--')) continue;
    const other = isLong ? candidate.slice(2) : candidate;
    const distance = editDistance(bare, other);
    const similarity = (Math.max(bare.length, other.length) - distance) / Math.max(bare.length, other.length);
    if (similarity <= MIN_SIMILARITY || distance > best) continue;
    if (distance < best) found = [];
    best = distance;
    found.push(candidate);
  }
  return found.sort();
}

/** ` (did you mean status?)` or `` — for the end of a one-line message. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const words = closestWords(word, candidates);
  return words.length === 0 ? '' : ` (did you mean ${words.join(' or ')}?)`;
}

/** Damerau-Levenshtein, optimal string alignment: a swap of two neighbours is one edit. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > MAX_DISTANCE) return Math.max(a.length, b.length);
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
