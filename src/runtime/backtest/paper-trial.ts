/**
 * One paper run driven from outside, one snapshot at a time: the kernel and
 * venue of its options, the run's hooks (fills, equity points, funding,
 * orders placed) and its counts. A plain paper run drives one trial over a
 * fixture's passes (run-paper.ts); a sweep drives many trials from one
 * decoded stream (sweep/trial-batch.ts), so each trial computes exactly what
 * a plain run with the same options computes.
 */

import { errorMessage } from "../../core/errors.js";
import type { Fixture } from "../../data/fixture-reader.js";
import type { MarkPriceFeed } from "../../domain/mark-price.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import type { SimulatedTrading } from "../../kernel/simulated-trading.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import { createSimulation } from "../simulation.js";
import { AccountSampler } from "./account-sampler.js";
import type { PaperRunHooks } from "./run-paper.js";

/** The trial's counts at the end of its trading pass. */
export interface PaperTrialEnd {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly errors: readonly string[];
  readonly orderCounts: ReturnType<TradingKernel["orderCounts"]>;
  readonly blockedByReason: ReadonlyMap<string, number>;
}

/** The kernel's account with, on USD-M, the venue's margin account at the same moment. */
function accountOf(sim: SimulatedTrading): AccountState {
  const a = sim.kernel.account();
  const margin = sim.venue.marginState?.();
  return margin === undefined ? a : { ...a, margin };
}

export class PaperTrial {
  readonly sim: SimulatedTrading;
  private readonly hooks: PaperRunHooks;
  private sampler: AccountSampler | undefined;
  private readonly errors: string[] = [];
  /**
   * Top-K v0 over a known universe of at most K symbols selects every symbol
   * with data: no selection is made (every symbol trades), so the run reads
   * its data once (Fixture.universe).
   */
  private readonly selectsEverySymbol: boolean;
  /**
   * Top-K v0's window (prices kept per symbol): its selection needs only each
   * symbol's last that many snapshots (Fixture.tailSnapshots). Undefined for
   * Top-K v1, which needs every snapshot.
   */
  readonly selectionWindow: number | undefined;

  /** `markPrices`: the trial's own feed (a feed is read once, in data order). */
  constructor(
    fixture: Fixture,
    options: EngineOptions,
    hooks: PaperRunHooks,
    markPrices?: MarkPriceFeed,
  ) {
    this.hooks = hooks;
    this.selectsEverySymbol =
      fixture.universe !== undefined &&
      !options.topk_v1_enabled &&
      options.topk_k >= fixture.universe.length;
    this.selectionWindow = options.topk_v1_enabled ? undefined : options.topk_window_size;
    this.sim = createSimulation(options, {
      ...(fixture.instruments !== undefined ? { instruments: fixture.instruments } : {}),
      ...(fixture.dataShape !== undefined ? { data: fixture.dataShape } : {}),
      ...(fixture.fundingRates !== undefined ? { fundingRates: fixture.fundingRates } : {}),
      ...(fixture.leverageBrackets !== undefined
        ? { leverageBrackets: fixture.leverageBrackets }
        : {}),
      ...(markPrices !== undefined ? { markPrices } : {}),
    });
  }

  /** Whether the selection pass reads the data (TradingKernel.selectionReadsData). */
  get selectionReadsData(): boolean {
    return !this.selectsEverySymbol && this.sim.kernel.selectionReadsData;
  }

  /** The selection pass fed one snapshot at a time: begin, feed each, end. */
  beginSelection(): void {
    if (!this.selectsEverySymbol) this.sim.kernel.beginSelection();
  }

  feedSelection(s: Snapshot): void {
    if (this.selectionReadsData) this.sim.kernel.feedSelection(s);
  }

  endSelection(): void {
    if (!this.selectsEverySymbol) this.sim.kernel.endSelection();
  }

  /** The whole selection pass over `snapshots` (not read when the selection needs no data). */
  selectionPass(snapshots: Iterable<Snapshot>): void {
    this.beginSelection();
    if (this.selectionReadsData) for (const s of snapshots) this.feedSelection(s);
    this.endSelection();
  }

  /** The trading pass starts (after the selection pass): the hooks start watching. */
  startTrading(): void {
    this.sampler = this.watchKernel();
    this.hooks.onTrading?.();
  }

  /**
   * One event of the trading pass. An event that throws is recorded as an
   * error of the run (as the reference does) and yields no output.
   */
  step(s: Snapshot): TickOutput | undefined {
    const { kernel } = this.sim;
    const { onPlaced } = this.hooks;
    try {
      const placedBefore = onPlaced === undefined ? 0 : kernel.orderCounts().placed;
      const out = this.sim.step(s);
      this.sampler?.afterEvent(s.ts);
      if (onPlaced !== undefined) {
        const placed = kernel.orderCounts().placed - placedBefore;
        if (placed > 0) onPlaced(s.symbol, placed);
      }
      return out;
    } catch (e) {
      this.errors.push(`Error processing event at ts=${s.ts}: ${errorMessage(e)}`);
      return undefined;
    }
  }

  /** The data is over: the last equity point, then the kernel's result fields. */
  finish(eventsProcessed: number): PaperTrialEnd {
    this.sampler?.end();
    const { kernel } = this.sim;
    return {
      fields: kernel.finish(eventsProcessed),
      errors: this.errors,
      orderCounts: kernel.orderCounts(),
      blockedByReason: new Map(kernel.blockedCounts()),
    };
  }

  /** The account sampler of the hooks, wired to the kernel's fill hook (undefined: nothing watches). */
  private watchKernel(): AccountSampler | undefined {
    const { sim, hooks } = this;
    const { kernel } = sim;
    const { onFill, onAccount, onFunding } = hooks;
    const sampler =
      onAccount === undefined
        ? undefined
        : new AccountSampler(() => accountOf(sim), onAccount, hooks.equityEveryMs);
    if (onFill !== undefined || sampler !== undefined) {
      kernel.onFillBooked = (b) => {
        onFill?.(b);
        sampler?.fillBooked();
      };
    }
    if (onFunding !== undefined || sampler !== undefined) {
      kernel.onFundingBooked = (f) => {
        onFunding?.(f);
        sampler?.fillBooked();
      };
    }
    return sampler;
  }
}
