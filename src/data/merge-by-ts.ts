/**
 * Streaming k-way merge of time-ordered iterators (one per symbol) into one
 * time-ordered stream. A binary min-heap holds one pending item per stream, so
 * memory is constant per stream and each item costs O(log k). Equal timestamps
 * come out in stream order (the order the streams were given), and each
 * stream's own order is kept. A stream that goes back in time is an error:
 * the merge would otherwise emit out of order silently.
 */

import { InvalidInputError } from "../core/errors.js";

interface Head<T> {
  item: T;
  ts: number;
  readonly index: number;
  readonly it: Iterator<T>;
}

function before<T>(a: Head<T>, b: Head<T>): boolean {
  return a.ts < b.ts || (a.ts === b.ts && a.index < b.index);
}

/** A small binary min-heap of stream heads ordered by (ts, stream index). */
class HeadHeap<T> {
  private readonly items: Head<T>[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Head<T> | undefined {
    return this.items[0];
  }

  push(h: Head<T>): void {
    const a = this.items;
    a.push(h);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i] as Head<T>, a[p] as Head<T>)) break;
      [a[i], a[p]] = [a[p] as Head<T>, a[i] as Head<T>];
      i = p;
    }
  }

  /** Restore order after the top's key grew in place. */
  topChanged(): void {
    this.siftDown(0);
  }

  /** Drop the top. */
  removeTop(): void {
    const a = this.items;
    const last = a.pop();
    if (last === undefined || a.length === 0) return;
    a[0] = last;
    this.siftDown(0);
  }

  private siftDown(start: number): void {
    const a = this.items;
    const n = a.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && before(a[l] as Head<T>, a[m] as Head<T>)) m = l;
      if (r < n && before(a[r] as Head<T>, a[m] as Head<T>)) m = r;
      if (m === i) return;
      [a[i], a[m]] = [a[m] as Head<T>, a[i] as Head<T>];
      i = m;
    }
  }
}

/**
 * Merge streams that are each in non-decreasing `tsOf` order. `labels` name
 * the streams in error messages (defaults to "stream N").
 */
export function* mergeByTs<T>(
  streams: readonly Iterable<T>[],
  tsOf: (item: T) => number,
  labels?: readonly string[],
): Generator<T> {
  const heap = new HeadHeap<T>();
  const iterators: Iterator<T>[] = [];
  try {
    streams.forEach((s, index) => {
      const it = s[Symbol.iterator]();
      iterators.push(it);
      const r = it.next();
      if (!r.done) heap.push({ item: r.value, ts: tsOf(r.value), index, it });
    });
    for (;;) {
      const top = heap.peek();
      if (top === undefined) return;
      yield top.item;
      const r = top.it.next();
      if (r.done) {
        heap.removeTop();
        continue;
      }
      const ts = tsOf(r.value);
      if (ts < top.ts) {
        const name = labels?.[top.index] ?? `stream ${top.index + 1}`;
        throw new InvalidInputError(
          `${name}: not in time order (ts ${ts} after ${top.ts}); cannot merge`,
        );
      }
      top.item = r.value;
      top.ts = ts;
      heap.topChanged();
    }
  } finally {
    // Close every stream (files, zip entries) when the merge ends or is abandoned.
    for (const it of iterators) it.return?.();
  }
}
