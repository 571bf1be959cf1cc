/**
 * BinanceUsdmVenue: the kernel's venue on Binance USD-M perpetual futures
 * (REST + the user-data stream; the futures testnet by default, production
 * refused). One-way position mode only, cross margin as the account has it.
 *
 * - start (at the first strict sync, i.e. the takeover's reconciliation, or
 *   `start()`): the position mode is read (hedge mode is refused: ConfigError
 *   naming what to change), the account and positions are read and logged
 *   (`usdm-account-check.ts`), the user-data stream starts. Per symbol, before
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
 *   is down, at a strict sync, or every `restSyncMs`) BinanceOrderVenue's
 *   REST sync (`binance-order-venue.ts`: open orders listed, vanished ones
 *   queried, executions not yet booked taken from userTrades, orders gone
 *   reported), then the funding income not yet booked.
 *
 * Fills are booked once: per trade id (whatever reported it: the stream,
 * userTrades, a journal replay) and per cumulative executed quantity (an
 * execution the trade list does not show yet is booked from the order's
 * cumulative quantity and average price, fee 0, and a trade of it that shows
 * up later is not booked again).
 */

import { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type {
  FundingApplied,
  Liquidity,
  OrderCommand,
  OrderEvent,
  VenueEvent,
} from "../../domain/orders.js";
import { realTimers, type Timers } from "../../net/timers.js";
import type { BinanceOrder } from "./binance-order-reply.js";
import { sameScale, type TrackedOrder } from "./binance-order-tracker.js";
import {
  BinanceOrderVenue,
  type BinanceOrderVenueOptions,
  type PlacementRefused,
  type SyncOptions,
  type SyncReport,
} from "./binance-order-venue.js";
import { assertAllowedEndpoint } from "./binance-urls.js";
import { hedgeModeProblem, readUsdmAccount } from "./usdm-account-check.js";
import { UsdmFundingSync } from "./usdm-funding-sync.js";
import {
  parseLeverageReply,
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

export interface BinanceUsdmVenueOptions extends BinanceOrderVenueOptions {
  /**
   * WebSocket base of the user-data stream ("wss://fstream.binancefuture.com"):
   * the stream is `<base>/ws/<listenKey>`. Undefined: no user-data stream
   * (fills found by REST sync only).
   */
  readonly userStreamUrl?: string;
  /** Leverage set on every traded symbol (the engine's `leverage`). */
  readonly leverage: number;
  /** Keep-alive timer of the listenKey. */
  readonly timers?: Timers;
  readonly keepAliveMs?: number;
  /** With a connected stream, the REST sync runs at most this often (default 30000 ms). */
  readonly restSyncMs?: number;
}

/** A sync of the USD-M venue: `rest` forces the REST part. */
export interface UsdmSyncOptions extends SyncOptions {
  readonly rest?: boolean;
}

function leverageProblem(leverage: number): string | undefined {
  if (Number.isInteger(leverage) && leverage >= 1 && leverage <= 125) return undefined;
  return `leverage: expected a whole number 1..125, got ${leverage}`;
}

export class BinanceUsdmVenue extends BinanceOrderVenue {
  readonly name = "binance-usdm";
  readonly description: string;
  readonly stream: UsdmUserStream | undefined;
  private seenTrades = new Set<string>();
  private readonly leverage: number;
  private readonly restSyncMs: number;
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
    super(o, {
      market: "usdm",
      venueClass: "BinanceUsdmVenue",
      optionsProblem: leverageProblem(o.leverage),
    });
    this.leverage = o.leverage;
    this.restSyncMs = o.restSyncMs ?? 30_000;
    try {
      if (o.userStreamUrl !== undefined)
        assertAllowedEndpoint(o.userStreamUrl, "user data stream URL", "trading", o.env);
    } catch (e) {
      throw new ConfigError(`live_trade: ${errorMessage(e)}`);
    }
    this.funding = new UsdmFundingSync({
      client: this.client,
      position: (symbol) => this.positions.get(symbol) ?? Decimal.ZERO,
      log: this.log,
    });
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

  override reset(): void {
    super.reset();
    this.seenTrades = new Set();
    this.pushed = [];
    this.resyncNeeded = true;
  }

  override restore(item: OrderCommand | VenueEvent): void {
    if (item.kind === "FundingApplied") {
      this.funding.restore(item);
      return;
    }
    this.funding.noteJournalTime(item.ts);
    if (item.kind === "OrderFilled") this.seenTrades.add(item.tradeId);
    super.restore(item);
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
      const hedgeMode = await hedgeModeProblem(this.client);
      if (hedgeMode !== undefined) throw new ConfigError(hedgeMode);
      for (const p of await readUsdmAccount(this.client, this.log))
        this.positions.set(p.symbol, p.positionAmt);
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

  /** The listenKey stream is connected (false without one). */
  get userStreamConnected(): boolean {
    return this.stream?.connected === true;
  }

  /** Stop the user-data stream (the process may end). */
  async close(): Promise<void> {
    await this.stream?.close();
  }

  // --- orders ---

  protected override report(e: OrderEvent): void {
    if (e.kind === "OrderFilled") this.seenTrades.add(e.tradeId);
    super.report(e);
  }

  /** LIMIT GTC (price on the tick) or MARKET, reduce-only when asked, after the symbol's rules. */
  protected async placeOrder(t: TrackedOrder): Promise<BinanceOrder | PlacementRefused> {
    const { cmd } = t;
    const market = cmd.orderType === "MARKET";
    const reduceOnly = cmd.reduceOnly === true;
    const rules = await this.prepareSymbol(cmd.symbol);
    const price = market ? cmd.price : priceOnTick(cmd.price, cmd.side, rules.spec.tickSize);
    const problem = filterProblem(rules, { price, quantity: cmd.quantity, market, reduceOnly });
    if (problem !== undefined) return { refused: problem };
    return this.write("place", () =>
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
   * cumulative quantity (fee 0). Never false: what the trade list does not
   * give is booked without commission.
   */
  protected async bookExecutions(t: TrackedOrder, o: BinanceOrder): Promise<boolean> {
    if (!o.executedQty.gt(t.executed)) return true;
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
    return true;
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

  /** Funding paid or received on the symbols traded, not booked yet. */
  protected override async afterRestSync(
    symbols: ReadonlySet<string>,
    strict: boolean,
  ): Promise<void> {
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
}
