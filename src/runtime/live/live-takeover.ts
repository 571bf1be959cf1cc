/**
 * An instance starts trading (at start, or on becoming HA ACTIVE): it makes
 * the journal its own.
 *
 * 1. A torn last line (a crash in the middle of a write) is cut.
 * 2. The journal is replayed from where the kernel stands (from the start
 *    for a fresh kernel; only the rest for a STANDBY that followed it), up
 *    to its end, again while it still grows (an old ACTIVE finishing).
 * 3. The instance opens the journal for writing under its fencing epoch
 *    (refused when the journal already holds a newer one) and appends its
 *    session line (live_trade: with the journal's run id, drawn now for a
 *    new one).
 * 4. live_trade: reconciliation with the exchange (`exchange-sync.ts`); a
 *    failure stops the run (no trading blind).
 * 5. Trading continues after the journal's last market position.
 */

import { errorMessage, InvalidInputError } from "../../core/errors.js";
import { isWriteFencedError } from "../../venues/common/write-fence.js";
import type { JournalLine } from "./journal-lines.js";
import { JOURNAL_VERSION } from "./journal-lines.js";
import type { JournalReplayer, Position } from "./journal-replayer.js";
import type { MarketFeed } from "./live-feeds.js";
import {
  isJournalFencedError,
  journalSize,
  LiveJournalWriter,
  repairJournalTail,
} from "./live-journal.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import type { LiveMetricsRecorder } from "./live-metrics.js";
import type { LiveTradeMode } from "./live-mode-trade.js";
import type { LiveTradeDriver } from "./live-trade-driver.js";
import type { TradingLoopContext } from "./trading-loop.js";

/** What a takeover works on (the trading loop). */
export interface Takeover {
  readonly ctx: TradingLoopContext;
  readonly config: LiveLoopConfig;
  readonly deps: LiveLoopDeps;
  readonly fingerprint: string;
  readonly feed: MarketFeed;
  readonly journal: JournalReplayer;
  readonly trade: LiveTradeMode | undefined;
  readonly driver: LiveTradeDriver | undefined;
  readonly recorder: LiveMetricsRecorder;
  readonly stopped: boolean;
  writer: LiveJournalWriter | undefined;
  cutoff: Position | undefined;
  skippedAtCutoff: number;
  /** The lease epoch a takeover was refused under (the journal is newer): not tried again. */
  fencedAtEpoch: number | undefined;
  log(line: string): void;
  resetKernel(): void;
  append(line: JournalLine, sync?: boolean): void;
  /** A write refused by the fence: stand down. */
  fenced(e: unknown): void;
  /** The writer is open under `epoch`: exchange writes are fenced by the lease from here. */
  armFence(epoch: number): void;
}

/** Replay the journal to its end; the lines replayed (undefined when stopped meanwhile). */
async function replayToEnd(t: Takeover, path: string): Promise<number | undefined> {
  const chunk = t.deps.replayChunk ?? 2000;
  let replayed = 0;
  for (let round = 0; ; round++) {
    if (round >= 3) throw new InvalidInputError(`journal ${path} keeps changing during takeover`);
    const size = journalSize(path);
    if (t.journal.offset < 0 || size < t.journal.offset) t.resetKernel();
    let n: number | undefined;
    try {
      n = await t.journal.catchUp(size, chunk, () => t.stopped);
    } catch (e) {
      if (t.journal.offset === 0 || replayed > 0) throw e;
      // The journal does not continue the state followed so far (replaced?): replay it all.
      t.log(
        `journal ${path} does not continue the followed state (${errorMessage(e)}); replaying it`,
      );
      t.resetKernel();
      n = await t.journal.catchUp(size, chunk, () => t.stopped);
    }
    if (n === undefined) return undefined;
    replayed += n;
    if (journalSize(path) === size) return replayed;
  }
}

