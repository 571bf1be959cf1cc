/**
 * Wiring of a paper run: fixture -> kernel and simulation venue (two passes)
 * -> digest and optional result file.
 */

import { setImmediate as nextTurn } from "node:timers/promises";
import { errorMessage, InterruptedError } from "../../core/errors.js";
import { type Fixture, runInTsOrder } from "../../data/fixture-reader.js";
import type { MarkPriceFeed } from "../../domain/mark-price.js";
import type { FundingApplied } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import type { AccountState, BookedFill } from "../../kernel/kernel-types.js";
import type { SimulatedTrading } from "../../kernel/simulated-trading.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import { createSimulation } from "../simulation.js";
import { AccountSampler } from "./account-sampler.js";
import { StreamingArrayDigest } from "./digest.js";
import { assembleResult, OutputsPartFile } from "./result-writer.js";
import type { RunSummary } from "./run-replay.js";

export interface PaperRunSummary extends RunSummary {
  readonly eventsGated: number;
  readonly ordersPlaced: number;
  readonly ordersBlocked: number;
  readonly totalFills: number;
  readonly fields: Readonly<Record<string, unknown>>;
  /** The kernel's order counts at the end. */
  readonly orderCounts: ReturnType<TradingKernel["orderCounts"]>;
  /** Events blocked and orders refused, by reason, at the end. */
  readonly blockedByReason: ReadonlyMap<string, number>;
}

/** What a paper run reports besides its outputs; each hook is optional and costs nothing unset. */
export interface PaperRunHooks {
  /** Every fill, as the kernel booked it. */
  readonly onFill?: (b: BookedFill) => void;
  /**
   * The account at `ts`: after each event that booked fills, at the first
   * event of every `equityEveryMs` of data time, and at the last event
   * (account-sampler.ts).
   */
  readonly onAccount?: (ts: number, account: AccountState) => void;
  /** Every funding payment (USD-M), as the kernel booked it. */
  readonly onFunding?: (f: FundingApplied) => void;
  /** Orders the kernel submitted at an event (after the venue's filters; only when > 0). */
  readonly onPlaced?: (symbol: string, orders: number) => void;
  /** Data time between account points when nothing fills; default one minute. */
  readonly equityEveryMs?: number;
  /**
   * The trading pass starts (the Top-K selection pass, if any, is over).
   * Called again if the run starts over (a fixture found out of order is
   * re-read sorted): whatever the other hooks delivered before is void.
   */
  readonly onTrading?: () => void;
  /**
   * Stops the trading pass with an InterruptedError once aborted. With a
   * signal the run yields to the event loop every YIELD_EVERY events, so a
   * signal handler can run.
   */
  readonly signal?: AbortSignal;
  /** false: the run's output digest is not computed (its digest is ""); default true. */
  readonly withDigest?: boolean;
}

/** Events between two looks at PaperRunHooks.signal. */
const YIELD_EVERY = 4096;

/** Engine options of a fixture: its config.json, then the overrides (strict). */
export function paperOptions(
  fixture: Fixture,
  overrides?: Readonly<Record<string, unknown>>,
): EngineOptions {
  let o = applyOptions(defaultOptions(), fixture.config, `${fixture.dir}/config.json`);
  if (overrides) o = applyOptions(o, overrides, "--config", { strict: true });
  return o;
}

function* snapshotsOf(fixture: Fixture): Generator<Snapshot> {
  for (const ev of fixture.events()) if (ev.kind === "snapshot") yield ev.snapshot;
}

/** Paper-trade a fixture; with `outPath`, write the full result there. */
export function runPaper(
  fixture: Fixture,
  outPath?: string,
  overrides?: Readonly<Record<string, unknown>>,
  onOutput?: (json: Readonly<Record<string, unknown>>) => void,
  hooks: PaperRunHooks = {},
): Promise<PaperRunSummary> {
  return runInTsOrder(() => paperOnce(fixture, outPath, overrides, onOutput, hooks));
}

/** The kernel's account with, on USD-M, the venue's margin account at the same moment. */
function accountOf(sim: SimulatedTrading): AccountState {
  const a = sim.kernel.account();
  const margin = sim.venue.marginState?.();
  return margin === undefined ? a : { ...a, margin };
}

