/**
 * One processed snapshot of the live loop: the mode's step (the kernel
 * decides; paper also fills), then its tick line in the journal (fsync'ed
 * when paper filled or live_trade has commands to send: write-ahead), the
 * metrics, the kill-switch and engine-error log lines, and the test hook.
 */

import { orderCommandToJson, orderEventToJson } from "../../domain/order-json.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { JournalLine } from "./journal-lines.js";
import type { JournalReplayer } from "./journal-replayer.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import { fillCountOf, type LiveMetricsRecorder } from "./live-metrics.js";
import type { LiveMode, TickResult } from "./live-mode.js";
import type { LiveTradeMode } from "./live-mode-trade.js";
import type { TradingLoopContext } from "./trading-loop.js";

/** What a tick reads and moves of the loop. */
export interface TickHost {
  readonly mode: LiveMode;
  readonly trade: LiveTradeMode | undefined;
  readonly journal: JournalReplayer;
  readonly recorder: LiveMetricsRecorder;
  readonly ctx: TradingLoopContext;
  readonly config: LiveLoopConfig;
  readonly deps: LiveLoopDeps;
  tradedSnapshots: number;
  engineErrors: number;
  append(line: JournalLine, sync?: boolean): void;
  log(line: string): void;
}

export function tickAndJournal(h: TickHost, s: Snapshot): TickResult {
  const { mode } = h;
  const r = mode.step(s);
  const paper = h.trade === undefined && mode.executes;
  const sync = paper ? r.out !== undefined && fillCountOf(r.out.json) > 0 : r.commands.length > 0;
  const seq = h.journal.seq + 1;
  h.append(
    {
      type: "tick",
      seq,
      wall_ms: Math.trunc(h.ctx.clock()),
      mode: h.config.mode,
      executed: mode.executes,
      snapshot: s.toDict(),
      commands: r.commands.map(orderCommandToJson),
      ...(paper ? { events: r.events.map(orderEventToJson) } : {}),
      output: r.out === undefined ? null : mode.view(r.out),
      ...(r.error !== undefined ? { error: r.error } : {}),
    },
    sync,
  );
  h.journal.traded(s, seq);
  h.tradedSnapshots++;
  const wasTripped = h.recorder.riskState.killSwitchTriggered;
  // live_trade counts orders and fills from what the exchange reported (events lines).
  h.recorder.traded(r.out?.json, mode.executes, paper);
  if (!wasTripped && h.recorder.riskState.killSwitchTriggered && mode.executes)
    h.log(`kill switch tripped at seq ${seq} (ts ${s.ts}, ${s.symbol}): trading halted`);
  if (r.error !== undefined) {
    h.engineErrors++;
    if (h.engineErrors <= 10 || h.engineErrors % 1000 === 0)
      h.log(`engine error at seq ${seq} (ts ${s.ts}, ${s.symbol}): ${r.error}`);
  }
  h.deps.onTick?.({ seq, snapshot: s, output: r.out, error: r.error, executed: mode.executes });
  return r;
}
