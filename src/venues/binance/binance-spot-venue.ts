/**
 * BinanceSpotVenue: the kernel's venue on Binance spot (REST, testnet by
 * default, production refused), with the account's user data stream
 * (WebSocket API) when configured. Commands become signed requests; what the
 * exchange did comes back as order events, in causal order per order
 * (accepted, then fills, then canceled or expired), to one listener.
 *
 * - submit: checked against the exchange's filters (exchangeInfo, read before
 *   the first order and again after a -1013), then LIMIT GTC under a client
 *   order id `<prefix>-e<epoch>-<hash>` (`client-order-id.ts`: the journal's
 *   run id, the kernel's id, the HA fencing epoch of `useEpoch`). The reply
 *   gives OrderAccepted (the exchange's orderId as venueOrderId) and, when
 *   the placement traded at once, one OrderFilled per listed fill (price,
 *   qty, commission and its asset, taker, tradeId); a refusal gives
 *   OrderRejected with Binance's code and message. A reply that never comes
 *   is resolved by querying the id; when even that fails the order stays
 *   pending and `sync` settles it.
 * - cancel: the executions the cancel reply shows beyond what was booked,
 *   trade by trade from the account's trade list, then OrderCanceled. Too
 *   late (FILLED) or impossible: OrderCancelRejected (after the fills). An id
 *   the venue never saw: OrderCancelRejected.
 * - user data stream (`spot-user-stream.ts`): each executionReport is kept
 *   until the next `sync` (the runtime's exchange step, so the journal sees
 *   it where the kernel does) and booked then: every trade as it happened
 *   (L, l, n, N, m, t), cancels, expiries, rejects.
 * - sync (the runtime calls it when the stream pushed something, on a poll
 *   interval and after a (re)start): applies the stream's reports; then the
 *   REST backstop (always without a stream; with one after each
 *   (re)subscription, every `backstopMs`, and while an outcome is unknown):
 *   lists the open orders of every symbol with live orders, queries the ones
 *   that vanished, books every execution not yet booked from the account's
 *   trade list (`GET /api/v3/myTrades`), reports orders gone; a pending
 *   order the exchange does not know is sent now, with the same client id.
 *
 * Nothing is booked twice: a trade once per trade id, and never beyond the
 * executed quantity the exchange shows (`spot-order-tracker.ts`), both
 * rebuilt from the journal. Every write passes the WriteGate (armed, kill
 * switch, whitelist), a circuit breaker and the retry policy (transient
 * errors, backoff with jitter, never sooner than a 429's Retry-After; a 418
 * stops every write). Keys come from the environment only and are never
 * logged.
 */

