/**
 * Wiring of a paper run: fixture -> kernel and simulation venue (two passes)
 * -> digest and optional result file.
 */

import { setImmediate as nextTurn } from "node:timers/promises";
import { InterruptedError } from "../../core/errors.js";
import { type Fixture, runInTsOrder } from "../../data/fixture-reader.js";
import type { MarkPriceFeed } from "../../domain/mark-price.js";
import type { FundingApplied } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import type { AccountState, BookedFill } from "../../kernel/kernel-types.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import { StreamingArrayDigest } from "./digest.js";
import { PaperTrial } from "./paper-trial.js";
import { assembleResult, OutputsPartFile } from "./result-writer.js";
import type { RunSummary } from "./run-replay.js";

/**
 * One per-tick output as a watcher sees it (`onOutput`, taps): the whole
 * record is built only when `json` is read (a data backtest's per-symbol
 * tally reads only the PnL).
 */
export interface TickView {
  readonly json: Readonly<Record<string, unknown>>;
  readonly pnlSnapshot: unknown;
  /** The record's canonical JSON (the same text as canonicalJson(json)). */
  text(): string;
}

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
  onOutput?: (output: TickView) => void,
  hooks: PaperRunHooks = {},
): Promise<PaperRunSummary> {
  return runInTsOrder(() => paperOnce(fixture, outPath, overrides, onOutput, hooks));
}

async function paperOnce(
  fixture: Fixture,
  outPath: string | undefined,
  overrides: Readonly<Record<string, unknown>> | undefined,
  onOutput: ((output: TickView) => void) | undefined,
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
  onOutput: ((output: TickView) => void) | undefined,
  hooks: PaperRunHooks,
  options: EngineOptions,
  markPrices: MarkPriceFeed | undefined,
): Promise<PaperRunSummary> {
  const trial = new PaperTrial(fixture, options, hooks, markPrices);
  // Top-K v0 keeps only the last window of prices per symbol: a light scan
  // finds those (the full pass below still validates every line). Nothing is
  // read when the selection needs no data.
  const window = trial.selectionReadsData ? trial.selectionWindow : undefined;
  const tail =
    window === undefined || fixture.tailSnapshots === undefined
      ? undefined
      : fixture.tailSnapshots(window);
  trial.selectionPass(tail ?? snapshotsOf(fixture));
  trial.startTrading();
  const { signal } = hooks;
  const digest = hooks.withDigest === false ? undefined : new StreamingArrayDigest();
  const part = outPath ? new OutputsPartFile(`${outPath}.outputs-${process.pid}`) : undefined;
  let outputs = 0;
  let seen = 0;
  try {
    for (const s of snapshotsOf(fixture)) {
      if (signal !== undefined && ++seen % YIELD_EVERY === 0) {
        await nextTurn();
        if (signal.aborted) throw new InterruptedError(`interrupted at ts=${s.ts}`);
      }
      const out = trial.step(s);
      if (out === undefined) continue;
      digest?.pushCanonical(out.digestText());
      part?.push(out.text());
      onOutput?.(out);
      outputs++;
    }
    if (signal?.aborted) throw new InterruptedError("interrupted at the end of the data");
  } catch (e) {
    part?.abort();
    throw e;
  }
  const end = trial.finish(fixture.stats.events);
  const { fields, errors } = end;
  const summary: PaperRunSummary = {
    digest: digest?.finish() ?? "",
    eventsProcessed: fixture.stats.events,
    outputs,
    errors: [...errors],
    eventsGated: fields.events_gated as number,
    ordersPlaced: fields.orders_placed as number,
    ordersBlocked: fields.orders_blocked as number,
    totalFills: fields.total_fills as number,
    fields,
    orderCounts: end.orderCounts,
    blockedByReason: end.blockedByReason,
  };
  if (outPath && part) {
    await assembleResult(
      outPath,
      { ...fields, fixture_path: fixture.dir, digest: summary.digest, errors: [...errors] },
      "outputs",
      part,
    );
  }
  return summary;
}
