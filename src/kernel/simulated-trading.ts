/**
 * The kernel trading against a simulation venue, one market event at a time:
 * the venue sees the event first (resting orders may fill), the kernel
 * decides, the venue executes the commands at once and, for the reference
 * venue, makes its tick; then the kernel makes the event's output from what
 * happened. Pure: the same events give the same outputs.
 */

import type { Snapshot } from "../domain/snapshot.js";
import type { SimulationVenue } from "../domain/venue.js";
import type { TickOutput } from "./tick-output.js";
import type { TradingKernel } from "./trading-kernel.js";

export class SimulatedTrading {
  constructor(
    readonly kernel: TradingKernel,
    readonly venue: SimulationVenue,
  ) {
    venue.setListener((e) => kernel.onOrderEvent(e));
  }

  /** One market event; undefined when the kernel drops it (a symbol Top-K v0 filtered out). */
  step(s: Snapshot): TickOutput | undefined {
    this.venue.onMarket(s);
    const d = this.kernel.decide(s);
    if (d === undefined) return undefined;
    for (const c of d.commands) {
      if (c.kind === "SubmitOrder") this.venue.submit(c);
      else this.venue.cancel(c);
    }
    this.venue.afterDecision(s, d.evaluated);
    return this.kernel.completeTick();
  }
}
