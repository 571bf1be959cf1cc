/**
 * Downsampling of long series for drawing: the index range is cut into equal
 * buckets and each bucket keeps the indices of the minimum and maximum of
 * every value series (so spikes, the deepest drawdown and position extremes
 * survive), plus the first and last index overall.
 */

/**
 * Indices (ascending, unique) to keep of `n` points so that at most about
 * `maxPoints` remain; every index when n <= maxPoints.
 */
export function downsampleIndices(
  n: number,
  maxPoints: number,
  values: readonly ((i: number) => number)[],
): number[] {
  if (n <= maxPoints || n <= 2) return Array.from({ length: n }, (_, i) => i);
  const perBucket = Math.max(2, 2 * values.length);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / perBucket));
  const keep = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    if (end <= start) continue;
    if (values.length === 0) {
      keep.add(start);
      keep.add(end - 1);
      continue;
    }
    for (const v of values) {
      let lo = start;
      let hi = start;
      let loV = v(start);
      let hiV = loV;
      for (let i = start + 1; i < end; i++) {
        const x = v(i);
        if (x < loV) {
          loV = x;
          lo = i;
        }
        if (x > hiV) {
          hiV = x;
          hi = i;
        }
      }
      keep.add(lo);
      keep.add(hi);
    }
  }
  return [...keep].sort((a, b) => a - b);
}

/** `max` evenly spread indices of `n` (first and last included); every index when n <= max. */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max <= 1) return [n - 1];
  // Spacing (n - 1) / (max - 1) > 1, so rounding never repeats an index.
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

/** Stable sort by ts when a series is not already in order. */
export function inTsOrder<T extends { readonly ts: number }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if ((items[i] as T).ts < (items[i - 1] as T).ts) {
      return items
        .map((item, idx) => ({ item, idx }))
        .sort((a, b) => a.item.ts - b.item.ts || a.idx - b.idx)
        .map((x) => x.item);
    }
  }
  return items;
}
