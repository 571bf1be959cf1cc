/**
 * The trading loop of `grinder live`: feed -> kernel.decide -> journal ->
 * venue -> events -> kernel, one market event at a time, metrics as it goes.
 * What differs between paper, read_only and live_trade is the mode
 * (`live-mode.ts`); the journal is described in `journal-lines.ts`.
 *
 * Roles. Only an instance that may trade (HA off, or ACTIVE) runs the kernel
 * and writes the journal. A STANDBY keeps consuming its feed (connection
 * open, latest snapshot per symbol kept, feed metrics moving) and follows
 * the journal as the ACTIVE writes it (every `followIntervalMs`, complete
 * lines only, never writing). An instance that starts trading (at start, or
 * on becoming ACTIVE) takes over (`live-takeover.ts`): the journal replay
 * rebuilds its kernel exactly (`journal-replayer.ts`); live_trade then
 * reconciles with the exchange (`exchange-sync.ts`); trading continues with
 * the first feed snapshot the journal does not already hold.
 *
 * Ticks. The tick line (snapshot, command batch, output) is appended before
 * anything is sent: paper fsyncs it when it has fills, live_trade when it
 * has commands (write-ahead), then sends them; the venue's answers, and what
 * the polls (every `pollMs`, and before a tick when one is due) find, are
 * applied to the kernel and journaled (fsync'ed) in `events` lines.
 */

import { errorMessage } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { type EngineOptions, profileLine } from "../../kernel/kernel-options.js";
import { type ConnectorMetrics, getConnectorMetrics } from "../../net/connector-metrics.js";
import { isWriteFencedError, WriteFencedError } from "../../venues/common/write-fence.js";
import { createLiveMode } from "./create-live-mode.js";
import { checkSessionLine, type JournalLine } from "./journal-lines.js";
import { JournalReplayer, type Position } from "./journal-replayer.js";
import { liveMarketFeed, type MarketFeed } from "./live-feeds.js";
import {
  checkJournalHead,
  isJournalFencedError,
  JournalFencedError,
  journalSize,
  type LiveJournalWriter,
  prepareJournalLocation,
} from "./live-journal.js";
import {
  engineFingerprint,
  liveEngineNotes,
  liveEngineOptions,
  summaryLine,
} from "./live-kernel-setup.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import { LiveMetricsRecorder } from "./live-metrics.js";
import type { LiveMode, TickResult } from "./live-mode.js";
import type { LiveTradeMode } from "./live-mode-trade.js";
import { type Takeover, takeOver } from "./live-takeover.js";
import { tickAndJournal } from "./live-tick.js";
import { LiveTradeDriver } from "./live-trade-driver.js";
import { SerialQueue } from "./serial-queue.js";
import type { TradingLoop, TradingLoopContext, VenueHaltView } from "./trading-loop.js";

export type {
  LiveLoopConfig,
  LiveLoopDeps,
  LiveTick,
  LiveTradeConfig,
} from "./live-loop-config.js";

export class LiveTradingLoop implements TradingLoop {
  readonly engineOptions: EngineOptions;
  readonly fingerprint: string;
  readonly feed: MarketFeed;
  readonly mode: LiveMode;
  /** live_trade: the mode with its venue (undefined in the other modes). */
  readonly trade: LiveTradeMode | undefined;
  /** live_trade: the exchange calls around the ticks. */
  readonly driver: LiveTradeDriver | undefined;
  readonly journal: JournalReplayer;
  readonly recorder: LiveMetricsRecorder;
  private readonly connectorMetrics: ConnectorMetrics;
  readonly inner = new AbortController();
  writer: LiveJournalWriter | undefined;
  /** Aborted when this instance stops writing (lease lost): ends in-flight exchange retries. */
  private fence: AbortController | undefined;
  /** Snapshots the journal already holds (just after a takeover). */
  cutoff: Position | undefined;
  fencedAtEpoch: number | undefined;
  skippedAtCutoff = 0;
  /** Takeovers and journal follows, one at a time. */
  private readonly journalTasks = new SerialQueue();
  private takeoverTask: Promise<boolean> | undefined;
  private following = false;
  private lastFollowMs = Number.NEGATIVE_INFINITY;
  private readonly followIntervalMs: number;
  private fatal: unknown;
  private running = false;
  /** Monotonic milliseconds (latencies). */
  private readonly monotonicMs: () => number;
  /** Engine errors of processed snapshots (the first 10, then every 1000th, logged). */
  engineErrors = 0;

