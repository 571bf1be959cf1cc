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
