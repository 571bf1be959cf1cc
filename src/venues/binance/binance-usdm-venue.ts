/**
 * BinanceUsdmVenue: the kernel's venue on Binance USD-M perpetual futures
 * (REST + the user-data stream; the futures testnet by default, production
 * refused). One-way position mode only, cross margin as the account has it.
 *
 * - start (at the first strict sync, i.e. the takeover's reconciliation, or
 *   `start()`): the position mode is read (`GET /fapi/v1/positionSide/dual`;
 *   hedge mode is refused: ConfigError naming what to change), the account
 *   and positions are read and logged (`GET /fapi/v2/account`,
 *   `/fapi/v2/positionRisk`), the user-data stream starts. Per symbol, before
 *   its first order: the trading rules (`GET /fapi/v1/exchangeInfo`:
 *   PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE, MIN_NOTIONAL) and the leverage
 *   (`POST /fapi/v1/leverage` to the engine's `leverage`, the reply checked).
 * - submit: `POST /fapi/v1/order`, LIMIT GTC (price on the tick) or MARKET,
 *   `reduceOnly` when asked, `newOrderRespType=RESULT`, under the client id
 *   `client-order-id.ts` derives. The reply gives OrderAccepted or
 *   OrderRejected (Binance's code and message, e.g. -2022 for a reduce-only
 *   order that would not reduce); an execution it shows is booked from the
 *   account's trades (`GET /fapi/v1/userTrades?orderId=`: price, quantity,
 *   commission and asset, maker or taker, trade id).
 * - cancel: `DELETE /fapi/v1/order`, as on spot (executions first, then
 *   OrderCanceled; too late or unknown: OrderCancelRejected).
 * - the user-data stream (`usdm-user-stream.ts`) pushes ORDER_TRADE_UPDATE:
 *   trades with their commission and maker flag, cancels and expiries. The
 *   pushed events are queued and applied at the next `sync`, so the kernel
 *   learns of them, and the journal records them, at the loop's steps.
 * - sync: the queued pushes first, then (after a reconnect, when the stream
 *   is down, at a strict sync, or every `restSyncMs`) the REST sync of the
 *   spot venue: open orders listed, vanished ones queried, executions not yet
 *   booked taken from userTrades, orders gone reported.
 *
 * Fills are booked once: per trade id (whatever reported it: the stream,
 * userTrades, a journal replay) and per cumulative executed quantity (an
 * execution the trade list does not show yet is booked from the order's
 * cumulative quantity and average price, fee 0, and a trade of it that shows
 * up later is not booked again).
 */

