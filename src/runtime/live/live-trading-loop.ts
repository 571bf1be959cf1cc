/**
 * The trading loop of `grinder live`: market data from a feed (a fixture
 * replayed in real time, or Binance bookTicker) through the same engine as
 * `grinder paper`, every processed snapshot journaled, metrics updated as it
 * goes.
 *
 * Roles. Only an instance that may trade (HA off, or ACTIVE) runs the engine
 * and writes the journal. A STANDBY keeps consuming its feed (connection
 * open, latest snapshot per symbol kept, feed metrics moving) but neither
 * decides nor writes. When an instance starts trading (at start, or when it
 * becomes ACTIVE) it takes over from the journal: it replays the journaled
 * snapshots through a fresh engine, which rebuilds the ledger, open orders,
 * guards and features exactly (the core is deterministic; every replayed
 * output is checked against the journaled one), then continues with the
 * first feed snapshot that the journal does not already hold. A STANDBY
 * also follows the journal as the ACTIVE writes it (every `followIntervalMs`,
 * complete lines only, never writing), so at takeover only the last lines
 * remain to be applied; an instance that was the last writer keeps its
 * engine as is.
 *
 * Modes. paper: simulated orders and fills; the journal holds each whole
 * output; lines with fills are fsync'ed. read_only: the engine runs as a
 * shadow decision source (as the reference's disarmed live engine does):
 * its decisions (gating, plan, actions) are journaled with `executed: false`
 * and without the execution results (events, fills, pnl_snapshot,
 * cycle_intents, drawdown_check); nothing is placed or filled, and the
 * order, fill and risk metrics stay at zero. live_trade: the engine never
 * fills its own orders; each tick's PLACE/CANCEL actions are sent to the
 * exchange (`live-trade-executor.ts`) after the tick line is on disk, the
 * exchange's open orders are polled for fills (every `pollMs`, and before a
 * tick when a poll is due), and what the exchange did is journaled in
 * `exchange` lines that a replay applies at the same points. A takeover
 * replays the journal, then reconciles with the exchange's open orders
 * before trading.
 */

import { isDeepStrictEqual } from "node:util";
import type { Sleep } from "../../core/clock.js";
import { ConfigError, errorMessage, InvalidInputError } from "../../core/errors.js";
import type { OpsEnv } from "../../core/io-types.js";
import type { BinanceWsConnectorOptions } from "../../data/binance-stream/binance-ws-connector.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import { realSleep } from "../../net/clock.js";
import { type ConnectorMetrics, getConnectorMetrics } from "../../net/connector-metrics.js";
import type { RetryConfig } from "../../net/retry-config.js";
import type { HaRole } from "../../ops/ha/ha-state.js";
import {
  BinanceFeed,
  type FeedObserver,
  type FeedRetryReason,
  FixtureReplayFeed,
  type MarketFeed,
} from "./live-feeds.js";
import {
  JOURNAL_VERSION,
  type JournalEntry,
  type JournalExchangeEvent,
  type JournalExchangeLine,
  type JournalLine,
  type JournalSessionLine,
  journalSize,
  LiveJournalWriter,
  prepareJournalLocation,
  readJournalHead,
  readJournalRange,
  repairJournalTail,
} from "./live-journal.js";
import {
  createLiveEngine,
  engineFingerprint,
  type LiveKernel,
  liveEngineNotes,
  liveEngineOptions,
} from "./live-kernel-setup.js";
import { fillCountOf, LiveMetricsRecorder } from "./live-metrics.js";
import type { LiveSource } from "./live-options.js";
import type { LiveRunMode } from "./live-runtime-options.js";
import { describeEvents, LiveTradeExecutor, type TradeIntent } from "./live-trade-executor.js";
import { BinanceTradeVenue, type TradeVenue } from "./live-trade-venue.js";
import type { TradingLoop, TradingLoopContext } from "./trading-loop.js";

/** Settings of --mode live_trade. */
export interface LiveTradeConfig {
  /** --confirm TESTNET was given (arming also needs ARMED=1 and ALLOW_TESTNET_TRADE=1). */
  readonly confirmed: boolean;
  /** Cancel strays (our prefix, unknown to the engine) at a takeover. */
  readonly cancelStrays: boolean;
  /** Poll the exchange's open orders for fills every `pollMs`. */
  readonly pollMs: number;
}