  /** Snapshots received from the feed, on any role. */
  feedSnapshots = 0;
  /** Snapshots the kernel processed on this instance (journal replays excluded). */
  tradedSnapshots = 0;
  /** Latest snapshot per symbol (what a STANDBY keeps warm). */
  readonly latest = new Map<string, Snapshot>();

  /** Validates the options, the fixture, the feed settings and (live_trade) the arming. */
  constructor(
    readonly ctx: TradingLoopContext,
    readonly config: LiveLoopConfig,
    readonly deps: LiveLoopDeps = {},
  ) {
    this.followIntervalMs = deps.followIntervalMs ?? 1000;
    this.engineOptions = liveEngineOptions(
      config.source.kind === "fixture" ? config.source.dir : undefined,
      config.configPath,
      config.profile,
      (l) => this.log(l),
    );
    this.fingerprint = engineFingerprint(this.engineOptions, config.mode);
    prepareJournalLocation(config.journalPath);
    const identity = {
      mode: config.mode,
      fingerprint: this.fingerprint,
      sourceKind: config.source.kind,
    };
    checkJournalHead(config.journalPath, identity);
    this.recorder = new LiveMetricsRecorder(ctx.metrics, this.engineOptions);
    this.connectorMetrics = deps.connectorMetrics ?? getConnectorMetrics();
    const made = createLiveMode(config, deps, this.engineOptions, this.connectorMetrics, (l) =>
      this.log(l),
    );
    this.mode = made.mode;
    this.trade = made.trade;
    this.monotonicMs = deps.monotonicMs ?? (() => performance.now());
    made.trade?.setLatencySink(ctx.metrics, this.monotonicMs);
    this.driver =
      made.trade === undefined
        ? undefined
        : new LiveTradeDriver(this, made.trade, config.trade?.pollMs ?? 1000);
    this.journal = new JournalReplayer(config.journalPath, this.mode, this.trade, {
      checkSession: (line, where) => checkSessionLine(line, where, identity),
      replayedOutput: (json) => this.recorder.replayed(json),
    });
    this.feed = liveMarketFeed(config, deps, ctx.clock, this.connectorMetrics, (l) => this.log(l));
    // Every exchange write is fenced: this instance writes the journal and holds its lease.
    this.trade?.venue.setWriteFence({
      mayWrite: () => this.writer !== undefined && ctx.mayTrade(),
      get signal() {
        return fenceSignal();
      },
    });
    const fenceSignal = (): AbortSignal | undefined => this.fence?.signal;
    ctx.metrics.registry.addCollector(() => {
      ctx.metrics.setVenueHalt(this.venueHalt());
      ctx.metrics.setFeedConnected(this.feed.connected);
      ctx.metrics.setUserStreamConnected(this.trade?.venue.userStreamConnected === true);
      ctx.metrics.setFeedReconnectsTotal(this.feed.reconnects);
    });
  }

  log(line: string): void {
    this.ctx.log(`  trading: ${line}`);
  }

  /** live_trade: the exchange's write halt now (a 418 ban, a 429 back-off). */
  venueHalt(): VenueHaltView | undefined {
    return this.trade?.writeHalt();
  }

  /** Sequence number of the last journaled snapshot. */
  get journalSeq(): number {
    return this.journal.seq;
  }

  /** Journaled snapshots replayed into the current kernel (at takeover or followed as STANDBY). */
  get replayedEvents(): number {
    return this.journal.replayedTicks;
  }

  /** True while this instance writes the journal (it trades). */
  get trading(): boolean {
    return this.writer !== undefined;
  }

  get stopped(): boolean {
    return this.inner.signal.aborted;
  }

  /** The kernel's summary now (positions, PnL, guards), or undefined without a usable kernel. */
  summary(): Record<string, unknown> | undefined {
    return this.journal.offset < 0 ? undefined : this.mode.kernel.finish(this.journal.seq);
  }

