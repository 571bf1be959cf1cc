/**
 * live_trade's part of the loop: the exchange calls around the ticks.
 *
 * Per snapshot (`tradeLive`): a poll first when one is due, then the tick
 * (its line, with the command batch, fsync'ed before anything is sent), then
 * the commands; every `pollMs` a poll runs by itself (`pollLoop`) unless a
 * tick just made one. Ticks, polls and the takeover's reconciliation never
 * interleave (`exclusive`). The events the venue reports during each step are
 * journaled in one `events` line (fsync'ed), even when the step throws, and
 * counted (orders the exchange accepted, fills).
 */

import { orderEventToJson } from "../../domain/order-json.js";
import type { VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { realSleep } from "../../net/clock.js";
import { isWriteFencedError } from "../../venues/common/write-fence.js";
import { describeExchangeActivity } from "./exchange-sync.js";
import type { EventsCause, JournalLine, JournalUntracked } from "./journal-lines.js";
import type { JournalReplayer } from "./journal-replayer.js";
import { isJournalFencedError, type LiveJournalWriter } from "./live-journal.js";
import type { LiveLoopDeps } from "./live-loop-config.js";
import type { LiveMetricsRecorder } from "./live-metrics.js";
import type { TickResult } from "./live-mode.js";
import type { LiveTradeMode } from "./live-mode-trade.js";
import { SerialQueue } from "./serial-queue.js";
import type { TradingLoopContext } from "./trading-loop.js";

/** What the driver needs of the loop. */
export interface LiveTradeHost {
  readonly ctx: TradingLoopContext;
  readonly deps: LiveLoopDeps;
  readonly journal: JournalReplayer;
  readonly recorder: LiveMetricsRecorder;
  readonly stopped: boolean;
  readonly writer: LiveJournalWriter | undefined;
  log(line: string): void;
  append(line: JournalLine, sync?: boolean): void;
  /** One snapshot through the kernel, journaled. */
  tick(s: Snapshot): TickResult;
  dropKernel(why: string): void;
  /** A write refused by the fence: stand down, the kernel is rebuilt at the next takeover. */
  fenced(e: unknown): void;
  fail(e: unknown): void;
}

export class LiveTradeDriver {
  private lastPollMs = Number.NEGATIVE_INFINITY;
  private readonly steps = new SerialQueue();
  /** One-line account of the last exchange step (for the takeover's log). */
  lastActivity = "";
  /** The halt last logged (reason@until), undefined while writes flow. */
  private haltKey: string | undefined;
  private skippedWhileHalted = 0;

  constructor(
    private readonly host: LiveTradeHost,
    readonly trade: LiveTradeMode,
    private readonly pollMs: number,
  ) {}

  private log(line: string): void {
    this.host.log(line);
  }

  /** Run `fn` after every step started before it (exchange calls never interleave). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.steps.run(fn);
  }

  /** Resolves when no step is running or queued. */
  idle(): Promise<void> {
    return this.steps.idle();
  }

  /** True while this instance may talk to the exchange for the journal it writes. */
  private get live(): boolean {
    const h = this.host;
    return h.writer !== undefined && h.ctx.mayTrade() && !h.stopped;
  }

  private get pollDue(): boolean {
    return this.host.ctx.clock() - this.lastPollMs >= this.pollMs;
  }

  /** A poll just happened (the takeover's reconciliation counts as one). */
  polled(): void {
    this.lastPollMs = this.host.ctx.clock();
  }

  /**
   * While the exchange halts writes (a 418 ban, a 429 back-off) the snapshot
   * is not decided: the kernel issues no command it could not send, so it
   * never holds orders as sent that were not (the commands of the tick that
   * met the halt were answered: rejections it has learnt). Polls wait too.
   * One log line when a halt starts and one when it ends. True while halted.
   */
  halted(): boolean {
    const halt = this.trade.writeHalt();
    const key = halt === undefined ? undefined : `${halt.reason}@${halt.untilMs}`;
    if (key !== this.haltKey) {
      if (halt !== undefined)
        this.log(
          `exchange writes halted (${halt.reason}) until ${new Date(halt.untilMs).toISOString()}: ` +
            `${halt.detail}; no tick is decided and nothing is sent until then`,
        );
      else
        this.log(
          `exchange writes resumed after the halt (${this.skippedWhileHalted} snapshots not decided)`,
        );
      if (halt === undefined) this.skippedWhileHalted = 0;
      this.haltKey = key;
    }
    return halt !== undefined;
  }

  /**
   * One snapshot (inside `exclusive`): a poll when due, the tick, then its
   * commands; `receivedAtMs` (monotonic) is when the snapshot arrived.
   */
  async tradeLive(s: Snapshot, receivedAtMs?: number): Promise<void> {
    if (!this.live) return;
    if (this.halted()) {
      this.skippedWhileHalted++;
      return;
    }
    if (this.pollDue) {
      await this.pollNow();
      if (!this.live) return;
    }
    const r = this.host.tick(s);
    if (r.commands.length === 0) return;
    if (!this.live) {
      // Stood down meanwhile: the next ACTIVE sends them (its reconciliation finds them pending).
      this.host.dropKernel("stood down before sending a tick's commands");
      return;
    }
    this.trade.setKillSwitch(this.host.recorder.riskState.killSwitchTriggered);
    await this.step("tick", () => this.trade.send(r.commands, receivedAtMs));
  }

  private async pollNow(): Promise<void> {
    if (this.host.journal.offset < 0 || !this.live || this.halted()) return;
    this.polled();
    await this.step("sync", () => this.trade.poll());
  }

  /**
   * Every `pollMs`, a poll unless a tick just made one; a failure stops the
   * run. The venue's user data stream (when it has one) runs as long as this
   * loop, and what it pushes wakes the loop for a poll at once (the poll
   * applies it inside an exchange step, so it is journaled where the kernel
   * saw it). When it ends, the venue's background work stops.
   */
  async pollLoop(signal: AbortSignal): Promise<void> {
    try {
      await this.polls(signal);
    } finally {
      await this.trade.venue.close?.();
    }
  }

  private async polls(signal: AbortSignal): Promise<void> {
    const sleep = this.host.deps.pollSleep ?? realSleep;
    let nap = new AbortController();
    let woken = false;
    this.trade.venue.startUserStream?.(() => {
      woken = true;
      nap.abort();
    });
    try {
      for (;;) {
        if (!woken) {
          try {
            await sleep(this.pollMs, AbortSignal.any([signal, nap.signal]));
          } catch {
            // woken or stopped
          }
        }
        if (signal.aborted) return;
        const pushed = woken;
        woken = false;
        nap = new AbortController();
        if (!this.live) continue;
        try {
          await this.exclusive(async () => {
            if (pushed || this.pollDue) await this.pollNow();
          });
        } catch (e) {
          if (isJournalFencedError(e) || isWriteFencedError(e)) {
            this.host.fenced(e);
            continue;
          }
          this.host.fail(e);
          return;
        }
      }
    } finally {
      await this.trade.venue.stopUserStream?.();
    }
  }

  /**
   * Run an exchange operation; the events the venue reported meanwhile (and
   * the untracked orders `untrackedOf` picks from the result) are journaled
   * even when it throws.
   */
  async step<T>(
    cause: EventsCause,
    fn: () => Promise<T>,
    untrackedOf?: (r: T) => readonly JournalUntracked[],
  ): Promise<T> {
    let result: T | undefined;
    let untracked: readonly JournalUntracked[] = [];
    let events: VenueEvent[] = [];
    try {
      result = await fn();
      if (untrackedOf !== undefined) untracked = untrackedOf(result);
    } finally {
      events = this.trade.takeEvents();
      this.journalEvents(cause, events, untracked);
    }
    this.lastActivity = describeExchangeActivity(events, untracked);
    return result as T;
  }

  private journalEvents(
    cause: EventsCause,
    events: readonly VenueEvent[],
    untracked: readonly JournalUntracked[],
  ): void {
    if (events.length === 0 && untracked.length === 0) return;
    const h = this.host;
    if (h.writer === undefined || !h.ctx.mayTrade()) {
      // The kernel moved on without the journal: it must not trade on from here.
      h.dropKernel(`stood down before journaling ${events.length} exchange events`);
      return;
    }
    h.append(
      {
        type: "events",
        seq: h.journal.seq,
        wall_ms: Math.trunc(h.ctx.clock()),
        cause,
        events: events.map(orderEventToJson),
        ...(untracked.length > 0 ? { untracked } : {}),
      },
      true,
    );
    let accepted = 0;
    let fills = 0;
    for (const e of events) {
      if (e.kind === "OrderAccepted") accepted++;
      else if (e.kind === "OrderFilled") fills++;
    }
    h.recorder.exchangeActivity(accepted, fills);
  }
}