export interface LiveLoopConfig {
  readonly mode: LiveRunMode;
  readonly source: LiveSource;
  /** Symbols of the Binance feed; a fixture's filter when `filterFixtureSymbols`. */
  readonly symbols: readonly string[];
  /** Restrict a fixture to `symbols` (when --symbols was given); else every symbol trades. */
  readonly filterFixtureSymbols: boolean;
  /** Fixture replay speed (1 = real time, 0 = as fast as possible). */
  readonly speed: number;
  readonly journalPath: string;
  /** Engine options file (strict), if any. */
  readonly configPath: string | undefined;
  /** Names this instance in the journal's session lines. */
  readonly instanceId: string;
  /** Environment (GRINDER_BINANCE_WS_URL, GRINDER_BINANCE_REST_URL; live_trade: keys, arming). */
  readonly env: OpsEnv;
  /** Resolved and guarded REST base URL (live_trade). */
  readonly restUrl?: string;
  /** Resolved and guarded WebSocket URL of the Binance feed (default: env, else the testnet). */
  readonly wsUrl?: string;
  /** live_trade settings (defaults: not confirmed, strays reported, poll every 1000 ms). */
  readonly trade?: LiveTradeConfig;
}

/** One snapshot the engine processed on this instance. */
export interface LiveTick {
  readonly seq: number;
  readonly snapshot: Snapshot;
  readonly output: TickOutput | undefined;
  readonly error: string | undefined;
  readonly executed: boolean;
}

export interface LiveLoopDeps {
  /** Waits of the fixture pacing and of the feed's retry backoff. */
  readonly sleep?: Sleep;
  /** Where the feed's retries are counted (default: the process-wide instance). */
  readonly connectorMetrics?: ConnectorMetrics;
  /** Backoff of the Binance feed's retries (default 1 s doubling to 30 s). */
  readonly feedRetry?: Partial<RetryConfig>;
  /** Extra Binance connector options (timeouts, market). */
  readonly connector?: Partial<BinanceWsConnectorOptions>;
  /** Called after each traded snapshot (tests, embedding). */
  readonly onTick?: (tick: LiveTick) => void;
  /** Called when the instance starts trading from the journal's state, before its first tick. */
  readonly onTakeover?: (info: { readonly seq: number; readonly replayed: number }) => void;
  /** How often a STANDBY applies the journal's new lines to its engine (default 1000 ms). */
  readonly followIntervalMs?: number;
  /** Journal lines replayed between two yields to the event loop (default 2000). */
  readonly replayChunk?: number;
  /** live_trade: the exchange (default: Binance REST at `restUrl`, keys from `env`). */
  readonly venue?: TradeVenue;
  /** live_trade: waits between fill polls (default: real sleep). */
  readonly pollSleep?: Sleep;
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

/** An output as the journal holds it once read back (plain JSON values). */
function asJournaled(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

function firstDifference(a: unknown, b: unknown): string {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = (a as Obj)[k];
      const y = (b as Obj)[k];
      if (!isDeepStrictEqual(x, y))
        return `"${k}": journal ${JSON.stringify(y)?.slice(0, 200)}, replay ${JSON.stringify(x)?.slice(0, 200)}`;
    }
  }
  return `journal ${JSON.stringify(b)?.slice(0, 200)}, replay ${JSON.stringify(a)?.slice(0, 200)}`;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The last journaled position: snapshots at or before it are already in the journal. */
interface Position {
  ts: number;
  readonly symbols: Set<string>;
}

function advance(p: Position | undefined, s: Snapshot): Position {
  if (p === undefined || s.ts > p.ts) return { ts: s.ts, symbols: new Set([s.symbol]) };
  if (s.ts === p.ts) p.symbols.add(s.symbol);
  return p;
}

export class LiveTradingLoop implements TradingLoop {
  readonly engineOptions: EngineOptions;
  readonly fingerprint: string;
  readonly feed: MarketFeed;
  /** Orders are executed (paper: simulated; live_trade: on the exchange). */
  private readonly paper: boolean;
  private readonly liveTrade: boolean;
  /** live_trade: the exchange side (undefined in the other modes). */
  readonly executor: LiveTradeExecutor | undefined;
  private readonly pollMs: number;
  /** Last fill poll (clock ms). */
  private lastPollMs = Number.NEGATIVE_INFINITY;
  /** Serialises ticks and polls (each a series of exchange calls and journal lines). */
  private exchangeChain: Promise<unknown> = Promise.resolve();
  /** Symbols the engine has seen (listed at a live_trade takeover). */
  private readonly engineSymbols = new Set<string>();
  private readonly recorder: LiveMetricsRecorder;
  private readonly connectorMetrics: ConnectorMetrics;
  private readonly inner = new AbortController();

