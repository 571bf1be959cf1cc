/**
 * BinanceWsConnector: live L1 market data from Binance bookTicker streams
 * (spot or USD-M futures) as a DataConnector of Snapshots.
 *
 * - subscribes with SUBSCRIBE messages (batched, under the message rate cap)
 *   and subscribes again after every reconnect;
 * - accepts raw and combined-stream ({stream, data}) payloads;
 * - skips duplicates (update id not above the last one for the symbol);
 * - reconnects with exponential backoff when the connection drops, goes
 *   silent for longer than the read timeout, or stops answering pings;
 * - reconnects on its own before Binance's 24 h connection limit;
 * - counts malformed frames and carries on.
 */

import type { RandomSource } from "../../core/backoff.js";
import type { Clock, Sleep } from "../../core/clock.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { realSleep, systemClock } from "../../net/clock.js";
import { ConnectorState } from "../../net/connector-state.js";
import { ConnectorClosedError } from "../../net/errors/connector-closed-error.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { systemRandom } from "../../net/random.js";
import { makeRetryConfig, type RetryConfig } from "../../net/retry-config.js";
import { retryDelayMs } from "../../net/retry-policy.js";
import { makeTimeoutConfig, type TimeoutConfig } from "../../net/timeout-config.js";
import { WsConnection } from "../../net/ws-connection.js";
import { type BinanceMarket, type Env, resolveWsUrl } from "../../venues/binance/binance-urls.js";
import { SendRateLimiter } from "../../venues/common/send-rate-limiter.js";
import type { DataConnector } from "../data-connector.js";
import { bookTickerStream, bookTickerToSnapshot, parseBinanceWsMessage } from "./book-ticker.js";

export interface BinanceWsConnectorOptions {
  readonly symbols: readonly string[];
  readonly market?: BinanceMarket;
  /** Stream endpoint; default env GRINDER_BINANCE_WS_URL, else the market's testnet. */
  readonly url?: string;
  readonly env?: Env;
  /** Production market data is read-only, but still needs this opt-in. */
  readonly allowMainnetMarketData?: boolean;
  readonly timeouts?: Partial<TimeoutConfig>;
  /** Reconnect backoff; maxRetries = attempts per outage before the stream fails. */
  readonly reconnect?: Partial<RetryConfig>;
  /** Client ping interval (0 = off). Default 30 s. */
  readonly pingIntervalMs?: number;
  /** Missing pong deadline. Default 10 s. */
  readonly pongTimeoutMs?: number;
  /** Reconnect proactively after this long (Binance drops connections at 24 h). Default 23 h. */
  readonly maxConnectionAgeMs?: number;
  /** Streams per SUBSCRIBE message. Default 100. */
  readonly streamsPerSubscribe?: number;
  /** SUBSCRIBE messages per second. Default 4 on spot (limit 5), 8 on futures (limit 10). */
  readonly maxMessagesPerSecond?: number;
  /** Snapshot ts: "event" uses the futures event time E when present, else receive time. */
  readonly timestampSource?: "event" | "receive";
  /** Consecutive non-increasing update ids after which a symbol's sequence is taken as reset. */
  readonly updateIdResetAfter?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** Jitter source of the reconnect backoff (default systemRandom). */
  readonly random?: RandomSource;
}

export interface BinanceWsStats {
  messagesReceived: number;
  snapshotsYielded: number;
  duplicatesSkipped: number;
  malformedMessages: number;
  ignoredMessages: number;
  subscribeMessagesSent: number;
  subscribeReplies: number;
  subscribeErrors: number;
  connects: number;
  connectFailures: number;
  reconnects: number;
  proactiveReconnects: number;
  disconnects: number;
  readTimeouts: number;
  pongTimeouts: number;
  pingsReceived: number;
  pongsReceived: number;
  updateIdResets: number;
  lastMessageTs: number;
  /** Most recent problems (bounded). */
  errors: string[];
}

const MAX_STREAMS: Record<BinanceMarket, number> = { spot: 1024, usdm: 200 };
const MAX_ERRORS_KEPT = 50;

