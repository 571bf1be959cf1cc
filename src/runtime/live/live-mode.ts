/**
 * What differs between the modes of `grinder live`, behind one interface the
 * loop and the journal replayer drive alike: a mode owns the kernel (and its
 * venue, if any), runs one market event through it (`step`, the same call
 * live and in a replay) and says what of the output the journal keeps.
 *
 * - paper (`live-mode-paper.ts`): the kernel trades against the reference
 *   venue in-process, exactly as `grinder paper` does;
 * - read_only (`live-mode-read-only.ts`): the kernel decides, nothing is
 *   executed; the journal keeps the decisions only;
 * - live_trade (`live-mode-trade.ts`): the kernel's commands go to Binance
 *   after the tick is on disk; the exchange's answers come back later as
 *   order events (journaled in `events` lines).
 */

import { errorMessage } from "../../core/errors.js";
import type { OrderCommand, VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import type { LiveRunMode } from "./live-runtime-options.js";

/** One market event through the kernel. */
export interface TickResult {
  /** The output (undefined when the kernel dropped the event or failed). */
  readonly out: TickOutput | undefined;
  /** The kernel's error, when it raised one (the run goes on). */
  readonly error: string | undefined;
  /** The kernel's command batch, in order. */
  readonly commands: readonly OrderCommand[];
  /** Events a simulation venue answered within the tick. */
  readonly events: readonly VenueEvent[];
}

export interface LiveMode {
  readonly name: LiveRunMode;
  /** The kernel's commands are carried out (paper: simulated; live_trade: on the exchange). */
  readonly executes: boolean;
  /** The current kernel. */
  readonly kernel: TradingKernel;
  /** A fresh kernel (and venue state), as at the start of a journal. */
  reset(): void;
  /** One market event, live or replayed. */
  step(s: Snapshot): TickResult;
  /** The journal's form of an output. */
  view(out: TickOutput): unknown;
}

/** Keys of an output that describe what was executed; read_only journals leave them out. */
export const EXECUTION_KEYS = [
  "events",
  "fills",
  "pnl_snapshot",
  "cycle_intents",
  "drawdown_check",
] as const;

type Obj = { readonly [key: string]: unknown };

/** The decisions of an output (read_only journal form). */
export function decisionView(json: Obj): Obj {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json))
    if (!(EXECUTION_KEYS as readonly string[]).includes(k)) out[k] = v;
  return out;
}

/**
 * Decide on `s` and make its output at once (the kernel's own venue, if any,
 * answers later): the step of read_only and live_trade. A kernel error is
 * returned, not thrown.
 */
export function decideAndComplete(kernel: TradingKernel, s: Snapshot): TickResult {
  try {
    const d = kernel.decide(s);
    if (d === undefined) return { out: undefined, error: undefined, commands: [], events: [] };
    return { out: kernel.completeTick(), error: undefined, commands: d.commands, events: [] };
  } catch (e) {
    return { out: undefined, error: errorMessage(e), commands: [], events: [] };
  }
}

/** Options every mode is built from. */
export interface LiveModeOptions {
  readonly engineOptions: EngineOptions;
}