  private engine: LiveKernel | undefined;
  /** Journal size the engine's state corresponds to (-1: none). */
  private engineJournalSize = -1;
  private seq = 0;
  private last: Position | undefined;
  private writer: LiveJournalWriter | undefined;
  private cutoff: Position | undefined;
  private skippedAtCutoff = 0;
  /** Number of the journal line at `engineJournalSize` (for messages). */
  private nextLineNo = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private takeoverTask: Promise<boolean> | undefined;
  private following = false;
  private lastFollowMs = Number.NEGATIVE_INFINITY;
  private readonly followIntervalMs: number;
  private fatal: unknown;
  private running = false;
  private errors = 0;

  /** Snapshots received from the feed, on any role. */
  feedSnapshots = 0;
  /** Snapshots the engine processed on this instance (journal replays excluded). */
  tradedSnapshots = 0;
  /** Journaled snapshots replayed into the current engine (at takeover or followed as STANDBY). */
  replayedEvents = 0;
  /** Latest snapshot per symbol (what a STANDBY keeps warm). */
  readonly latest = new Map<string, Snapshot>();

  /** Validates the options, the fixture and the feed settings (throws GrinderError). */
  constructor(
    private readonly ctx: TradingLoopContext,
    readonly config: LiveLoopConfig,
    private readonly deps: LiveLoopDeps = {},
  ) {
    this.paper = config.mode !== "read_only";
    this.liveTrade = config.mode === "live_trade";
    this.pollMs = config.trade?.pollMs ?? 1000;
    this.followIntervalMs = deps.followIntervalMs ?? 1000;
    this.engineOptions = liveEngineOptions(
      config.source.kind === "fixture" ? config.source.dir : undefined,
      config.configPath,
    );
    this.fingerprint = engineFingerprint(this.engineOptions, config.mode);
    prepareJournalLocation(config.journalPath);
    this.checkJournalHead();
    this.recorder = new LiveMetricsRecorder(ctx.metrics, this.engineOptions);
    this.connectorMetrics = deps.connectorMetrics ?? getConnectorMetrics();
    this.executor = this.liveTrade ? this.makeExecutor() : undefined;
    const observer = this.feedObserver();
    const sleep = deps.sleep ?? realSleep;
    this.feed =
      config.source.kind === "fixture"
        ? new FixtureReplayFeed({
            dir: config.source.dir,
            speed: config.speed,
            ...(config.filterFixtureSymbols ? { symbols: config.symbols } : {}),
            clock: ctx.clock,
            sleep,
            observer,
          })
        : new BinanceFeed({
            symbols: config.symbols,
            env: config.env,
            ...(deps.feedRetry !== undefined ? { retry: deps.feedRetry } : {}),
            ...(deps.connector !== undefined || config.wsUrl !== undefined
              ? {
                  connector: {
                    ...deps.connector,
                    ...(config.wsUrl !== undefined ? { url: config.wsUrl } : {}),
                  },
                }
              : {}),
            sleep,
            observer,
          });
    ctx.metrics.registry.addCollector(() => {
      ctx.metrics.setFeedConnected(this.feed.connected);
      ctx.metrics.setFeedReconnectsTotal(this.feed.reconnects);
    });
  }

  /** The exchange side of live_trade; refuses (ConfigError) when not armed. */
  private makeExecutor(): LiveTradeExecutor {
    const { config, deps } = this;
    const venue =
      deps.venue ??
      new BinanceTradeVenue({
        ...(config.restUrl !== undefined ? { restUrl: config.restUrl } : {}),
        env: config.env,
        confirmed: config.trade?.confirmed ?? false,
        ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
        connectorMetrics: this.connectorMetrics,
      });
    return new LiveTradeExecutor({
      venue,
      cancelStrays: config.trade?.cancelStrays ?? false,
      log: (l) => this.log(l),
      clock: this.ctx.clock,
    });
  }

  /** Refuse at start a journal that this engine cannot continue (its first session line). */
  private checkJournalHead(): void {
    const path = this.config.journalPath;
    let head: ReturnType<typeof readJournalHead>;
    try {
      head = readJournalHead(path);
    } catch (e) {
      throw new ConfigError(`journal ${errorMessage(e)}`);
    }
    if (head !== undefined && head.type === "session") this.checkSession(head, `${path}:1`);
  }

