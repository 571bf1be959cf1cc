/** String helpers shared by every layer. */

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Compare by Unicode code point, as Python compares `str`: a character
 * outside the BMP (a UTF-16 surrogate pair) sorts above every BMP character,
 * where JavaScript's `<` compares UTF-16 code units (so U+1F600 < U+FF61).
 * Lone surrogates compare as their own code points, as in Python. Returns
 * a negative number, 0 or a positive number.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Compare whole code points: step back to the high surrogate of a pair.
    let at = i;
    if (at > 0 && (isLowSurrogate(ca) || isLowSurrogate(cb))) {
      const prev = a.charCodeAt(at - 1);
      if (prev >= 0xd800 && prev <= 0xdbff) at -= 1;
    }
    return (a.codePointAt(at) as number) - (b.codePointAt(at) as number);
  }
  return a.length - b.length;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    d.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        (d[0] as number[])[j] = j;
        continue;
      }
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        (up[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (up[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The candidate closest to `word` (for "did you mean ...?"), or undefined
 * when none is within a third of the word's length in edits.
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best;
}