  async start(signal: AbortSignal): Promise<void> {
    const { ctx, config, inner } = this;
    const onAbort = (): void => inner.abort(signal.reason);
    if (signal.aborted) inner.abort(signal.reason);
    else signal.addEventListener("abort", onAbort, { once: true });
    ctx.metrics.setUp(true);
    this.running = true;
    this.log(
      `${this.feed.description}, mode ${config.mode}, journal ${config.journalPath}, ` +
        `options ${this.fingerprint}${config.configPath ? ` (${config.configPath})` : ""}`,
    );
    this.log(profileLine(this.engineOptions));
    for (const n of liveEngineNotes(this.engineOptions)) this.log(`note: ${n}`);
    if (!ctx.mayTrade()) this.log(`role ${ctx.role()}: following the feed, not trading`);
    const pollStop = new AbortController();
    let poller: Promise<void> | undefined;
    try {
      if (ctx.mayTrade()) void this.beginTakeover();
      const driver = this.driver;
      if (driver !== undefined) poller = driver.pollLoop(pollStop.signal);
      for await (const s of this.feed.snapshots(inner.signal)) {
        const receivedAtMs = this.monotonicMs();
        this.feedSnapshots++;
        ctx.metrics.recordFeedSnapshot();
        this.latest.set(s.symbol, s);
        if (!ctx.mayTrade()) {
          this.standDown();
          this.maybeFollow();
          continue;
        }
        const epoch = ctx.epoch?.();
        if (epoch !== undefined && this.writer !== undefined && epoch !== this.writer.epoch)
          this.standDown(`a new lease, fencing epoch ${epoch}`);
        // A takeover refused under this lease's epoch (the journal is newer) is not retried.
        if (epoch !== undefined && epoch === this.fencedAtEpoch) continue;
        if (this.writer === undefined || this.takeoverTask !== undefined) {
          // (A live_trade takeover writes its session line before reconciling: wait for it.)
          const ok = await this.beginTakeover();
          if (inner.signal.aborted) break;
          if (!ok) continue;
        }
        if (this.beforeCutoff(s)) continue;
        try {
          if (driver !== undefined) await driver.exclusive(() => driver.tradeLive(s, receivedAtMs));
          else this.tick(s);
        } catch (e) {
          // A deposed leader: it becomes a STANDBY that follows the journal, it does not exit.
          if (!isJournalFencedError(e) && !isWriteFencedError(e)) throw e;
          this.fenced(e);
        }
      }
      if (this.fatal === undefined && !inner.signal.aborted) this.log("feed finished");
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.running = false;
      pollStop.abort();
      if (this.takeoverTask !== undefined) await this.takeoverTask;
      await this.journalTasks.idle(); // a STANDBY's journal follow in progress
      if (poller !== undefined) await poller;
      await this.driver?.idle();
      const summary = this.writer !== undefined && this.mode.executes ? this.summary() : undefined;
      try {
        this.closeJournal(signal.aborted ? `shutdown: ${String(signal.reason)}` : "feed finished");
      } catch (e) {
        this.log(`closing the journal failed: ${errorMessage(e)}`);
        if (this.fatal === undefined) this.fatal = e;
      }
      if (summary !== undefined) this.log(summaryLine(summary));
      const skipped = this.cutoff !== undefined ? this.skippedAtCutoff : 0;
      this.log(
        `stopped: ${this.feedSnapshots} snapshots received, ${this.tradedSnapshots} traded` +
          `${skipped > 0 ? `, ${skipped} skipped (already in the journal)` : ""}, ` +
          `journal at seq ${this.journal.seq}`,
      );
    }
    if (this.fatal !== undefined) throw this.fatal;
  }

  onRoleChange(role: string): void {
    if (!this.running) return;
    if (this.ctx.mayTrade()) {
      if (this.writer === undefined) void this.beginTakeover();
    } else this.standDown(`role ${role}`);
  }

  /** Stop writing (no longer allowed to trade); the kernel is kept for a quick resume. */
  standDown(why = `role ${this.ctx.role()}`): void {
    this.fence?.abort(new WriteFencedError(`trading (${why})`));
    this.fence = undefined;
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    w.close();
    this.log(`stopped trading (${why}); journal closed at seq ${this.journal.seq}`);
  }

  /** A write refused by the fence (lease lost, or a newer epoch in the journal): stand down. */
  fenced(e: unknown): void {
    this.standDown(`fenced: ${errorMessage(e)}`);
    this.dropKernel("fenced while trading");
  }

  /** Called by the takeover once the writer is open under `epoch`. */
  armFence(epoch: number): void {
    this.fence?.abort(new WriteFencedError("trading (a new lease)"));
    this.fence = new AbortController();
    this.trade?.useEpoch(epoch);
    this.log(`writing under fencing epoch ${epoch}`);
  }