function freshStats(): BinanceWsStats {
  return {
    messagesReceived: 0,
    snapshotsYielded: 0,
    duplicatesSkipped: 0,
    malformedMessages: 0,
    ignoredMessages: 0,
    subscribeMessagesSent: 0,
    subscribeReplies: 0,
    subscribeErrors: 0,
    connects: 0,
    connectFailures: 0,
    reconnects: 0,
    proactiveReconnects: 0,
    disconnects: 0,
    readTimeouts: 0,
    pongTimeouts: 0,
    pingsReceived: 0,
    pongsReceived: 0,
    updateIdResets: 0,
    lastMessageTs: 0,
    errors: [],
  };
}

export class BinanceWsConnector implements DataConnector {
  readonly url: string;
  readonly market: BinanceMarket;
  readonly symbols: readonly string[];
  private readonly timeouts: TimeoutConfig;
  private readonly retry: RetryConfig;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly maxConnectionAgeMs: number;
  private readonly streamsPerSubscribe: number;
  private readonly timestampSource: "event" | "receive";
  private readonly updateIdResetAfter: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly limiter: SendRateLimiter;

  private stateValue: ConnectorState = ConnectorState.DISCONNECTED;
  private conn: WsConnection | undefined;
  private lastTs: number | undefined;
  private readonly lastUpdateId = new Map<string, number>();
  private readonly staleRun = new Map<string, number>();
  private readonly lastTsBySymbol = new Map<string, number>();
  private outageAttempts = 0;
  private nextRequestId = 1;
  private statsValue = freshStats();
  private readonly closing = new AbortController();

  constructor(options: BinanceWsConnectorOptions) {
    this.market = options.market ?? "spot";
    const problems: string[] = [];
    if (options.symbols.length === 0) problems.push("symbols: at least one symbol is required");
    if (options.symbols.length > MAX_STREAMS[this.market])
      problems.push(
        `symbols: ${options.symbols.length} streams exceed the ${this.market} limit of ${MAX_STREAMS[this.market]} per connection`,
      );
    for (const s of options.symbols)
      if (!/^[A-Za-z0-9]{2,30}$/.test(s))
        problems.push(`symbols: invalid symbol ${JSON.stringify(s)}`);
    if (problems.length > 0) throw new ConfigError(problems.join("; "));
    this.symbols = [...new Set(options.symbols.map((s) => s.toUpperCase()))];
    this.url = resolveWsUrl(
      this.market,
      options.url,
      options.env ?? {},
      options.allowMainnetMarketData ?? false,
    );
    this.timeouts = makeTimeoutConfig(options.timeouts);
    this.retry = makeRetryConfig(options.reconnect);
    this.pingIntervalMs = options.pingIntervalMs ?? 30_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    this.maxConnectionAgeMs = options.maxConnectionAgeMs ?? 23 * 3_600_000;
    this.streamsPerSubscribe = options.streamsPerSubscribe ?? 100;
    this.timestampSource = options.timestampSource ?? "event";
    this.updateIdResetAfter = options.updateIdResetAfter ?? 50;
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? systemRandom;
    this.limiter = new SendRateLimiter(
      options.maxMessagesPerSecond ?? (this.market === "spot" ? 4 : 8),
      1000,
      this.clock,
      this.sleep,
    );
  }

  get state(): ConnectorState {
    return this.stateValue;
  }

  get lastSeenTs(): number | undefined {
    return this.lastTs;
  }

  get stats(): BinanceWsStats {
    return this.statsValue;
  }

