/**
 * read_only: the kernel runs as a shadow decision source (as the reference's
 * disarmed live engine does). Its decisions (gating, plan, actions and the
 * command batch) are journaled with `executed: false` and without the
 * execution results (events, fills, pnl_snapshot, cycle_intents,
 * drawdown_check); nothing is sent, so nothing is filled.
 */

import type { Snapshot } from "../../domain/snapshot.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import { createLiveKernel } from "./live-kernel-setup.js";
import {
  decideAndComplete,
  decisionView,
  type LiveMode,
  type LiveModeOptions,
  type TickResult,
} from "./live-mode.js";

export class ReadOnlyMode implements LiveMode {
  readonly name = "read_only";
  readonly executes = false;
  kernel: TradingKernel;

  constructor(private readonly o: LiveModeOptions) {
    this.kernel = createLiveKernel(o.engineOptions);
  }

  reset(): void {
    this.kernel = createLiveKernel(this.o.engineOptions);
  }

  step(s: Snapshot): TickResult {
    return decideAndComplete(this.kernel, s);
  }

  view(out: TickOutput): unknown {
    return decisionView(out.json);
  }
}
