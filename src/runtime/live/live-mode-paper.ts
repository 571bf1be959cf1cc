/**
 * paper: the kernel trades against the venue of its profile in-process
 * (realistic: the SimulatedVenue with latency, fees and partial fills;
 * reference: the reference venue), one market event at a time exactly as
 * `grinder paper` does (the venue sees the event, the kernel decides, the
 * venue answers, the output follows), so the outputs equal `grinder paper`'s
 * with the same profile on fixtures without Top-K filtering. The journal keeps each whole output with the tick's commands
 * and the venue's answers; a replay runs the same simulation again and
 * checks both.
 */

import { errorMessage } from "../../core/errors.js";
import type { CancelOrder, OrderCommand, SubmitOrder, VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { OrderEventListener, SimulationVenue, VenueOrder } from "../../domain/venue.js";
import { SimulatedTrading } from "../../kernel/simulated-trading.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import { createVenue } from "../simulation.js";
import { createLiveKernel } from "./live-kernel-setup.js";
import type { LiveMode, LiveModeOptions, TickResult } from "./live-mode.js";

/** A simulation venue that keeps the commands it was given and the events it answered. */
class RecordingVenue implements SimulationVenue {
  readonly name: string;
  commands: OrderCommand[] = [];
  events: VenueEvent[] = [];

  constructor(private readonly inner: SimulationVenue) {
    this.name = inner.name;
  }

  setListener(listener: OrderEventListener): void {
    this.inner.setListener((e) => {
      this.events.push(e);
      listener(e);
    });
  }

  submit(cmd: SubmitOrder): void {
    this.commands.push(cmd);
    this.inner.submit(cmd);
  }

  cancel(cmd: CancelOrder): void {
    this.commands.push(cmd);
    this.inner.cancel(cmd);
  }

  openOrders(symbol: string): readonly VenueOrder[] {
    return this.inner.openOrders(symbol);
  }

  onMarket(s: Snapshot): void {
    this.inner.onMarket(s);
  }

  afterDecision(s: Snapshot, evaluated: boolean): void {
    this.inner.afterDecision(s, evaluated);
  }

  /** What was recorded since the last call. */
  take(): { commands: OrderCommand[]; events: VenueEvent[] } {
    const r = { commands: this.commands, events: this.events };
    this.commands = [];
    this.events = [];
    return r;
  }
}

export class PaperMode implements LiveMode {
  readonly name = "paper";
  readonly executes = true;
  private sim: SimulatedTrading;
  private venue: RecordingVenue;

  constructor(private readonly o: LiveModeOptions) {
    this.venue = new RecordingVenue(createVenue(o.engineOptions));
    this.sim = new SimulatedTrading(createLiveKernel(o.engineOptions), this.venue);
  }

  get kernel(): TradingKernel {
    return this.sim.kernel;
  }

  reset(): void {
    this.venue = new RecordingVenue(createVenue(this.o.engineOptions));
    this.sim = new SimulatedTrading(createLiveKernel(this.o.engineOptions), this.venue);
  }

  step(s: Snapshot): TickResult {
    try {
      const out = this.sim.step(s);
      return { out, error: undefined, ...this.venue.take() };
    } catch (e) {
      return { out: undefined, error: errorMessage(e), ...this.venue.take() };
    }
  }

  view(out: TickOutput): unknown {
    return out.json;
  }
}