  async connect(): Promise<void> {
    if (this.isClosed()) throw new ConnectorClosedError("connect");
    if (this.stateValue === ConnectorState.CONNECTED) return;
    this.stateValue = ConnectorState.CONNECTING;
    try {
      await this.openAndSubscribe();
      this.stateValue = ConnectorState.CONNECTED;
    } catch (e) {
      if (!this.isClosed()) this.stateValue = ConnectorState.DISCONNECTED;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.isClosed()) return;
    this.stateValue = ConnectorState.CLOSED;
    this.closing.abort(new ConnectorClosedError("close"));
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) await conn.close(this.timeouts.closeTimeoutMs);
  }

  /** Drop the current connection and connect again (backoff on failures). */
  async reconnect(): Promise<void> {
    if (this.isClosed()) throw new ConnectorClosedError("reconnect");
    await this.reconnectWithBackoff("requested");
  }

  async *iterSnapshots(): AsyncGenerator<Snapshot> {
    if (this.isClosed()) throw new ConnectorClosedError("iterate");
    if (this.stateValue !== ConnectorState.CONNECTED || this.conn === undefined)
      throw new ConnectorNonRetryableError(`Not connected (state=${this.stateValue})`);
    for (;;) {
      if (this.isClosed()) return;
      const conn = this.conn;
      if (conn === undefined) {
        await this.reconnectWithBackoff("no connection");
        continue;
      }
      const ev = await conn.recv(this.timeouts.readTimeoutMs);
      if (this.isClosed()) return;
      switch (ev.kind) {
        case "message": {
          const snapshot = this.handleText(ev.text);
          if (snapshot !== undefined) yield snapshot;
          break;
        }
        case "binary":
          this.statsValue.messagesReceived += 1;
          this.malformed(`binary frame of ${ev.size} bytes`);
          break;
        case "timeout":
          this.statsValue.readTimeouts += 1;
          this.note(`no message for ${this.timeouts.readTimeoutMs}ms (read timeout)`);
          await this.reconnectWithBackoff("read timeout");
          break;
        case "pongTimeout":
          this.statsValue.pongTimeouts += 1;
          this.note(`no pong within ${this.pongTimeoutMs}ms`);
          await this.reconnectWithBackoff("pong timeout");
          break;
        case "expired":
          this.statsValue.proactiveReconnects += 1;
          this.outageAttempts = 0;
          await this.reconnectWithBackoff("connection age limit");
          break;
        case "closed":
          this.statsValue.disconnects += 1;
          this.note(
            `connection closed by peer (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`,
          );
          await this.reconnectWithBackoff("disconnected");
          break;
      }
    }
  }

  private isClosed(): boolean {
    return this.stateValue === ConnectorState.CLOSED;
  }

  private handleText(text: string): Snapshot | undefined {
    this.statsValue.messagesReceived += 1;
    const m = parseBinanceWsMessage(text);
    switch (m.kind) {
      case "malformed":
        this.malformed(m.error);
        return undefined;
      case "ignored":
        this.statsValue.ignoredMessages += 1;
        return undefined;
      case "subscribeReply":
        this.statsValue.subscribeReplies += 1;
        return undefined;
      case "subscribeError":
        this.statsValue.subscribeErrors += 1;
        this.note(`subscribe error (id ${String(m.id)}, code ${String(m.code)}): ${m.msg}`);
        return undefined;
      case "bookTicker":
        break;
    }
    const t = m.ticker;
    if (t.updateId !== undefined) {
      const last = this.lastUpdateId.get(t.symbol);
      if (last !== undefined && t.updateId <= last) {
        const run = (this.staleRun.get(t.symbol) ?? 0) + 1;
        if (run < this.updateIdResetAfter) {
          this.staleRun.set(t.symbol, run);
          this.statsValue.duplicatesSkipped += 1;
          return undefined;
        }
        // The exchange restarted its sequence (testnet resets): follow it.
        this.statsValue.updateIdResets += 1;
      }
      this.staleRun.delete(t.symbol);
      this.lastUpdateId.set(t.symbol, t.updateId);
    }
    const raw =
      this.timestampSource === "event" && t.eventTime !== undefined
        ? t.eventTime
        : this.clock.nowMs();
    const ts = Math.max(raw, this.lastTsBySymbol.get(t.symbol) ?? raw);
    this.lastTsBySymbol.set(t.symbol, ts);
    this.lastTs = this.lastTs === undefined ? ts : Math.max(this.lastTs, ts);
    this.statsValue.snapshotsYielded += 1;
    this.statsValue.lastMessageTs = ts;
    this.outageAttempts = 0;
    return bookTickerToSnapshot(t, ts);
  }

  private malformed(detail: string): void {
    this.statsValue.malformedMessages += 1;
    this.note(`malformed message: ${detail}`);
  }

  private note(msg: string): void {
    const errors = this.statsValue.errors;
    errors.push(msg);
    if (errors.length > MAX_ERRORS_KEPT) errors.splice(0, errors.length - MAX_ERRORS_KEPT);
  }

  private async openAndSubscribe(): Promise<void> {
    const conn = await WsConnection.open(this.url, {
      connectTimeoutMs: this.timeouts.connectTimeoutMs,
      pingIntervalMs: this.pingIntervalMs,
      pongTimeoutMs: this.pongTimeoutMs,
      maxAgeMs: this.maxConnectionAgeMs,
      signal: this.closing.signal,
    }).catch((e: unknown) => {
      this.statsValue.connectFailures += 1;
      throw e;
    });
    if (this.isClosed()) {
      conn.terminate();
      throw new ConnectorClosedError("connect");
    }
    try {
      const streams = this.symbols.map(bookTickerStream);
      for (let i = 0; i < streams.length; i += this.streamsPerSubscribe) {
        await this.limiter.acquire(this.closing.signal);
        const msg = JSON.stringify({
          method: "SUBSCRIBE",
          params: streams.slice(i, i + this.streamsPerSubscribe),
          id: this.nextRequestId++,
        });
        await conn.send(msg, this.timeouts.writeTimeoutMs);
        this.statsValue.subscribeMessagesSent += 1;
      }
    } catch (e) {
      this.statsValue.connectFailures += 1;
      conn.terminate();
      if (this.isClosed()) throw new ConnectorClosedError("connect");
      throw e;
    }
    this.conn = conn;
    this.statsValue.connects += 1;
  }

  private retire(conn: WsConnection | undefined): void {
    if (conn === undefined) return;
    this.statsValue.pingsReceived += conn.pingsReceived;
    this.statsValue.pongsReceived += conn.pongsReceived;
    conn.terminate();
  }

  /**
   * Replace the connection. Attempt k of an outage (k counted since the last
   * delivered snapshot) waits retryDelayMs(k - 1) first; after
   * `maxRetries` attempts the stream fails with ConnectorTransientError.
   */
  private async reconnectWithBackoff(reason: string): Promise<void> {
    this.retire(this.conn);
    this.conn = undefined;
    this.stateValue = ConnectorState.RECONNECTING;
    this.statsValue.reconnects += 1;
    let lastError = reason;
    while (!this.isClosed()) {
      if (this.outageAttempts >= this.retry.maxRetries) {
        this.stateValue = ConnectorState.DISCONNECTED;
        throw new ConnectorTransientError(
          `Max reconnect attempts (${this.retry.maxRetries}) exceeded; last error: ${lastError}`,
        );
      }
      const delay =
        this.outageAttempts === 0
          ? 0
          : retryDelayMs(this.retry, this.outageAttempts - 1, this.random);
      this.outageAttempts += 1;
      if (delay > 0) {
        try {
          await this.sleep(delay, this.closing.signal);
        } catch {
          return;
        }
      }
      try {
        await this.openAndSubscribe();
        if (!this.isClosed()) this.stateValue = ConnectorState.CONNECTED;
        return;
      } catch (e) {
        if (this.isClosed()) return;
        lastError = errorMessage(e);
        this.note(`reconnect attempt ${this.outageAttempts} failed: ${lastError}`);
      }
    }
  }

  /** Ping/pong counters including the live connection. */
  get pingCounters(): { pingsReceived: number; pongsReceived: number } {
    return {
      pingsReceived: this.statsValue.pingsReceived + (this.conn?.pingsReceived ?? 0),
      pongsReceived: this.statsValue.pongsReceived + (this.conn?.pongsReceived ?? 0),
    };
  }
}