  /** At a clean stop of the writer: the summary line, then close. */
  private closeJournal(reason: string): void {
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    this.fence?.abort(new WriteFencedError(`trading (${reason})`));
    this.fence = undefined;
    try {
      if (this.journal.offset >= 0 && this.ctx.mayTrade())
        w.append(
          {
            type: "session_end",
            instance_id: this.config.instanceId,
            wall_ms: Math.trunc(this.ctx.clock()),
            last_seq: this.journal.seq,
            reason,
            summary: JSON.parse(JSON.stringify(this.mode.kernel.finish(this.journal.seq))),
            ...(this.trade !== undefined ? { venue_orders: this.trade.venueOrders() } : {}),
          },
          true,
        );
    } catch (e) {
      if (!isJournalFencedError(e)) throw e;
      this.log(`no session end written: ${errorMessage(e)}`);
    } finally {
      w.close();
    }
  }

  /** Start (or join) a takeover; resolves true when this instance writes the journal. */
  private beginTakeover(): Promise<boolean> {
    if (this.takeoverTask === undefined) {
      this.takeoverTask = this.journalTasks
        .run(() => takeOver(this satisfies Takeover))
        .catch((e: unknown) => {
          this.fail(e);
          return false;
        })
        .finally(() => {
          this.takeoverTask = undefined;
        });
    }
    return this.takeoverTask;
  }

  /** As STANDBY: now and then, apply what the ACTIVE appended to the journal (never writes). */
  private maybeFollow(): void {
    const now = this.ctx.clock();
    if (this.following || now - this.lastFollowMs < this.followIntervalMs) return;
    this.following = true;
    this.lastFollowMs = now;
    void this.journalTasks
      .run(() => this.follow())
      .finally(() => {
        this.following = false;
      });
  }

  private async follow(): Promise<void> {
    if (this.ctx.mayTrade() || this.inner.signal.aborted) return;
    const size = journalSize(this.config.journalPath);
    if (this.journal.offset < 0 || size < this.journal.offset) this.resetKernel();
    try {
      await this.journal.catchUp(size, this.deps.replayChunk ?? 2000, () => this.stopped);
    } catch (e) {
      // Replayed in full at takeover, where a real problem stops the run.
      this.log(`following the journal stopped: ${errorMessage(e)}`);
      this.journal.invalidate();
    }
  }

  /** A fresh kernel at the start of the journal. */
  resetKernel(): void {
    this.journal.reset();
    this.recorder.resetRisk();
  }

  /**
   * Append a line as the writer; the kernel's journal position moves with it.
   * Refused (JournalFencedError) once this instance's lease has run out by its
   * own clock, or when the journal holds a newer epoch (the writer checks).
   */
  append(line: JournalLine, sync = false): void {
    if (!this.ctx.mayTrade())
      throw new JournalFencedError(
        `journal ${this.config.journalPath}: not appending, this instance may no longer write ` +
          `(role ${this.ctx.role()}, lease lost)`,
      );
    const w = this.writer as LiveJournalWriter;
    w.append(line, sync);
    this.journal.appended(w.size);
  }

  /** True for a snapshot the journal already holds (just after a takeover). */
  private beforeCutoff(s: Snapshot): boolean {
    const c = this.cutoff;
    if (c === undefined) return false;
    if (s.ts < c.ts || (s.ts === c.ts && c.symbols.has(s.symbol))) {
      this.skippedAtCutoff++;
      return true;
    }
    this.cutoff = undefined;
    if (this.skippedAtCutoff > 0)
      this.log(`skipped ${this.skippedAtCutoff} feed snapshots the journal already holds`);
    return false;
  }

  /** One snapshot: the kernel's step, then its tick line, metrics and hooks (`live-tick.ts`). */
  tick(s: Snapshot): TickResult {
    return tickAndJournal(this, s);
  }

  /** Forget the kernel's state (it is ahead of the journal): the next takeover replays. */
  dropKernel(why: string): void {
    this.log(`${why}; the next takeover rebuilds the state from the journal and the exchange`);
    this.journal.invalidate();
  }

  /** A fatal error: the run stops with it. */
  fail(e: unknown): void {
    if (this.fatal === undefined) this.fatal = e;
    this.inner.abort(e);
  }
}

/** The loop factory `grinder live` uses. */
export function liveTradingLoopFactory(
  config: LiveLoopConfig,
  deps: LiveLoopDeps = {},
): (ctx: TradingLoopContext) => LiveTradingLoop {
  return (ctx) => new LiveTradingLoop(ctx, config, deps);
}