/** Steps 1-5 of the file comment; resolves true when this instance writes the journal. */
export async function takeOver(t: Takeover): Promise<boolean> {
  const path = t.config.journalPath;
  const started = t.ctx.clock();
  const cut = repairJournalTail(path);
  if (cut > 0) t.log(`journal ${path}: removed a torn last line (${cut} bytes)`);
  const replayed = await replayToEnd(t, path);
  if (replayed === undefined || !t.ctx.mayTrade() || t.stopped) return false;
  const j = t.journal;
  // The lease's fencing epoch; without HA the journal's own (0 for a new journal).
  const epoch = t.ctx.epoch?.() ?? j.lastEpoch;
  try {
    t.writer = LiveJournalWriter.open(path, epoch, j.lastEpoch);
  } catch (e) {
    if (!isJournalFencedError(e)) throw e;
    t.log(
      `not taking over: ${errorMessage(e)} (after a Redis restart without persistence, ` +
        `set grinder:leader:epoch to at least ${j.lastEpoch}; see runbook 07)`,
    );
    t.fencedAtEpoch = epoch;
    return false;
  }
  t.armFence(epoch);
  t.append({
    type: "session",
    v: JOURNAL_VERSION,
    instance_id: t.config.instanceId,
    mode: t.config.mode,
    source: t.feed.description,
    options_fingerprint: t.fingerprint,
    wall_ms: Math.trunc(t.ctx.clock()),
    next_seq: j.seq + 1,
    ...(t.trade !== undefined ? { run_id: t.trade.ensureRunId() } : {}),
  });
  t.cutoff = j.last === undefined ? undefined : { ...j.last, symbols: new Set(j.last.symbols) };
  t.skippedAtCutoff = 0;
  const driver = t.driver;
  if (driver !== undefined) {
    try {
      await driver.exclusive(() => reconcile(t, driver));
    } catch (e) {
      if (isJournalFencedError(e) || isWriteFencedError(e)) {
        t.fenced(e);
        return false;
      }
      throw new InvalidInputError(
        `reconciling with the exchange failed: ${errorMessage(e)}; not trading blind`,
      );
    }
    if (t.writer === undefined || t.stopped) return false;
  }
  t.ctx.metrics.recordTakeover();
  if (t.trade !== undefined || t.config.mode === "paper") t.recorder.publishRisk();
  const how =
    replayed > 0
      ? `replayed ${replayed} journal lines in ${Math.round(t.ctx.clock() - started)} ms`
      : j.seq === 0
        ? "new journal"
        : "nothing new in the journal";
  t.log(`trading from the journal's state (${how}); next seq ${j.seq + 1}`);
  t.deps.onTakeover?.({ seq: j.seq, replayed });
  return true;
}

/** After the replay: match the exchange with the kernel's orders (inside `exclusive`). */
async function reconcile(t: Takeover, driver: LiveTradeDriver): Promise<void> {
  const trade = driver.trade;
  const symbols = new Set(t.journal.symbols);
  if (t.config.source.kind === "binance" || t.config.filterFixtureSymbols)
    for (const sym of t.config.symbols) symbols.add(sym);
  const tracked = trade.liveOrderCount;
  t.log(
    `reconciling with the exchange: ${tracked} tracked order${tracked === 1 ? "" : "s"}, ` +
      `symbols ${symbols.size > 0 ? [...symbols].sort().join(",") : "none yet"}` +
      `${t.config.trade?.cancelStrays ? ", cancelling strays" : ""}`,
  );
  trade.setKillSwitch(t.recorder.riskState.killSwitchTriggered);
  await driver.step(
    "reconcile",
    () => trade.reconcile([...symbols]),
    (untracked) => untracked,
  );
  driver.polled();
  const expected = trade.liveOrderCount;
  t.log(
    `reconciled: ${driver.lastActivity || "nothing to do"}; ` +
      `${expected} order${expected === 1 ? "" : "s"} of the kernel on the exchange`,
  );
}