import type { RandomSource } from "../../core/backoff.js";
import type { Clock, Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type {
  CancelOrder,
  FundingApplied,
  Liquidity,
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
import { realTimers, type Timers } from "../../net/timers.js";
import { guardedWrite, type WriteFence } from "../common/write-fence.js";
import { WriteGate } from "../common/write-gate.js";
import { BINANCE_CODE_CANCEL_REJECTED } from "./binance-error-mapping.js";
import { type BinanceOrder, OPEN_ORDER_STATUSES } from "./binance-order-reply.js";
import { BinanceRestClient } from "./binance-rest-client.js";
import type { SyncOptions, SyncReport, UntrackedOrder } from "./binance-spot-venue.js";
import { liveTradeArmingProblem } from "./binance-spot-venue.js";
import { assertAllowedEndpoint, type Env } from "./binance-urls.js";
import {
  assertClientOrderIdPrefix,
  assertEpoch,
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
  exchangeClientOrderId,
  isOurClientOrderId,
} from "./client-order-id.js";
import { SpotOrderTracker, sameScale, type TrackedOrder } from "./spot-order-tracker.js";
import { UsdmFundingSync } from "./usdm-funding-sync.js";
import {
  parseAccount,
  parseDualSidePosition,
  parseLeverageReply,
  parsePositionRisk,
  parseUserTrades,
  type UsdmOrderUpdate,
  type UsdmTrade,
  type UsdmUserEvent,
} from "./usdm-messages.js";
import {
  filterProblem,
  parseUsdmSymbolRules,
  priceOnTick,
  type UsdmSymbolRules,
} from "./usdm-symbol-rules.js";
import { UsdmUserStream } from "./usdm-user-stream.js";

export interface BinanceUsdmVenueOptions {
  /** REST base URL, resolved and guarded (undefined: GRINDER_BINANCE_REST_URL, else the futures testnet). */
  readonly restUrl?: string;
  /**
   * WebSocket base of the user-data stream ("wss://fstream.binancefuture.com"):
   * the stream is `<base>/ws/<listenKey>`. Undefined: no user-data stream
   * (fills found by REST sync only).
   */
  readonly userStreamUrl?: string;
  readonly env: Env;
  /** --confirm TESTNET was given. */
  readonly confirmed: boolean;
  /** Leverage set on every traded symbol (the engine's `leverage`). */
  readonly leverage: number;
  readonly runId?: string;
  readonly clientOrderIdPrefix?: string;
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** Keep-alive timer of the listenKey. */
  readonly timers?: Timers;
  readonly keepAliveMs?: number;
  /** With a connected stream, the REST sync runs at most this often (default 30000 ms). */
  readonly restSyncMs?: number;
  readonly connectorMetrics?: ConnectorMetrics;
  readonly retryPolicy?: RetryPolicy;
  readonly random?: RandomSource;
  readonly breaker?: Partial<CircuitBreakerConfig>;
  readonly timeoutMs?: number;
  readonly unknownStatusQueryDelayMs?: number;
  readonly log?: (line: string) => void;
}

/** What to change when the account is in hedge mode. */
export const HEDGE_MODE_REFUSAL =
  "the USD-M account is in hedge mode (dualSidePosition true); grinder trades one-way positions " +
  "only: switch the account to one-way mode (Binance Futures > Preferences > Position Mode > " +
  "One-way, or POST /fapi/v1/positionSide/dual with dualSidePosition=false) with no open " +
  "position or order, then start again";

const NO_LISTENER: OrderEventListener = () => {
  throw new Error("BinanceUsdmVenue: no listener set");
};

/** A sync of the USD-M venue: `rest` forces the REST part. */
export interface UsdmSyncOptions extends SyncOptions {
  readonly rest?: boolean;
}

export class BinanceUsdmVenue implements Venue {
  readonly name = "binance-usdm";
  readonly description: string;
  readonly client: BinanceRestClient;
  readonly gate: WriteGate;
  readonly stream: UsdmUserStream | undefined;
  private tracker: SpotOrderTracker;
  private seenTrades = new Set<string>();
  private readonly prefix: string;
  private readonly leverage: number;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly retryPolicy: RetryPolicy;
  private readonly random: RandomSource;
  private readonly breaker: CircuitBreaker;
  private readonly metrics: ConnectorMetrics;
  private fence: WriteFence | undefined;
  /** HA fencing epoch of the orders named from now on (0 without HA). */
  private epoch = 0;
  private readonly log: (line: string) => void;
  private readonly restSyncMs: number;
  private runIdValue: string | undefined;
  private emit: OrderEventListener = NO_LISTENER;
  private started = false;
  private rules: Map<string, UsdmSymbolRules> | undefined;
  private readonly leverageSet = new Set<string>();
  /** Stream events received, applied at the next sync. */
  private pushed: UsdmOrderUpdate[] = [];
  private resyncNeeded = true;
  private lastRestSyncMs = Number.NEGATIVE_INFINITY;
  /** Positions as the last ACCOUNT_UPDATE showed them. */
  readonly positions = new Map<string, Decimal>();
  /** Funding payments from the income history, each booked once. */
  private readonly funding: UsdmFundingSync;
  /** Stream events received (all kinds). */
  pushesReceived = 0;

  constructor(o: BinanceUsdmVenueOptions) {
    const problem = liveTradeArmingProblem(o.env, o.confirmed);
    if (problem !== undefined) throw new ConfigError(problem);
    if (!Number.isInteger(o.leverage) || o.leverage < 1 || o.leverage > 125)
      throw new ConfigError(`leverage: expected a whole number 1..125, got ${o.leverage}`);
    this.leverage = o.leverage;
    this.prefix = o.clientOrderIdPrefix ?? DEFAULT_CLIENT_ORDER_ID_PREFIX;
    assertClientOrderIdPrefix(this.prefix);
    this.clock = o.clock ?? systemClock;
    this.sleep = o.sleep ?? realSleep;
    this.metrics = o.connectorMetrics ?? getConnectorMetrics();
    this.log = o.log ?? (() => {});
    this.retryPolicy = o.retryPolicy ?? makeRetryPolicy({ maxAttempts: 3 });
    this.random = o.random ?? systemRandom;
    this.restSyncMs = o.restSyncMs ?? 30_000;
    this.breaker = new CircuitBreaker(o.breaker ?? {}, {
      clock: this.clock,
      metrics: this.metrics,
    });
    try {
      this.client = new BinanceRestClient({
        market: "usdm",
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
      if (o.userStreamUrl !== undefined)
        assertAllowedEndpoint(o.userStreamUrl, "user data stream URL", "trading", o.env);
    } catch (e) {
      throw new ConfigError(`live_trade: ${errorMessage(e)}`);
    }
    this.gate = new WriteGate({ armed: true });
    this.funding = new UsdmFundingSync({
      client: this.client,
      position: (symbol) => this.positions.get(symbol) ?? Decimal.ZERO,
      log: this.log,
    });
    this.runIdValue = o.runId;
    this.tracker = new SpotOrderTracker((id) => this.exchangeIdOf(id));
    this.stream =
      o.userStreamUrl === undefined
        ? undefined
        : new UsdmUserStream({
            client: this.client,
            wsBaseUrl: o.userStreamUrl,
            onEvent: (e) => this.onPush(e),
            onConnected: (again) => {
              if (again) this.resyncNeeded = true;
              this.log(`user data stream ${again ? "reconnected" : "connected"}`);
            },
            onRetry: (reason) => this.metrics.recordRetry("user_stream", reason),
            log: this.log,
            sleep: this.sleep,
            random: this.random,
            timers: o.timers ?? realTimers,
            ...(o.keepAliveMs !== undefined ? { keepAliveMs: o.keepAliveMs } : {}),
          });
    this.description =
      `binance USD-M REST ${this.client.baseUrl}, leverage ${this.leverage}` +
      (o.userStreamUrl !== undefined ? `, user data ${o.userStreamUrl}` : ", no user data stream");
  }

  // --- identity (as BinanceSpotVenue) ---

  useRunId(runId: string): void {
    if (this.runIdValue !== undefined && this.runIdValue !== runId)
      throw new ConfigError(
        `BinanceUsdmVenue: run id ${runId}, but orders are already named under ${this.runIdValue}`,
      );
    this.runIdValue = runId;
  }

  reset(): void {
    this.runIdValue = undefined;
    this.epoch = 0;
    this.tracker = new SpotOrderTracker((id) => this.exchangeIdOf(id));
    this.seenTrades = new Set();
    this.pushed = [];
    this.resyncNeeded = true;
  }

  get runId(): string | undefined {
    return this.runIdValue;
  }

  exchangeIdOf(kernelClientOrderId: string): string {
    const runId = this.runIdValue;
    if (runId === undefined) throw new ConfigError("BinanceUsdmVenue: no run id set");
    return exchangeClientOrderId(runId, kernelClientOrderId, this.epoch, this.prefix);
  }

  setListener(listener: OrderEventListener): void {
    this.emit = listener;
  }

  restore(item: OrderCommand | VenueEvent): void {
    if (item.kind === "FundingApplied") {
      this.funding.restore(item);
      return;
    }
    this.funding.noteJournalTime(item.ts);
    if (item.kind === "SubmitOrder" || item.kind === "CancelOrder") this.tracker.onCommand(item);
    else {
      if (item.kind === "OrderFilled") this.seenTrades.add(item.tradeId);
      this.tracker.onEvent(item);
    }
  }

  trackedOrders(): {
    clientOrderId: string;
    exchangeClientOrderId: string;
    symbol: string;
    state: string;
    executed: string;
  }[] {
    return this.tracker.all().map((t) => ({
      clientOrderId: t.cmd.clientOrderId,
      exchangeClientOrderId: t.exchangeId,
      symbol: t.cmd.symbol,
      state: t.state,
      executed: sameScale(t.executed, t.cmd.quantity).toString(),
    }));
  }

  liveOrders(): readonly TrackedOrder[] {
    return this.tracker.live();
  }

  // --- start ---

  /**
   * Check the account (one-way mode), log it, and start the user-data stream;
   * prepare `symbols` (rules, leverage). Once; a failure throws (ConfigError
   * for hedge mode or a leverage the exchange does not apply).
   */
  async start(symbols: readonly string[] = []): Promise<void> {
    if (!this.started) {
      this.funding.noteStart(this.clock.nowMs());
      const dual = parseDualSidePosition(
        await this.client.signedJson("position_mode", "GET", "/fapi/v1/positionSide/dual", []),
      );
      if (dual) throw new ConfigError(HEDGE_MODE_REFUSAL);
      const account = parseAccount(
        await this.client.signedJson("account", "GET", "/fapi/v2/account", []),
      );
      this.log(
        `USD-M account: one-way mode, wallet ${account.totalWalletBalance} USDT, available ${account.availableBalance}`,
      );
      for (const p of parsePositionRisk(
        await this.client.signedJson("position_risk", "GET", "/fapi/v2/positionRisk", []),
      )) {
        if (p.positionAmt.isZero()) continue;
        this.positions.set(p.symbol, p.positionAmt);
        this.log(
          `USD-M position ${p.symbol} ${p.positionAmt} @ ${p.entryPrice} (mark ${p.markPrice}, leverage ${p.leverage})`,
        );
      }
      this.started = true;
      this.stream?.start();
    }
    for (const s of symbols) await this.prepareSymbol(s);
  }

  /** Rules and leverage of a symbol (once each). */
  private async prepareSymbol(symbol: string): Promise<UsdmSymbolRules> {
    this.rules ??= parseUsdmSymbolRules(
      await this.client.publicJson("exchange_info", "/fapi/v1/exchangeInfo"),
    );
    const r = this.rules.get(symbol);
    if (r === undefined)
      throw new ConfigError(
        `${symbol}: not a USD-M symbol of ${this.client.baseUrl} (exchangeInfo)`,
      );
    if (!this.leverageSet.has(symbol)) {
      const reply = parseLeverageReply(
        await this.write("leverage", () =>
          this.client.signedJson(
            "leverage",
            "POST",
            "/fapi/v1/leverage",
            [
              ["symbol", symbol],
              ["leverage", String(this.leverage)],
            ],
            true,
          ),
        ),
      );
      if (reply.symbol !== symbol || reply.leverage !== this.leverage)
        throw new ConfigError(
          `${symbol}: leverage ${this.leverage} asked, the exchange applies ${reply.leverage} (${reply.symbol})`,
        );
      this.leverageSet.add(symbol);
      this.log(`${symbol}: leverage ${reply.leverage}`);
    }
    return r;
  }

  /** Stop the user-data stream (the process may end). */
  async close(): Promise<void> {
    await this.stream?.close();
  }

  // --- commands ---

  private report(e: OrderEvent): void {
    if (e.kind === "OrderFilled") this.seenTrades.add(e.tradeId);
    this.tracker.onEvent(e);
    this.emit(e);
  }

  /**
   * The HA fencing epoch that ids of orders submitted (or restored from the
   * journal) after this call carry; orders already known keep their ids.
   */
  useEpoch(epoch: number): void {
    assertEpoch(epoch);
    this.epoch = epoch;
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
    await this.send(t);
  }

  private async send(t: TrackedOrder): Promise<void> {
    const { cmd } = t;
    const blocked = this.gate.check(cmd);
    if (blocked !== undefined) return this.rejected(t, blocked);
    const market = cmd.orderType === "MARKET";
    const reduceOnly = cmd.reduceOnly === true;
    let reply: BinanceOrder;
    try {
      const rules = await this.prepareSymbol(cmd.symbol);
      const price = market ? cmd.price : priceOnTick(cmd.price, cmd.side, rules.spec.tickSize);
      const problem = filterProblem(rules, { price, quantity: cmd.quantity, market, reduceOnly });
      if (problem !== undefined) return this.rejected(t, problem);
      reply = await this.write("place", () =>
        this.client.placeOrder({
          symbol: cmd.symbol,
          side: cmd.side,
          price,
          quantity: cmd.quantity,
          clientOrderId: t.exchangeId,
          type: market ? "MARKET" : "LIMIT",
          reduceOnly,
          responseType: "RESULT",
        }),
      );
    } catch (e) {
      if (isOrderStatusUnknownError(e)) {
        this.log(`${cmd.clientOrderId} (${t.exchangeId}): ${errorMessage(e)}; settled by sync`);
        return;
      }
      return this.rejected(t, errorMessage(e));
    }
    await this.settle(t, reply);
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

  private async sendCancel(t: TrackedOrder): Promise<void> {
    let reply: BinanceOrder;
    try {
      reply = await this.write("cancel", () => this.client.cancelOrder(t.cmd.symbol, t.exchangeId));
    } catch (e) {
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_CANCEL_REJECTED) {
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
    await this.settle(t, reply);
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

  private accepted(t: TrackedOrder, venueOrderId: string, ts: number): void {
    this.report({
      kind: "OrderAccepted",
      ts,
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
      venueOrderId,
    });
  }

  /** Report what an order reply shows beyond what was reported: accepted, executions, end. */
  private async settle(t: TrackedOrder, o: BinanceOrder): Promise<void> {
    if (t.state === "pending") {
      if (o.status === "REJECTED") return this.rejected(t, "REJECTED by the exchange");
      this.accepted(t, o.orderId, o.time);
    }
    t.venueOrderId ??= o.orderId;
    if (o.executedQty.gt(t.executed)) await this.bookExecutions(t, o);
    if (t.state === "done" || OPEN_ORDER_STATUSES.has(o.status) || o.status === "FILLED") return;
    this.gone(t, o.status === "CANCELED" ? "OrderCanceled" : "OrderExpired", o.time);
  }

  /** The fill of one trade, as far as it goes beyond what was booked of the order. */
  private fillOf(
    t: TrackedOrder,
    f: {
      readonly tradeId: string;
      readonly price: Decimal;
      readonly qty: Decimal;
      /** Cumulative executed quantity of the order after this trade. */
      readonly cumQty: Decimal;
      readonly commission: Decimal;
      readonly commissionAsset: string;
      readonly liquidity: Liquidity;
      readonly time: number;
    },
  ): void {
    if (this.seenTrades.has(f.tradeId)) return;
    const beyond = f.cumQty.sub(t.executed);
    if (!beyond.isPositive()) {
      // Already booked from the order's cumulative quantity.
      this.seenTrades.add(f.tradeId);
      return;
    }
    const qty = beyond.lt(f.qty) ? beyond : f.qty;
    const fee = qty.eq(f.qty) ? f.commission : f.commission.mul(qty).div(f.qty);
    const leaves = t.cmd.quantity.sub(t.executed.add(qty));
    this.report({
      kind: "OrderFilled",
      ts: f.time,
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
      side: t.cmd.side,
      price: sameScale(f.price, t.cmd.price),
      quantity: sameScale(qty, t.cmd.quantity),
      fee,
      feeAsset: f.commissionAsset,
      liquidity: f.liquidity,
      tradeId: f.tradeId,
      leavesQuantity: leaves.isPositive() ? sameScale(leaves, t.cmd.quantity) : Decimal.ZERO,
    });
  }

  /**
   * Book the executions an order reply shows beyond what was booked: its
   * trades (userTrades), then whatever they do not cover yet, from the
   * cumulative quantity (fee 0).
   */
  private async bookExecutions(t: TrackedOrder, o: BinanceOrder): Promise<void> {
    let trades: UsdmTrade[] = [];
    try {
      trades = parseUserTrades(
        await this.client.signedJson("user_trades", "GET", "/fapi/v1/userTrades", [
          ["symbol", t.cmd.symbol],
          ["orderId", o.orderId],
        ]),
      );
    } catch (e) {
      this.log(`trades of ${t.exchangeId}: ${errorMessage(e)} (booked without commission)`);
    }
    trades = trades.filter((x) => x.orderId === o.orderId);
    trades.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    let cum = Decimal.ZERO;
    for (const x of trades) {
      cum = cum.add(x.qty);
      this.fillOf(t, {
        tradeId: x.id,
        price: x.price,
        qty: x.qty,
        cumQty: cum,
        commission: x.commission,
        commissionAsset: x.commissionAsset,
        liquidity: x.maker ? "maker" : "taker",
        time: x.time,
      });
    }
    const rest = this.tracker.executionFill(t, o);
    if (rest !== undefined) this.report({ ...rest, liquidity: "taker" });
  }

  // --- the stream ---

  private onPush(e: UsdmUserEvent): void {
    this.pushesReceived += 1;
    if (e.kind === "order") this.pushed.push(e);
    else if (e.kind === "account") {
      // Funding is in the income history, per symbol: the next sync asks for it.
      if (e.reason === "FUNDING_FEE") this.resyncNeeded = true;
      for (const p of e.positions)
        if (p.positionSide === "BOTH") this.positions.set(p.symbol, p.positionAmt);
    }
  }

  /** Apply one pushed ORDER_TRADE_UPDATE. */
  private async applyPush(u: UsdmOrderUpdate): Promise<void> {
    const t = this.tracker.byExchange(u.clientOrderId);
    if (t === undefined || t.state === "done") return; // not ours, or already settled
    if (t.state === "pending") {
      if (u.executionType === "NEW" || u.executionType === "TRADE")
        this.accepted(t, u.orderId, u.eventTime);
      else return this.settleMissing(t);
    }
    t.venueOrderId ??= u.orderId;
    if (u.executionType === "TRADE" || u.executionType === "CALCULATED") {
      this.fillOf(t, {
        tradeId: u.tradeId,
        price: u.lastPrice,
        qty: u.lastQty,
        cumQty: u.cumQty,
        commission: u.commission,
        commissionAsset: u.commissionAsset,
        liquidity: u.executionType === "CALCULATED" ? "liquidation" : u.maker ? "maker" : "taker",
        time: u.tradeTime,
      });
      return;
    }
    if (u.executionType === "CANCELED" || u.executionType === "EXPIRED") {
      if (u.cumQty.gt(t.executed)) return this.settleMissing(t); // trades not seen: ask
      this.gone(t, u.executionType === "CANCELED" ? "OrderCanceled" : "OrderExpired", u.eventTime);
    }
  }

  // --- sync ---

  async sync(options: UsdmSyncOptions = {}): Promise<SyncReport> {
    if (options.strict === true || !this.started) await this.start(options.symbols ?? []);
    const pushed = this.pushed;
    this.pushed = [];
    for (const u of pushed) await this.applyPush(u);
    const now = this.clock.nowMs();
    const streaming = this.stream?.connected === true;
    const rest =
      options.rest === true ||
      options.strict === true ||
      !streaming ||
      this.resyncNeeded ||
      now - this.lastRestSyncMs >= this.restSyncMs;
    if (!rest) return { untracked: [] };
    if (streaming) this.resyncNeeded = false;
    this.lastRestSyncMs = now;
    return this.restSync(options);
  }

  private async restSync(options: SyncOptions): Promise<SyncReport> {
    const symbols = new Set(options.symbols ?? []);
    for (const t of this.tracker.live()) symbols.add(t.cmd.symbol);
    const untracked: UntrackedOrder[] = [];
    for (const symbol of [...symbols].sort()) {
      let listed: BinanceOrder[];
      try {
        listed = await this.client.openOrders(symbol);
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
    await this.bookFunding(symbols, options.strict === true);
    return { untracked };
  }

  /** Funding paid or received on the symbols traded, not booked yet. */
  private async bookFunding(symbols: ReadonlySet<string>, strict: boolean): Promise<void> {
    const traded = new Set(symbols);
    for (const s of this.rules?.keys() ?? []) traded.add(s);
    for (const s of this.positions.keys()) traded.add(s);
    let payments: FundingApplied[];
    try {
      payments = await this.funding.collect(traded);
    } catch (e) {
      if (strict) throw e;
      this.log(`funding income: ${errorMessage(e)} (retried later)`);
      return;
    }
    for (const f of payments) {
      this.log(
        `funding ${f.symbol} at ${f.ts}: ${f.payment} (rate ${f.rate}, mark ${f.markPrice})`,
      );
      this.emit(f);
    }
  }

  private async settleMissing(t: TrackedOrder): Promise<void> {
    let o: BinanceOrder | undefined;
    try {
      o = await this.client.queryOrder(t.cmd.symbol, t.exchangeId);
    } catch (e) {
      this.log(`cannot query ${t.exchangeId}: ${errorMessage(e)} (retried later)`);
      return;
    }
    if (o !== undefined) {
      if (t.state === "pending") this.metrics.recordIdempotencyHit("place");
      return this.settle(t, o);
    }
    if (t.state === "pending") return this.send(t);
    this.gone(t, t.state === "cancelling" ? "OrderCanceled" : "OrderExpired");
  }

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
