/**
 * A fixed-capacity FIFO buffer: pushing onto a full buffer drops the oldest
 * item (like a bounded deque). Reading the newest `n` items costs O(n), not
 * O(capacity), which keeps per-event feature work independent of how many
 * bars are kept.
 */

import { ConfigError } from "../../core/errors.js";

export class RingBuffer<T> {
  readonly capacity: number;
  private readonly items: (T | undefined)[];
  /** Index of the oldest item. */
  private head = 0;
  private count = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) {
      throw new ConfigError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Append an item; returns the item that fell off the front, if any. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.items[(this.head + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const dropped = this.items[this.head];
    this.items[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return dropped;
  }

  /** Item by age: 0 is the oldest, length-1 the newest. */
  at(index: number): T {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`ring buffer index ${index} out of range (length ${this.count})`);
    }
    return this.items[(this.head + index) % this.capacity] as T;
  }

  /** Item counted from the newest end: 0 is the newest. */
  fromEnd(back: number): T {
    return this.at(this.count - 1 - back);
  }

  /** The newest `n` items (all when n >= length), oldest first. */
  last(n: number): T[] {
    const k = Math.max(0, Math.min(n, this.count));
    const out = new Array<T>(k);
    const start = this.count - k;
    for (let i = 0; i < k; i++) out[i] = this.items[(this.head + start + i) % this.capacity] as T;
    return out;
  }

  /** Every item, oldest first. */
  toArray(): T[] {
    return this.last(this.count);
  }

  clear(): void {
    this.items.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