  private checkSession(line: JournalSessionLine, where: string): void {
    if (line.v !== JOURNAL_VERSION)
      throw new ConfigError(`${where}: journal version ${line.v}, expected ${JOURNAL_VERSION}`);
    if (line.mode !== this.config.mode || line.options_fingerprint !== this.fingerprint)
      throw new ConfigError(
        `${where}: the journal was written in mode ${line.mode} with engine options ` +
          `${line.options_fingerprint}; this run is mode ${this.config.mode} with options ` +
          `${this.fingerprint}. Continue it with the same mode and options, or start a new ` +
          "journal (--journal FILE, or move this one away)",
      );
  }

  private log(line: string): void {
    this.ctx.log(`  trading: ${line}`);
  }

  private feedObserver(): FeedObserver {
    return {
      onConnected: (detail) => this.log(`feed up: ${detail}`),
      onDisconnected: (detail) => this.log(`feed down: ${detail}`),
      onRetry: (reason: FeedRetryReason, error, attempt, delayMs) => {
        this.connectorMetrics.recordRetry("feed_connect", reason);
        this.log(`feed retry ${attempt} in ${delayMs} ms (${reason}: ${error})`);
      },
    };
  }

  /** Sequence number of the last journaled snapshot. */
  get journalSeq(): number {
    return this.seq;
  }

  /** True while this instance writes the journal (it trades). */
  get trading(): boolean {
    return this.writer !== undefined;
  }

  /** The engine's summary now (positions, PnL, guards), or undefined before the first takeover. */
  summary(): Record<string, unknown> | undefined {
    return this.engine?.finish(this.seq);
  }

  async start(signal: AbortSignal): Promise<void> {
    const { ctx, config } = this;
    const inner = this.inner;
    const onAbort = (): void => inner.abort(signal.reason);
    if (signal.aborted) inner.abort(signal.reason);
    else signal.addEventListener("abort", onAbort, { once: true });
    ctx.metrics.setUp(true);
    this.running = true;
    this.log(
      `${this.feed.description}, mode ${config.mode}, journal ${config.journalPath}, ` +
        `options ${this.fingerprint}${config.configPath ? ` (${config.configPath})` : ""}`,
    );
    for (const n of liveEngineNotes(this.engineOptions)) this.log(`note: ${n}`);
    if (!ctx.mayTrade()) this.log(`role ${ctx.role()}: following the feed, not trading`);
    const pollStop = new AbortController();
    let poller: Promise<void> | undefined;
    try {
      if (ctx.mayTrade()) void this.beginTakeover();
      if (this.liveTrade) poller = this.pollLoop(pollStop.signal);
      for await (const s of this.feed.snapshots(inner.signal)) {
        this.feedSnapshots++;
        ctx.metrics.recordFeedSnapshot();
        this.latest.set(s.symbol, s);
        if (!ctx.mayTrade()) {
          this.standDown();
          this.maybeFollow();
          continue;
        }
        if (this.writer === undefined || this.takeoverTask !== undefined) {
          // (A live_trade takeover writes its session line before reconciling: wait for it.)
          const ok = await this.beginTakeover();
          if (inner.signal.aborted) break;
          if (!ok) continue;
        }
        if (this.beforeCutoff(s)) continue;
        if (this.liveTrade) await this.exclusive(() => this.tradeLive(s));
        else this.trade(s);
      }
      if (this.fatal === undefined && !inner.signal.aborted) this.log("feed finished");
    } finally {
      signal.removeEventListener("abort", onAbort);
      this.running = false;
      pollStop.abort();
      if (this.takeoverTask !== undefined) await this.takeoverTask;
      await this.chain; // a STANDBY's journal follow in progress
      if (poller !== undefined) await poller;
      await this.exchangeChain;
      const summary = this.writer !== undefined && this.paper ? this.summary() : undefined;
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
          `journal at seq ${this.seq}`,
      );
    }
    if (this.fatal !== undefined) throw this.fatal;
  }

  onRoleChange(role: HaRole): void {
    if (!this.running) return;
    if (this.ctx.mayTrade()) {
      if (this.writer === undefined) void this.beginTakeover();
    } else {
      this.standDown(`role ${role}`);
    }
  }

  /** Stop writing (no longer allowed to trade); the engine is kept for a quick resume. */
  private standDown(why = `role ${this.ctx.role()}`): void {
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    w.close();
    this.log(`stopped trading (${why}); journal closed at seq ${this.seq}`);
  }