/** The account sampler of `hooks`, wired to the kernel's fill hook (undefined: nothing watches). */
function watchKernel(sim: SimulatedTrading, hooks: PaperRunHooks): AccountSampler | undefined {
  const { kernel } = sim;
  const { onFill, onAccount } = hooks;
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
  const { onFunding } = hooks;
  if (onFunding !== undefined || sampler !== undefined) {
    kernel.onFundingBooked = (f) => {
      onFunding?.(f);
      sampler?.fillBooked();
    };
  }
  return sampler;
}

async function paperOnce(
  fixture: Fixture,
  outPath: string | undefined,
  overrides: Readonly<Record<string, unknown>> | undefined,
  onOutput: ((json: Readonly<Record<string, unknown>>) => void) | undefined,
  hooks: PaperRunHooks,
): Promise<PaperRunSummary> {
  const options = paperOptions(fixture, overrides);
  const markPrices = fixture.markPrices?.();
  try {
    return await tradeOnce(fixture, outPath, onOutput, hooks, options, markPrices);
  } finally {
    markPrices?.close?.();
  }
}

async function tradeOnce(
  fixture: Fixture,
  outPath: string | undefined,
  onOutput: ((json: Readonly<Record<string, unknown>>) => void) | undefined,
  hooks: PaperRunHooks,
  options: EngineOptions,
  markPrices: MarkPriceFeed | undefined,
): Promise<PaperRunSummary> {
  const sim = createSimulation(options, {
    ...(fixture.instruments !== undefined ? { instruments: fixture.instruments } : {}),
    ...(fixture.dataShape !== undefined ? { data: fixture.dataShape } : {}),
    ...(fixture.fundingRates !== undefined ? { fundingRates: fixture.fundingRates } : {}),
    ...(fixture.leverageBrackets !== undefined
      ? { leverageBrackets: fixture.leverageBrackets }
      : {}),
    ...(markPrices !== undefined ? { markPrices } : {}),
  });
  // Top-K v0 keeps only the last window of prices per symbol: a light scan
  // finds those (the full pass below still validates every line).
  const tail =
    options.topk_v1_enabled || fixture.tailSnapshots === undefined
      ? undefined
      : fixture.tailSnapshots(options.topk_window_size);
  sim.kernel.selectionPass(tail ?? snapshotsOf(fixture));
  const sampler = watchKernel(sim, hooks);
  const { signal, onPlaced } = hooks;
  hooks.onTrading?.();
  const digest = hooks.withDigest === false ? undefined : new StreamingArrayDigest();
  const part = outPath ? new OutputsPartFile(`${outPath}.outputs-${process.pid}`) : undefined;
  const errors: string[] = [];
  let outputs = 0;
  let seen = 0;
  try {
    for (const s of snapshotsOf(fixture)) {
      if (signal !== undefined && ++seen % YIELD_EVERY === 0) {
        await nextTurn();
        if (signal.aborted) throw new InterruptedError(`interrupted at ts=${s.ts}`);
      }
      try {
        const placedBefore = onPlaced === undefined ? 0 : sim.kernel.orderCounts().placed;
        const out = sim.step(s);
        sampler?.afterEvent(s.ts);
        if (onPlaced !== undefined) {
          const placed = sim.kernel.orderCounts().placed - placedBefore;
          if (placed > 0) onPlaced(s.symbol, placed);
        }
        if (out === undefined) continue;
        digest?.pushCanonical(out.digestText());
        part?.push(out.text());
        onOutput?.(out.json);
        outputs++;
      } catch (e) {
        errors.push(`Error processing event at ts=${s.ts}: ${errorMessage(e)}`);
      }
    }
    if (signal?.aborted) throw new InterruptedError("interrupted at the end of the data");
  } catch (e) {
    part?.abort();
    throw e;
  }
  sampler?.end();
  const fields = sim.kernel.finish(fixture.stats.events);
  const summary: PaperRunSummary = {
    digest: digest?.finish() ?? "",
    eventsProcessed: fixture.stats.events,
    outputs,
    errors,
    eventsGated: fields.events_gated as number,
    ordersPlaced: fields.orders_placed as number,
    ordersBlocked: fields.orders_blocked as number,
    totalFills: fields.total_fills as number,
    fields,
    orderCounts: sim.kernel.orderCounts(),
    blockedByReason: new Map(sim.kernel.blockedCounts()),
  };
  if (outPath && part) {
    await assembleResult(
      outPath,
      { ...fields, fixture_path: fixture.dir, digest: summary.digest, errors },
      "outputs",
      part,
    );
  }
  return summary;
}