import type { BackoffOptions, RandomSource } from "../../core/backoff.js";
import type { Clock, Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import type {
  CancelOrder,
  OrderCommand,
  OrderEvent,
  SubmitOrder,
  VenueEvent,
} from "../../domain/orders.js";
import type { OrderEventListener, Venue, VenueOrder } from "../../domain/venue.js";
import { CircuitBreaker, type CircuitBreakerConfig } from "../../net/circuit-breaker.js";
import { realSleep, systemClock } from "../../net/clock.js";
import { type ConnectorMetrics, getConnectorMetrics } from "../../net/connector-metrics.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import { isOrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import type { HttpClient } from "../../net/http-client.js";
import { systemRandom } from "../../net/random.js";
import { makeRetryPolicy, type RetryPolicy } from "../../net/retry-policy.js";
import { guardedWrite, type WriteFence } from "../common/write-fence.js";
import { WriteGate } from "../common/write-gate.js";
import {
  BINANCE_CODE_CANCEL_REJECTED,
  BINANCE_CODE_FILTER_FAILURE,
} from "./binance-error-mapping.js";
import {
  type BinanceOrder,
  type BinanceTrade,
  OPEN_ORDER_STATUSES,
} from "./binance-order-reply.js";
import { BinanceRestClient } from "./binance-rest-client.js";
import type { Env } from "./binance-urls.js";
import {
  assertClientOrderIdPrefix,
  assertEpoch,
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
  exchangeClientOrderId,
  isOurClientOrderId,
} from "./client-order-id.js";
import { checkEnvGuards } from "./smoke-testnet.js";
import { filterProblem } from "./spot-filters.js";
import {
  type ExchangeTrade,
  SpotOrderTracker,
  sameScale,
  type TrackedOrder,
} from "./spot-order-tracker.js";
import type { AccountBalance, ExecutionReport, UserFrame } from "./spot-user-frames.js";
import { SpotUserStream } from "./spot-user-stream.js";

/** Order of numeric exchange ids (decimal text of any length). */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface BinanceSpotVenueOptions {
  /** REST base URL, resolved and guarded (undefined: GRINDER_BINANCE_REST_URL, else the testnet). */
  readonly restUrl?: string;
  /** Environment: keys (BINANCE_API_KEY, BINANCE_API_SECRET) and arming (ARMED, ALLOW_TESTNET_TRADE). */
  readonly env: Env;
  /** --confirm TESTNET was given. */
  readonly confirmed: boolean;
  /** Run id of the journal (client order ids derive from it); `useRunId` may set it later. */
  readonly runId?: string;
  readonly clientOrderIdPrefix?: string;
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly connectorMetrics?: ConnectorMetrics;
  readonly retryPolicy?: RetryPolicy;
  /** Jitter source of the retry backoff (default systemRandom). */
  readonly random?: RandomSource;
  readonly breaker?: Partial<CircuitBreakerConfig>;
  readonly timeoutMs?: number;
  /** Wait before querying an order whose write outcome is unknown (default 1000 ms). */
  readonly unknownStatusQueryDelayMs?: number;
  /** Notable trouble (a failed query or listing), one line each. */
  readonly log?: (line: string) => void;
  /**
   * The account's user data stream (WebSocket API): order updates pushed as
   * they happen; the REST sync becomes a backstop run after every
   * (re)subscription and every `backstopMs`. Undefined: REST polling only.
   */
  readonly userStream?: UserStreamSettings;
}

export interface UserStreamSettings {
  /** WS API URL (undefined: GRINDER_BINANCE_WS_API_URL, else the spot testnet). */
  readonly url?: string;
  /** The REST backstop's interval while the stream is up (default 30000 ms). */
  readonly backstopMs?: number;
  readonly backoff?: BackoffOptions;
  readonly subscribeTimeoutMs?: number;
}

/** Execution reports held until the next sync; beyond, they are dropped and the backstop runs. */
const INBOX_LIMIT = 10_000;

/**
 * Why live_trade may not start, or undefined when it is armed: `--confirm
 * TESTNET`, ARMED=1, ALLOW_TESTNET_TRADE=1 and both keys, as for the smoke test.
 */
export function liveTradeArmingProblem(env: Env, confirmed: boolean): string | undefined {
  const reason = !confirmed ? "--confirm TESTNET not given" : checkEnvGuards(env);
  if (reason === undefined) return undefined;
  return (
    `live_trade is not armed: ${reason}. Real orders need --confirm TESTNET, ARMED=1, ` +
    "ALLOW_TESTNET_TRADE=1, BINANCE_API_KEY and BINANCE_API_SECRET"
  );
}

/** An open order on the exchange that the venue does not hold for the kernel. */
export interface UntrackedOrder {
  readonly symbol: string;
  readonly exchangeClientOrderId: string;
  /** Carries our client order id prefix (a stray of ours), else foreign. */
  readonly ours: boolean;
}

export interface SyncOptions {
  /** Also list these symbols (their untracked open orders are reported). */
  readonly symbols?: readonly string[];
  /** A listing that fails throws (at a restart: no trading blind); else it is logged and skipped. */
  readonly strict?: boolean;
}

export interface SyncReport {
  /** Open orders of the listed symbols that the venue does not hold, by symbol then id. */
  readonly untracked: readonly UntrackedOrder[];
}

/** The venue's view of one tracked order (for journals and logs). */
export interface TrackedOrderView {
  readonly clientOrderId: string;
  readonly exchangeClientOrderId: string;
  readonly symbol: string;
  readonly state: string;
  readonly executed: string;
}

const NO_LISTENER: OrderEventListener = () => {
  throw new Error("BinanceSpotVenue: no listener set");
};

export class BinanceSpotVenue implements Venue {
  readonly name = "binance-spot";
  readonly description: string;
  readonly client: BinanceRestClient;
  readonly gate: WriteGate;
  private tracker: SpotOrderTracker;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly retryPolicy: RetryPolicy;
  private readonly random: RandomSource;
  private readonly breaker: CircuitBreaker;
  private readonly metrics: ConnectorMetrics;
  private readonly log: (line: string) => void;
  private runIdValue: string | undefined;
  private readonly stream: SpotUserStream | undefined;
  private readonly backstopMs: number;
  /** Execution reports received, applied at the next sync (inside the loop's exchange step). */
  private inbox: ExecutionReport[] = [];
  private backstopDue = true;
  private lastBackstopMs = Number.NEGATIVE_INFINITY;
  private wake: () => void = () => {};
  private readonly balanceMap = new Map<string, AccountBalance>();
  /** The exchange's filters (exchangeInfo), fetched before the first order and after a -1013. */
  private filters: ReadonlyMap<string, InstrumentSpec> | undefined;
  private filtersStale = true;
  /** HA fencing epoch of the ids of orders submitted from now on (0: not under HA). */
  private epoch = 0;
  private emit: OrderEventListener = NO_LISTENER;
  private fence: WriteFence | undefined;

  /** Refuses (ConfigError) unless armed; the URL is guarded by the REST client. */
  constructor(o: BinanceSpotVenueOptions) {
    const problem = liveTradeArmingProblem(o.env, o.confirmed);
    if (problem !== undefined) throw new ConfigError(problem);
    this.prefix = o.clientOrderIdPrefix ?? DEFAULT_CLIENT_ORDER_ID_PREFIX;
    assertClientOrderIdPrefix(this.prefix);
    this.clock = o.clock ?? systemClock;
    this.sleep = o.sleep ?? realSleep;
    this.metrics = o.connectorMetrics ?? getConnectorMetrics();
    this.log = o.log ?? (() => {});
    this.retryPolicy = o.retryPolicy ?? makeRetryPolicy({ maxAttempts: 3 });
    this.random = o.random ?? systemRandom;
    this.breaker = new CircuitBreaker(o.breaker ?? {}, {
      clock: this.clock,
      metrics: this.metrics,
    });
    try {
      this.client = new BinanceRestClient({
        market: "spot",
        ...(o.restUrl !== undefined ? { baseUrl: o.restUrl } : {}),
        env: o.env,
        apiKey: o.env.BINANCE_API_KEY ?? "",
        apiSecret: o.env.BINANCE_API_SECRET ?? "",
        clock: this.clock,
        sleep: this.sleep,
        ...(o.httpClient !== undefined ? { httpClient: o.httpClient } : {}),
        ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
        ...(o.unknownStatusQueryDelayMs !== undefined
          ? { unknownStatusQueryDelayMs: o.unknownStatusQueryDelayMs }
          : {}),
      });
    } catch (e) {
      throw new ConfigError(`live_trade: ${errorMessage(e)}`);
    }
    this.gate = new WriteGate({ armed: true });
    this.runIdValue = o.runId;
    this.tracker = new SpotOrderTracker((id) => this.exchangeIdOf(id));
    this.backstopMs = o.userStream?.backstopMs ?? 30_000;
    if (o.userStream !== undefined) {
      const s = o.userStream;
      try {
        this.stream = new SpotUserStream({
          ...(s.url !== undefined ? { url: s.url } : {}),
          env: o.env,
          apiKey: o.env.BINANCE_API_KEY ?? "",
          apiSecret: o.env.BINANCE_API_SECRET ?? "",
          serverNowMs: () => this.client.timeSync.nowMs(),
          ...(s.backoff !== undefined ? { backoff: s.backoff } : {}),
          ...(s.subscribeTimeoutMs !== undefined
            ? { subscribeTimeoutMs: s.subscribeTimeoutMs }
            : {}),
          random: this.random,
          onEvent: (f) => this.onStreamEvent(f),
          onSubscribed: () => {
            this.backstopDue = true;
            this.wake();
          },
          log: (l) => this.log(l),
        });
      } catch (e) {
        throw new ConfigError(`live_trade: ${errorMessage(e)}`);
      }
    }
    this.description = `binance REST ${this.client.baseUrl}${
      this.stream !== undefined ? `, user data ${this.stream.url}` : ""
    }`;
  }

  /**
   * Start the user data stream (no-op without one); `onActivity` is called
   * when something arrived that the next sync should apply.
   */
  startUserStream(onActivity: () => void = () => {}): void {
    if (this.stream === undefined) return;
    this.wake = onActivity;
    if (!this.client.timeSync.isSynced)
      // The subscription's timestamp is the exchange's clock.
      void this.client
        .syncTime()
        .catch((e: unknown) => this.log(`server time: ${errorMessage(e)}`));
    this.stream.start();
  }

  async stopUserStream(): Promise<void> {
    this.wake = () => {};
    await this.stream?.stop();
  }

  /** The stream is subscribed (undefined: no stream configured). */
  get userStreamUp(): boolean | undefined {
    return this.stream?.subscribed;
  }

  /** The account's balances as the stream last reported them, by asset. */
  balances(): ReadonlyMap<string, AccountBalance> {
    return this.balanceMap;
  }

  private onStreamEvent(f: Exclude<UserFrame, { kind: "response" }>): void {
    if (f.kind === "execution") {
      if (this.inbox.length >= INBOX_LIMIT) {
        this.log(
          `user data: ${this.inbox.length} updates not yet applied: dropped, the backstop reads them`,
        );
        this.inbox = [];
        this.backstopDue = true;
      }
      this.inbox.push(f.report);
      this.wake();
    } else if (f.kind === "account") {
      for (const b of f.balances) this.balanceMap.set(b.asset, b);
    }
  }

  /** The run id client order ids derive from (set once; a journal keeps one for life). */
  useRunId(runId: string): void {
    if (this.runIdValue !== undefined && this.runIdValue !== runId)
      throw new ConfigError(
        `BinanceSpotVenue: run id ${runId}, but orders are already named under ${this.runIdValue}`,
      );
    this.runIdValue = runId;
  }

  /**
   * The HA fencing epoch that ids of orders submitted (or restored from the
   * journal) after this call carry; orders already known keep their ids.
   */
  useEpoch(epoch: number): void {
    assertEpoch(epoch);
    this.epoch = epoch;
  }

  get fencingEpoch(): number {
    return this.epoch;
  }

  /** Forget every order and the run id (a fresh kernel replays its journal from the start). */
  reset(): void {
    this.runIdValue = undefined;
    this.epoch = 0;
    this.inbox = [];
    this.backstopDue = true;
    this.tracker = new SpotOrderTracker((id) => this.exchangeIdOf(id));
  }

  get runId(): string | undefined {
    return this.runIdValue;
  }

  /** The exchange's client order id of a kernel order. */
  exchangeIdOf(kernelClientOrderId: string): string {
    const runId = this.runIdValue;
    if (runId === undefined) throw new ConfigError("BinanceSpotVenue: no run id set");
    return exchangeClientOrderId(runId, kernelClientOrderId, this.epoch, this.prefix);
  }

  setListener(listener: OrderEventListener): void {
    this.emit = listener;
  }

  /**
   * What the journal says this venue was given or reported, replayed after a
   * restart: the venue knows its orders again (no request is made).
   */
  restore(item: OrderCommand | VenueEvent): void {
    if (item.kind === "SubmitOrder" || item.kind === "CancelOrder") this.tracker.onCommand(item);
    else if (item.kind !== "FundingApplied") this.tracker.onEvent(item);
  }

  /** Every order the venue holds for the kernel, in submission order. */
  trackedOrders(): TrackedOrderView[] {
    return this.tracker.all().map((t) => ({
      clientOrderId: t.cmd.clientOrderId,
      exchangeClientOrderId: t.exchangeId,
      symbol: t.cmd.symbol,
      state: t.state,
      executed: sameScale(t.executed, t.cmd.quantity).toString(),
    }));
  }

  /** Orders not yet off the book (pending, open or being cancelled). */
  liveOrders(): readonly TrackedOrder[] {
    return this.tracker.live();
  }

  private report(e: OrderEvent): void {
    this.tracker.onEvent(e);
    this.emit(e);
  }

  /** HA fencing: checked before every write attempt; its signal ends a retry's wait. */
  setWriteFence(fence: WriteFence | undefined): void {
    this.fence = fence;
  }

  /** One write through the fence, the breaker and the retry policy. */
  private write<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const { breaker, retryPolicy, sleep, random, metrics } = this;
    return guardedWrite(op, fn, { breaker, retryPolicy, sleep, random, metrics }, this.fence);
  }

  async submit(cmd: SubmitOrder): Promise<void> {
    const known = this.tracker.get(cmd.clientOrderId);
    if (known !== undefined && known.state !== "pending") {
      this.metrics.recordIdempotencyConflict("place");
      this.emit({
        kind: "OrderRejected",
        ts: cmd.ts,
        clientOrderId: cmd.clientOrderId,
        symbol: cmd.symbol,
        reason: "DUPLICATE_CLIENT_ORDER_ID",
      });
      return;
    }
    this.metrics.recordIdempotencyMiss("place");
    const t = this.tracker.onCommand(cmd) as TrackedOrder;
    if ((cmd.orderType ?? "LIMIT") !== "LIMIT" || cmd.reduceOnly === true) {
      // A spot LIMIT GTC venue: a market or reduce-only order (futures) is never sent.
      this.rejected(
        t,
        `UNSUPPORTED: ${cmd.orderType ?? "LIMIT"}${cmd.reduceOnly ? " reduce-only" : ""} order on spot`,
      );
      return;
    }
    await this.send(t);
  }

  /** Send a pending order (a new submit, or one never answered). */
  private async send(t: TrackedOrder): Promise<void> {
    const { cmd } = t;
    const blocked = this.gate.check(cmd);
    if (blocked !== undefined) {
      this.rejected(t, blocked);
      return;
    }
    await this.loadFilters();
    const spec = this.filters?.get(cmd.symbol);
    const problem = spec === undefined ? undefined : filterProblem(spec, cmd.price, cmd.quantity);
    if (problem !== undefined) {
      this.rejected(t, problem);
      return;
    }
    let reply: BinanceOrder;
    try {
      reply = await this.write("place", () =>
        this.client.placeLimitOrder({
          symbol: cmd.symbol,
          side: cmd.side,
          price: cmd.price,
          quantity: cmd.quantity,
          clientOrderId: t.exchangeId,
        }),
      );
    } catch (e) {
      if (isOrderStatusUnknownError(e)) {
        this.log(`${cmd.clientOrderId} (${t.exchangeId}): ${errorMessage(e)}; settled by sync`);
        return;
      }
      // A filter failure: the exchange's rules may have changed; read them again.
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_FILTER_FAILURE)
        this.filtersStale = true;
      this.rejected(t, errorMessage(e));
      return;
    }
    await this.settle(t, reply);
  }

  /** Fetch the exchange's filters when none are known or a -1013 made them stale. */
  private async loadFilters(): Promise<void> {
    if (!this.filtersStale) return;
    try {
      this.filters = await this.client.exchangeFilters();
      this.filtersStale = false;
    } catch (e) {
      // Orders go out unchecked (the exchange checks them); tried again before the next one.
      this.log(`exchange filters: ${errorMessage(e)} (retried before the next order)`);
    }
  }

  /** The exchange's filters as last fetched (undefined before the first fetch). */
  get exchangeFilters(): ReadonlyMap<string, InstrumentSpec> | undefined {
    return this.filters;
  }

  private rejected(t: TrackedOrder, reason: string): void {
    this.report({
      kind: "OrderRejected",
      ts: Math.trunc(this.clock.nowMs()),
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
      reason,
    });
  }

  async cancel(cmd: CancelOrder): Promise<void> {
    const t = this.tracker.get(cmd.clientOrderId);
    const refuse = (reason: string): void =>
      this.emit({
        kind: "OrderCancelRejected",
        ts: cmd.ts,
        clientOrderId: cmd.clientOrderId,
        symbol: cmd.symbol,
        reason,
      });
    if (t === undefined) return refuse("UNKNOWN_ORDER");
    if (t.state === "done") return refuse("ORDER_NOT_OPEN");
    const blocked = this.gate.check(cmd);
    if (blocked !== undefined) return refuse(blocked);
    this.tracker.onCommand(cmd);
    await this.sendCancel(t);
  }

  /** Cancel a tracked order on the exchange; the outcome is reported. */
  private async sendCancel(t: TrackedOrder): Promise<void> {
    let reply: BinanceOrder;
    try {
      reply = await this.write("cancel", () => this.client.cancelOrder(t.cmd.symbol, t.exchangeId));
    } catch (e) {
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_CANCEL_REJECTED) {
        // The exchange does not know it: nothing is on the book to cancel.
        this.gone(t, "OrderCanceled");
        return;
      }
      if (isOrderStatusUnknownError(e)) {
        this.log(`${t.cmd.clientOrderId} (${t.exchangeId}): ${errorMessage(e)}; settled by sync`);
        return;
      }
      this.emit({
        kind: "OrderCancelRejected",
        ts: Math.trunc(this.clock.nowMs()),
        clientOrderId: t.cmd.clientOrderId,
        symbol: t.cmd.symbol,
        reason: errorMessage(e),
      });
      return;
    }
    if (!(await this.settle(t, reply))) return;
    if (reply.status === "FILLED")
      this.emit({
        kind: "OrderCancelRejected",
        ts: reply.time,
        clientOrderId: t.cmd.clientOrderId,
        symbol: t.cmd.symbol,
        reason: "TOO_LATE: FILLED",
      });
  }

  private gone(t: TrackedOrder, kind: "OrderCanceled" | "OrderExpired", ts?: number): void {
    this.report({
      kind,
      ts: ts ?? Math.trunc(this.clock.nowMs()),
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
    });
  }

  /**
   * Report what an exchange reply shows beyond what was reported: accepted,
   * fills, end. Returns false when executions could not be booked yet (the
   * trade list failed): the order stays live and the next sync settles it.
   */
  private async settle(t: TrackedOrder, o: BinanceOrder): Promise<boolean> {
    const { cmd } = t;
    if (t.state === "pending") {
      if (o.status === "REJECTED") {
        this.rejected(t, "REJECTED by the exchange");
        return true;
      }
      this.report({
        kind: "OrderAccepted",
        ts: o.time,
        clientOrderId: cmd.clientOrderId,
        symbol: cmd.symbol,
        venueOrderId: o.orderId,
      });
    }
    t.venueOrderId ??= o.orderId;
    // A placement reply lists the order's first trades.
    let executed = Decimal.ZERO;
    for (const f of o.fills) {
      executed = executed.add(f.qty);
      this.bookTrade(t, { ...f, isMaker: false, time: o.time }, executed);
    }
    if (o.executedQty.gt(t.executed) && !(await this.bookTradesOf(t, o))) return false;
    if (t.state === "done" || OPEN_ORDER_STATUSES.has(o.status) || o.status === "FILLED")
      return true;
    this.gone(t, o.status === "CANCELED" ? "OrderCanceled" : "OrderExpired", o.time);
    return true;
  }

  private bookTrade(t: TrackedOrder, x: ExchangeTrade, executedAfter: Decimal): void {
    const f = this.tracker.tradeFill(t, x, executedAfter);
    if (f !== undefined) this.report(f);
  }

  /**
   * Book the executions of an order that the exchange shows (`o`) beyond
   * what was booked, trade by trade from the account's trade list, with
   * their commissions. What the list does not show (yet) is booked at the
   * average price without commission, logged. False when the list failed.
   */
  private async bookTradesOf(t: TrackedOrder, o: BinanceOrder): Promise<boolean> {
    let trades: BinanceTrade[];
    try {
      trades = await this.client.myTrades(t.cmd.symbol, o.orderId);
    } catch (e) {
      this.log(`trades of ${t.exchangeId}: ${errorMessage(e)} (retried at the next sync)`);
      return false;
    }
    let executed = Decimal.ZERO;
    for (const x of [...trades].sort((a, b) => compareIds(a.tradeId, b.tradeId))) {
      if (x.orderId !== o.orderId) continue;
      executed = executed.add(x.qty);
      if (executed.gt(o.executedQty)) break; // listed after the state we were shown
      this.bookTrade(t, x, executed);
    }
    const rest = this.tracker.executionFill(t, o);
    if (rest !== undefined) {
      this.log(
        `${t.exchangeId}: ${rest.quantity} executed but not in the trade list: booked at the average price without commission`,
      );
      this.report(rest);
    }
    return true;
  }

  /**
   * Bring the kernel up to date with the exchange (see the file comment).
   * Returns the open orders of the listed symbols the venue does not hold.
   */
  async sync(options: SyncOptions = {}): Promise<SyncReport> {
    await this.applyStream();
    const now = this.clock.nowMs();
    if (
      this.stream?.subscribed === true &&
      !this.backstopDue &&
      options.strict !== true &&
      options.symbols === undefined &&
      now - this.lastBackstopMs < this.backstopMs &&
      // an unknown outcome (a placement or cancel never answered) is settled by REST
      this.tracker.live().every((t) => t.state === "open")
    )
      return { untracked: [] };
    this.backstopDue = false;
    this.lastBackstopMs = now;
    return this.restSync(options);
  }

  /** Apply the execution reports received since the last sync, in order. */
  private async applyStream(): Promise<void> {
    while (this.inbox.length > 0) {
      const r = this.inbox.shift() as ExecutionReport;
      await this.onExecutionReport(r);
    }
  }

  /**
   * One order update of the stream: accepted, each trade booked as it
   * happened (price L, quantity l, commission n in N, maker m, trade t), the
   * order's end. A gap (executions before this one not yet booked) is filled
   * from the trade list first.
   */
  private async onExecutionReport(r: ExecutionReport): Promise<void> {
    const id =
      r.executionType === "CANCELED" && r.origClientOrderId !== ""
        ? r.origClientOrderId
        : r.clientOrderId;
    const t = this.tracker.byExchange(id);
    if (t === undefined || t.cmd.symbol !== r.symbol) return; // not an order of ours
    const state: BinanceOrder = {
      symbol: r.symbol,
      orderId: r.orderId,
      clientOrderId: id,
      side: r.side,
      price: t.cmd.price,
      origQty: r.orderQty,
      executedQty: r.cumQty,
      cumQuote: r.cumQuote,
      status: r.orderStatus,
      time: r.time,
      fills: [],
    };
    if (t.state === "done" && r.executionType !== "TRADE") return;
    if (t.state === "pending" && r.executionType === "REJECTED") {
      this.rejected(t, `REJECTED by the exchange: ${r.rejectReason}`);
      return;
    }
    if (r.executionType === "TRADE") {
      if (t.state === "pending")
        await this.settle(t, { ...state, executedQty: t.executed, status: "NEW" });
      const before = r.cumQty.sub(r.lastQty);
      const gap = {
        ...state,
        executedQty: before,
        cumQuote: r.cumQuote.sub(r.lastPrice.mul(r.lastQty)),
      };
      if (before.gt(t.executed) && !(await this.bookTradesOf(t, gap))) return; // the backstop settles it
      this.bookTrade(
        t,
        {
          tradeId: r.tradeId,
          price: r.lastPrice,
          qty: r.lastQty,
          commission: r.commission,
          commissionAsset: r.commissionAsset,
          isMaker: r.isMaker,
          time: r.time,
        },
        r.cumQty,
      );
      return;
    }
    await this.settle(t, state);
  }

  /** The REST side of `sync` (the only one without a user data stream). */
  private async restSync(options: SyncOptions): Promise<SyncReport> {
    const symbols = new Set(options.symbols ?? []);
    for (const t of this.tracker.live()) symbols.add(t.cmd.symbol);
    const untracked: UntrackedOrder[] = [];
    for (const symbol of [...symbols].sort()) {
      let listed: BinanceOrder[];
      try {
        listed = await this.listOpenOrders(symbol, options.strict === true);
      } catch (e) {
        if (options.strict === true) throw e;
        this.log(`open orders of ${symbol}: ${errorMessage(e)} (retried later)`);
        continue;
      }
      const byId = new Map(listed.map((o) => [o.clientOrderId, o]));
      for (const t of this.tracker.live()) {
        if (t.cmd.symbol !== symbol) continue;
        const o = byId.get(t.exchangeId);
        if (o !== undefined) {
          if (t.state === "pending") this.metrics.recordIdempotencyHit("place");
          await this.settle(t, o);
          if (t.state === "cancelling") await this.sendCancel(t);
        } else await this.settleMissing(t);
      }
      for (const o of listed) {
        const t = this.tracker.byExchange(o.clientOrderId);
        if (t !== undefined && t.state !== "done") continue;
        untracked.push({
          symbol,
          exchangeClientOrderId: o.clientOrderId,
          ours: isOurClientOrderId(o.clientOrderId, this.prefix),
        });
      }
    }
    return { untracked };
  }

  /**
   * The open orders of a symbol. A strict listing (a restart's
   * reconciliation, which may not trade blind) waits out a short Retry-After
   * (a 429 or 418 just before) instead of failing: up to 3 tries, 30 s each.
   */
  private async listOpenOrders(symbol: string, strict: boolean): Promise<BinanceOrder[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.openOrders(symbol);
      } catch (e) {
        const wait = isConnectorIOError(e) ? e.retryAfterMs : undefined;
        if (!strict || wait === undefined || wait > 30_000 || attempt >= 3) throw e;
        this.log(`open orders of ${symbol}: ${errorMessage(e)}; waiting ${wait} ms`);
        await this.sleep(wait);
      }
    }
  }

  /** A live order the exchange does not list as open: ask for it. */
  private async settleMissing(t: TrackedOrder): Promise<void> {
    let o: BinanceOrder | undefined;
    try {
      o = await this.client.queryOrder(t.cmd.symbol, t.exchangeId);
    } catch (e) {
      this.log(`cannot query ${t.exchangeId}: ${errorMessage(e)} (retried later)`);
      return;
    }
    if (o !== undefined) {
      // An unanswered placement that did land: found, not sent again.
      if (t.state === "pending") this.metrics.recordIdempotencyHit("place");
      await this.settle(t, o);
      return;
    }
    if (t.state === "pending") return this.send(t); // never reached the exchange: send it now
    this.gone(t, t.state === "cancelling" ? "OrderCanceled" : "OrderExpired");
  }

  /** Cancel an open order the venue does not hold (a stray); undefined when cancelled, else why not. */
  async cancelUntracked(
    symbol: string,
    exchangeClientOrderId: string,
  ): Promise<string | undefined> {
    try {
      const o = await this.write("cancel", () =>
        this.client.cancelOrder(symbol, exchangeClientOrderId),
      );
      return o.status === "CANCELED" ? undefined : `no longer open (${o.status})`;
    } catch (e) {
      return errorMessage(e);
    }
  }

  async openOrders(symbol: string): Promise<readonly VenueOrder[]> {
    const listed = await this.client.openOrders(symbol);
    return listed.map((o) => {
      const t = this.tracker.byExchange(o.clientOrderId);
      if (t === undefined)
        return {
          clientOrderId: o.clientOrderId,
          symbol,
          side: o.side,
          price: o.price,
          quantity: o.origQty,
          filledQuantity: o.executedQty,
        };
      return {
        clientOrderId: t.cmd.clientOrderId,
        symbol,
        side: t.cmd.side,
        price: t.cmd.price,
        quantity: t.cmd.quantity,
        filledQuantity: sameScale(o.executedQty, t.cmd.quantity),
      };
    });
  }
}