  /** At a clean stop of the writer: the summary line, then close. */
  private closeJournal(reason: string): void {
    const w = this.writer;
    if (w === undefined) return;
    this.writer = undefined;
    try {
      if (this.engine !== undefined && this.ctx.mayTrade()) {
        w.append(
          {
            type: "session_end",
            instance_id: this.config.instanceId,
            wall_ms: Math.trunc(this.ctx.clock()),
            last_seq: this.seq,
            reason,
            summary: asJournaled(this.engine.finish(this.seq)),
            ...(this.executor !== undefined ? { exchange_orders: this.executor.toJson() } : {}),
          },
          true,
        );
      }
    } finally {
      w.close();
    }
  }

  /** Run `fn` after every journal task started before it (takeovers and follows never overlap). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Start (or join) a takeover; resolves true when this instance writes the journal. */
  private beginTakeover(): Promise<boolean> {
    if (this.takeoverTask === undefined) {
      this.takeoverTask = this.serial(() => this.takeover())
        .catch((e: unknown) => {
          if (this.fatal === undefined) this.fatal = e;
          this.inner.abort(e);
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
    void this.serial(() => this.follow()).finally(() => {
      this.following = false;
    });
  }

  private async follow(): Promise<void> {
    if (this.ctx.mayTrade() || this.inner.signal.aborted) return;
    const path = this.config.journalPath;
    const size = journalSize(path);
    if (this.engine === undefined || size < this.engineJournalSize) this.resetEngine();
    try {
      await this.catchUp(path, size);
    } catch (e) {
      // Replayed in full at takeover, where a real problem stops the run.
      this.log(`following the journal stopped: ${errorMessage(e)}`);
      this.engine = undefined;
    }
  }

  /** A fresh engine at the start of the journal. */
  private resetEngine(): void {
    this.engine = createLiveEngine(this.engineOptions, !this.liveTrade);
    this.executor?.reset();
    this.engineSymbols.clear();
    this.engineJournalSize = 0;
    this.nextLineNo = 1;
    this.seq = 0;
    this.last = undefined;
    this.replayedEvents = 0;
    this.recorder.resetRisk();
  }

  private async takeover(): Promise<boolean> {
    const path = this.config.journalPath;
    const started = this.ctx.clock();
    const cut = repairJournalTail(path);
    if (cut > 0) this.log(`journal ${path}: removed a torn last line (${cut} bytes)`);
    let replayed = 0;
    for (let round = 0; ; round++) {
      if (round >= 3) throw new InvalidInputError(`journal ${path} keeps changing during takeover`);
      const size = journalSize(path);
      if (this.engine === undefined || size < this.engineJournalSize) this.resetEngine();
      let n: number | undefined;
      try {
        n = await this.catchUp(path, size);
      } catch (e) {
        if (this.engineJournalSize === 0 || replayed > 0) throw e;
        // The journal does not continue the state followed so far (replaced?): replay it all.
        this.log(
          `journal ${path} does not continue the followed state (${errorMessage(e)}); replaying it`,
        );
        this.resetEngine();
        n = await this.catchUp(path, size);
      }
      if (n === undefined) return false;
      replayed += n;
      if (journalSize(path) === size) break;
    }
    if (!this.ctx.mayTrade() || this.inner.signal.aborted) return false;
    const w = LiveJournalWriter.open(path);
    this.writer = w;
    this.append({
      type: "session",
      v: JOURNAL_VERSION,
      instance_id: this.config.instanceId,
      mode: this.config.mode,
      source: this.feed.description,
      options_fingerprint: this.fingerprint,
      wall_ms: Math.trunc(this.ctx.clock()),
      next_seq: this.seq + 1,
      ...(this.executor !== undefined ? { run_id: this.executor.ensureRunId() } : {}),
    });
    this.cutoff =
      this.last === undefined ? undefined : { ...this.last, symbols: new Set(this.last.symbols) };
    this.skippedAtCutoff = 0;
    if (this.executor !== undefined) {
      try {
        await this.exclusive(() => this.reconcileExchange());
      } catch (e) {
        throw new InvalidInputError(
          `reconciling with the exchange failed: ${errorMessage(e)}; not trading blind`,
        );
      }
      if (this.writer === undefined || this.inner.signal.aborted) return false;
    }
    this.ctx.metrics.recordTakeover();
    if (this.paper) this.recorder.publishRisk();
    const how =
      replayed > 0
        ? `replayed ${replayed} journal lines in ${Math.round(this.ctx.clock() - started)} ms`
        : this.seq === 0
          ? "new journal"
          : "nothing new in the journal";
    this.log(`trading from the journal's state (${how}); next seq ${this.seq + 1}`);
    this.deps.onTakeover?.({ seq: this.seq, replayed });
    return true;
  }

  /**
   * Apply the journal's complete lines from where the engine stands up to
   * byte `end`, checking each replayed output against the journaled one.
   * Returns the lines applied (undefined when the run was stopped meanwhile).
   */
  private async catchUp(path: string, end: number): Promise<number | undefined> {
    const chunk = this.deps.replayChunk ?? 2000;
    let n = 0;
    for (const e of readJournalRange(path, this.engineJournalSize, end, this.nextLineNo)) {
      this.applyJournalLine(e, `${path}:${e.lineNo}`);
      this.engineJournalSize = e.end;
      this.nextLineNo = e.lineNo + 1;
      if (++n % chunk === 0) {
        await yieldToEventLoop();
        if (this.inner.signal.aborted) return undefined;
      }
    }
    return n;
  }

  private applyJournalLine(e: JournalEntry, where: string): void {
    const engine = this.engine as LiveKernel;
    const line = e.line;
    if (line.type === "session") {
      this.checkSession(line, where);
      if (line.next_seq !== this.seq + 1)
        throw new InvalidInputError(
          `${where}: session starts at seq ${line.next_seq}, expected ${this.seq + 1}`,
        );
      this.executor?.setRunId(line.run_id, where);
      return;
    }
    if (line.type === "exchange") {
      this.applyExchangeLine(engine, line, where);
      return;
    }
    if (line.type === "session_end") {
      if (line.last_seq !== this.seq)
        throw new InvalidInputError(
          `${where}: session end at seq ${line.last_seq}, expected ${this.seq}`,
        );
      const summary = asJournaled(engine.finish(this.seq));
      if (!isDeepStrictEqual(summary, line.summary))
        throw new InvalidInputError(
          `${where}: replay diverged: engine summary differs from the journal's: ${firstDifference(summary, line.summary)}`,
        );
      return;
    }
    if (line.seq !== this.seq + 1)
      throw new InvalidInputError(`${where}: seq ${line.seq}, expected ${this.seq + 1}`);
    if (line.mode !== this.config.mode)
      throw new ConfigError(`${where}: a ${line.mode} line in a ${this.config.mode} run`);
    const snap = "snapshot" in e ? e.snapshot : undefined;
    if (snap === undefined) throw new InvalidInputError(`${where}: tick without snapshot`);
    const before = this.executor !== undefined ? engine.openOrders(snap.symbol) : [];
    const { out, error } = processSnapshot(engine, snap);
    this.engineSymbols.add(snap.symbol);
    if (this.executor !== undefined) {
      try {
        this.executor.observeTick(engine, snap.symbol, before);
      } catch (x) {
        throw new InvalidInputError(`${where}: ${errorMessage(x)}`);
      }
    }
    if (error !== undefined || line.error !== undefined) {
      if (error !== line.error)
        throw new InvalidInputError(
          `${where}: replay diverged: journal error ${JSON.stringify(line.error ?? null)}, ` +
            `replay error ${JSON.stringify(error ?? null)}`,
        );
    } else {
      const replayed = asJournaled(
        out === undefined ? null : this.paper ? out.json : decisionView(out.json),
      );
      if (!isDeepStrictEqual(replayed, line.output))
        throw new InvalidInputError(
          `${where}: replay diverged from the journal at seq ${line.seq}: ${firstDifference(replayed, line.output)}`,
        );
    }
    if (out !== undefined) this.recorder.replayed(out.json);
    this.seq = line.seq;
    this.last = advance(this.last, snap);
    this.replayedEvents++;
  }

  /** Append a line as the writer; the engine's journal position moves with it. */
  private append(line: JournalLine, sync = false): void {
    const w = this.writer as LiveJournalWriter;
    w.append(line, sync);
    this.engineJournalSize = w.size;
    this.nextLineNo++;
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

  private trade(s: Snapshot): void {
    const { out, error } = processSnapshot(this.engine as LiveKernel, s);
    this.recordTick(s, out, error, this.paper && out !== undefined && fillCountOf(out.json) > 0);
  }

  /** Journal a processed snapshot (synced when `sync`), then metrics, log and hooks. */
  private recordTick(
    s: Snapshot,
    out: TickOutput | undefined,
    error: string | undefined,
    sync: boolean,
  ): void {
    const seq = this.seq + 1;
    const output = out === undefined ? null : this.paper ? out.json : decisionView(out.json);
    this.append(
      {
        type: "tick",
        seq,
        wall_ms: Math.trunc(this.ctx.clock()),
        mode: this.config.mode,
        executed: this.paper,
        snapshot: s.toDict(),
        output,
        ...(error !== undefined ? { error } : {}),
      },
      sync,
    );
    this.seq = seq;
    this.last = advance(this.last, s);
    this.engineSymbols.add(s.symbol);
    this.tradedSnapshots++;
    const wasTripped = this.recorder.riskState.killSwitchTriggered;
    // live_trade counts orders and fills from what the exchange did (exchange lines).
    this.recorder.traded(out?.json, this.paper, !this.liveTrade);
    if (!wasTripped && this.recorder.riskState.killSwitchTriggered && this.paper)
      this.log(`kill switch tripped at seq ${seq} (ts ${s.ts}, ${s.symbol}): trading halted`);
    if (error !== undefined) {
      this.errors++;
      if (this.errors <= 10 || this.errors % 1000 === 0)
        this.log(`engine error at seq ${seq} (ts ${s.ts}, ${s.symbol}): ${error}`);
    }
    this.deps.onTick?.({ seq, snapshot: s, output: out, error, executed: this.paper });
  }

  // --- live_trade ---

  /** Run `fn` after every tick or poll started before it (exchange calls never interleave). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exchangeChain.then(fn);
    this.exchangeChain = run.catch(() => undefined);
    return run;
  }

  /** True while this instance may talk to the exchange for the journal it writes. */
  private get exchangeLive(): boolean {
    return this.writer !== undefined && this.ctx.mayTrade() && !this.inner.signal.aborted;
  }

  /**
   * One snapshot in live_trade: a fill poll first when one is due, then the
   * engine; the tick line (synced when it has actions) before its actions
   * go to the exchange (write-ahead), then the exchange line.
   */
  private async tradeLive(s: Snapshot): Promise<void> {
    if (!this.exchangeLive) return;
    if (this.ctx.clock() - this.lastPollMs >= this.pollMs) {
      await this.pollNow();
      if (!this.exchangeLive) return;
    }
    const engine = this.engine as LiveKernel;
    const executor = this.executor as LiveTradeExecutor;
    const before = engine.openOrders(s.symbol);
    const { out, error } = processSnapshot(engine, s);
    let intents: TradeIntent[];
    try {
      intents = executor.observeTick(engine, s.symbol, before);
    } catch (e) {
      throw new InvalidInputError(`seq ${this.seq + 1}: ${errorMessage(e)}`);
    }
    this.recordTick(s, out, error, intents.length > 0);
    if (intents.length === 0) return;
    if (!this.exchangeLive) {
      // Stood down meanwhile: the next ACTIVE places them (reconcile finds them pending).
      this.dropEngine("stood down before sending a tick's orders");
      return;
    }
    const events: JournalExchangeEvent[] = [];
    try {
      await executor.execute(
        engine,
        intents,
        s.ts,
        this.recorder.riskState.killSwitchTriggered,
        events,
      );
    } finally {
      this.journalExchange("tick", events);
    }
  }

  /** Poll the exchange for fills now (inside `exclusive`). */
  private async pollNow(): Promise<void> {
    const engine = this.engine;
    const executor = this.executor;
    if (engine === undefined || executor === undefined || !this.exchangeLive) return;
    this.lastPollMs = this.ctx.clock();
    const events: JournalExchangeEvent[] = [];
    try {
      await executor.poll(engine, events);
    } finally {
      this.journalExchange("poll", events);
    }
  }

  /** Every `pollMs`, a fill poll unless a tick just made one. */
  private async pollLoop(signal: AbortSignal): Promise<void> {
    const sleep = this.deps.pollSleep ?? realSleep;
    for (;;) {
      try {
        await sleep(this.pollMs, signal);
      } catch {
        return;
      }
      if (signal.aborted) return;
      if (!this.exchangeLive || this.engine === undefined) continue;
      try {
        await this.exclusive(async () => {
          if (this.ctx.clock() - this.lastPollMs >= this.pollMs) await this.pollNow();
        });
      } catch (e) {
        if (this.fatal === undefined) this.fatal = e;
        this.inner.abort(e);
        return;
      }
    }
  }

  /** At a takeover, after the journal replay: match the exchange with the engine's orders. */
  private async reconcileExchange(): Promise<void> {
    const engine = this.engine as LiveKernel;
    const executor = this.executor as LiveTradeExecutor;
    const symbols = new Set(this.engineSymbols);
    if (this.config.source.kind === "binance" || this.config.filterFixtureSymbols)
      for (const sym of this.config.symbols) symbols.add(sym);
    const tracked = executor.tracked().length;
    this.log(
      `reconciling with the exchange: ${tracked} tracked order${tracked === 1 ? "" : "s"}, ` +
        `symbols ${symbols.size > 0 ? [...symbols].sort().join(",") : "none yet"}` +
        `${this.config.trade?.cancelStrays ? ", cancelling strays" : ""}`,
    );
    const events: JournalExchangeEvent[] = [];
    try {
      await executor.reconcile(
        engine,
        [...symbols],
        this.recorder.riskState.killSwitchTriggered,
        events,
      );
    } finally {
      this.journalExchange("reconcile", events);
    }
    this.lastPollMs = this.ctx.clock();
    const expected = executor.expectedOnExchange().length;
    this.log(
      `reconciled: ${describeEvents(events) || "nothing to do"}; ` +
        `${expected} order${expected === 1 ? "" : "s"} of the engine on the exchange`,
    );
  }

  /** Journal (synced) what the exchange did; metrics follow. */
  private journalExchange(
    cause: JournalExchangeLine["cause"],
    events: JournalExchangeEvent[],
  ): void {
    if (events.length === 0) return;
    if (this.writer === undefined) {
      // The engine moved on without the journal: it must not trade on from here.
      this.dropEngine(`stood down before journaling ${events.length} exchange events`);
      return;
    }
    this.append(
      {
        type: "exchange",
        seq: this.seq,
        wall_ms: Math.trunc(this.ctx.clock()),
        cause,
        events,
      },
      true,
    );
    let placed = 0;
    let fills = 0;
    for (const e of events) {
      if (e.event === "placed") placed++;
      else if (e.event === "filled") fills++;
    }
    this.recorder.exchangeActivity(placed, fills);
  }

  /** Forget the engine (its state is ahead of the journal): the next takeover replays. */
  private dropEngine(why: string): void {
    this.log(`${why}; the next takeover rebuilds the state from the journal and the exchange`);
    this.engine = undefined;
    this.engineJournalSize = -1;
  }

  /** Replay an exchange line: its events, in order, on the engine and the tracker. */
  private applyExchangeLine(engine: LiveKernel, line: JournalExchangeLine, where: string): void {
    const executor = this.executor;
    if (executor === undefined)
      throw new InvalidInputError(`${where}: an exchange line in a ${this.config.mode} journal`);
    if (line.seq !== this.seq)
      throw new InvalidInputError(
        `${where}: exchange line at seq ${line.seq}, expected ${this.seq}`,
      );
    for (const ev of line.events) {
      try {
        executor.applyEvent(engine, ev);
      } catch (e) {
        throw new InvalidInputError(
          `${where}: replay of exchange event ${ev.event} ${ev.client_order_id} failed: ${errorMessage(e)}`,
        );
      }
    }
  }
}

/** Process one snapshot; an engine error is returned, not thrown. */
function processSnapshot(
  engine: LiveKernel,
  s: Snapshot,
): { readonly out: TickOutput | undefined; readonly error: string | undefined } {
  try {
    return { out: engine.processEvent(s), error: undefined };
  } catch (e) {
    return { out: undefined, error: errorMessage(e) };
  }
}

/** One log line with the positions and PnL of an engine summary. */
export function summaryLine(summary: Readonly<Record<string, unknown>>): string {
  const positions = summary.final_positions;
  const parts: string[] = [];
  if (typeof positions === "object" && positions !== null) {
    for (const [sym, p] of Object.entries(positions as Record<string, Obj>))
      parts.push(`${sym} ${String(p.quantity)} @ ${String(p.avg_entry_price)}`);
  }
  return (
    `positions: ${parts.length > 0 ? parts.join(", ") : "none"}; ` +
    `realized PnL ${String(summary.total_realized_pnl)}, ` +
    `unrealized PnL ${String(summary.total_unrealized_pnl)}, ` +
    `fills ${String(summary.total_fills)}, ` +
    `kill switch ${summary.kill_switch_triggered === true ? "TRIPPED" : "off"}`
  );
}

/** The loop factory `grinder live` uses. */
export function liveTradingLoopFactory(
  config: LiveLoopConfig,
  deps: LiveLoopDeps = {},
): (ctx: TradingLoopContext) => LiveTradingLoop {
  return (ctx) => new LiveTradingLoop(ctx, config, deps);
}
