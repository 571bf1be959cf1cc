/**
 * Client order ids of the kernel: `{symbol}:{ts}:{level}:{side}:{n}`, with one
 * counter for the whole run (the reference's paper port numbers its orders so).
 * Deterministic: the same events give the same ids, in replay and live alike.
 */

import type { OrderSide } from "../domain/enums.js";

export class OrderIdSequence {
  private counter = 0;

  next(symbol: string, ts: number, levelId: number, side: OrderSide): string {
    this.counter += 1;
    return `${symbol}:${ts}:${levelId}:${side}:${this.counter}`;
  }

  /** Orders numbered so far. */
  get count(): number {
    return this.counter;
  }

  reset(): void {
    this.counter = 0;
  }
}
