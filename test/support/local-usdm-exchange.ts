/**
 * A local Binance USD-M futures exchange for tests (node:http and a `ws`
 * server on one 127.0.0.1 port). It speaks the USD-M REST formats the
 * venue uses (Binance's "USDS-M Futures" docs): `/fapi/v1/order` (POST
 * LIMIT GTC or MARKET, `reduceOnly`, `newOrderRespType`; DELETE; GET),
 * `/fapi/v1/openOrders`, `/fapi/v1/userTrades`, `/fapi/v1/leverage`,
 * `/fapi/v1/positionSide/dual`, `/fapi/v2/positionRisk`, `/fapi/v2/account`,
 * `/fapi/v1/exchangeInfo` (PRICE_FILTER, LOT_SIZE, MARKET_LOT_SIZE,
 * MIN_NOTIONAL), `/fapi/v1/time` and the listenKey (POST, PUT), checking the
 * API key, the HMAC signature and the timestamp window. The user-data
 * stream is served at `/ws/<listenKey>`: ORDER_TRADE_UPDATE for every order
 * change (NEW, TRADE with commission and maker flag, CANCELED, EXPIRED) and
 * ACCOUNT_UPDATE (reason ORDER) after each trade; `expireListenKey` sends
 * `listenKeyExpired` and forgets the key.
 *
 * One-way positions per symbol (signed amount, average entry). A reduce-only
 * order that would not reduce the position (flat, or the same side) is
 * refused with -2022 "ReduceOnly Order is rejected."; one larger than the
 * position executes up to it and the rest expires. The market is the
 * test's: `setBook` makes a MARKET order, or a LIMIT that crosses, trade at
 * once at the best opposite price (taker); `execute` trades a resting order
 * at its limit (maker). Commissions in USDT: price x quantity x the maker or
 * taker rate (default 0.0002 / 0.0005). `dualSidePosition` puts the account
 * in hedge mode (the venue must refuse to run).
 */

import type { IncomingMessage } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { Decimal } from "../../src/core/decimal.js";
import { D, USDM_ERRORS as ERR, multipleOf, plainDecimal } from "./local-exchange-format.js";
import {
  checkApiKey,
  checkSigned,
  type Fault,
  type LocalExchangeRequest,
  LocalHttpServer,
  type RouteReply,
} from "./local-exchange-http.js";
import * as lookup from "./local-order-lookup.js";
import {
  accountJson,
  accountUpdate,
  type FundingIncome,
  type FundingSettlement,
  fundingIncomeJson,
  fundingRateJson,
  orderJson,
  orderTradeUpdate,
  positionRow,
  USDM_RULES as RULES,
  type UsdmPosition,
  type UsdmServerOrder,
  type UsdmServerTrade,
  usdmExchangeInfo,
  userTradeJson,
} from "./local-usdm-replies.js";

export type {
  FundingIncome,
  FundingSettlement,
  UsdmServerOrder,
  UsdmServerTrade,
} from "./local-usdm-replies.js";

/** A request as the exchange received it. */
export type UsdmRequest = LocalExchangeRequest;

export interface LocalUsdmExchangeOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Default BTCUSDT and ETHUSDT. */
  readonly symbols?: readonly string[];
  readonly makerRate?: string;
  readonly takerRate?: string;
  readonly walletBalance?: string;
}

const FLAT: UsdmPosition = { amt: Decimal.ZERO, entry: Decimal.ZERO };

export class LocalUsdmExchange {
  readonly orders: UsdmServerOrder[] = [];
  readonly trades: UsdmServerTrade[] = [];
  /** Hedge mode (dualSidePosition). */
  dualSidePosition = false;
  readonly leverage = new Map<string, number>();
  readonly positions = new Map<string, UsdmPosition>();
  /** Events pushed on the user-data stream (all connections). */
  pushed = 0;
  /** FUNDING_FEE rows of the income history. */
  readonly fundingIncome: FundingIncome[] = [];
  /** Settled fundings (the public funding-rate history). */
  readonly fundingRates: FundingSettlement[] = [];
  private nextTranId = 7700;
  private readonly books = new Map<string, lookup.Book>();
  private readonly listenKeys = new Set<string>();
  private readonly streams = new Map<WebSocket, string>();
  private nextOrderId = 8000;
  private nextTradeId = 90000;
  private nextKey = 1;
  private readonly maker: Decimal;
  private readonly taker: Decimal;
  private readonly symbols: readonly string[];

  private constructor(
    private readonly http: LocalHttpServer,
    private readonly wss: WebSocketServer,
    private readonly o: LocalUsdmExchangeOptions,
  ) {
    this.symbols = o.symbols ?? ["BTCUSDT", "ETHUSDT"];
    this.maker = D(o.makerRate ?? "0.0002");
    this.taker = D(o.takerRate ?? "0.0005");
    wss.on("connection", (ws, req) => this.onStream(ws, req));
    http.serve({
      route: (r) => this.route(r),
      replyHeaders: (routeHeaders) => ({ "content-type": "application/json", ...routeHeaders }),
    });
  }

  static async start(o: LocalUsdmExchangeOptions): Promise<LocalUsdmExchange> {
    const http = await LocalHttpServer.start();
    const wss = new WebSocketServer({ server: http.server, perMessageDeflate: false });
    return new LocalUsdmExchange(http, wss, o);
  }

  get port(): number {
    return this.http.port;
  }

  get url(): string {
    return this.http.url;
  }

  /** Base of the user-data stream (`<base>/ws/<listenKey>`). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** The USDT wallet balance the account reports. */
  private get wallet(): string {
    return this.o.walletBalance ?? "10000";
  }

  /** Every request received, in order. */
  get requests(): UsdmRequest[] {
    return this.http.requests;
  }

  /** Connected user-data streams. */
  get streamCount(): number {
    return this.streams.size;
  }

  calls(path: string, method?: string): UsdmRequest[] {
    return this.http.calls(path, method);
  }

  /** The next `times` requests matching `match` meet `fault` (the shared server's faults). */
  inject(match: { method?: string; path?: string }, fault: Fault, times = 1): void {
    this.http.inject(match, fault, times);
  }

  order(clientOrderId: string): UsdmServerOrder {
    const o = lookup.latestByClientId(this.orders, clientOrderId);
    if (o === undefined) throw new Error(`local USD-M exchange: no order ${clientOrderId}`);
    return o;
  }

  openOrders(): UsdmServerOrder[] {
    return this.orders.filter(lookup.isOpen);
  }

  setBook(symbol: string, bid: string, ask: string): void {
    this.books.set(symbol, { bid: D(bid), ask: D(ask) });
  }

  position(symbol: string): Decimal {
    return this.positions.get(symbol)?.amt ?? Decimal.ZERO;
  }

  /** Put a position on the account directly (entry price `entry`). */
  setPosition(symbol: string, amt: string, entry: string): void {
    this.positions.set(symbol, { amt: D(amt), entry: D(entry) });
  }

  /** The market trades `qty` (default: all that is left) of a resting order at its limit: maker. */
  execute(clientOrderId: string, qty?: string): UsdmServerTrade {
    const o = this.order(clientOrderId);
    if (!lookup.isOpen(o)) throw new Error(`local USD-M exchange: ${clientOrderId} is ${o.status}`);
    const left = D(o.origQty).sub(o.executedQty);
    const q = qty === undefined ? left : D(qty);
    if (!q.isPositive() || q.gt(left))
      throw new Error(
        `local USD-M exchange: cannot execute ${q} of ${clientOrderId} (${left} left)`,
      );
    return this.trade(o, D(o.price), q, true);
  }

  /** End the user-data streams' key: `listenKeyExpired` is pushed and the key forgotten. */
  expireListenKey(): void {
    for (const [ws, key] of this.streams) {
      ws.send(JSON.stringify({ e: "listenKeyExpired", E: Date.now(), listenKey: key }));
      this.pushed += 1;
      this.listenKeys.delete(key);
    }
  }

  /** Forget every listenKey without telling anyone (a keep-alive then gets -1125). */
  forgetListenKeys(): void {
    this.listenKeys.clear();
  }

  /** Push a raw frame on every user-data stream (to test validation). */
  pushRaw(text: string): void {
    for (const ws of this.streams.keys()) {
      ws.send(text);
      this.pushed += 1;
    }
  }

  /** Cut every user-data stream connection (no close frame). */
  dropStreams(): void {
    for (const ws of this.streams.keys()) ws.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.streams.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.http.close();
  }

  // --- the stream ---

  private onStream(ws: WebSocket, req: IncomingMessage): void {
    const m = /^\/ws\/([^/?]+)$/.exec(req.url ?? "");
    const key = m?.[1];
    if (key === undefined || !this.listenKeys.has(key)) {
      ws.close(1008, "invalid listenKey");
      return;
    }
    this.streams.set(ws, key);
    ws.on("close", () => this.streams.delete(ws));
    ws.on("error", () => {});
  }

  private push(msg: unknown): void {
    const text = JSON.stringify(msg);
    for (const [ws, key] of this.streams) {
      if (!this.listenKeys.has(key)) continue;
      ws.send(text);
      this.pushed += 1;
    }
  }

  private pushOrder(o: UsdmServerOrder, x: string, t?: UsdmServerTrade): void {
    this.push(orderTradeUpdate(o, x, t, Date.now()));
  }

  private pushAccount(symbol: string): void {
    const p = this.positions.get(symbol) ?? FLAT;
    this.push(accountUpdate("ORDER", this.wallet, "0", { symbol, p }, Date.now()));
  }

  // --- trading ---

  private trade(o: UsdmServerOrder, price: Decimal, qty: Decimal, maker: boolean): UsdmServerTrade {
    const t: UsdmServerTrade = {
      id: this.nextTradeId++,
      orderId: o.orderId,
      symbol: o.symbol,
      side: o.side,
      price,
      qty,
      commission: price.mul(qty).mul(maker ? this.maker : this.taker),
      maker,
      time: Date.now(),
    };
    this.trades.push(t);
    o.executedQty = o.executedQty.add(qty);
    o.cumQuote = o.cumQuote.add(price.mul(qty));
    o.status = o.executedQty.eq(D(o.origQty)) ? "FILLED" : "PARTIALLY_FILLED";
    o.updateTime = t.time;
    this.move(o.symbol, o.side === "BUY" ? qty : qty.negate(), price);
    this.pushOrder(o, "TRADE", t);
    this.pushAccount(o.symbol);
    return t;
  }

  /**
   * A funding settles at `time`: the position pays position x mark x rate
   * (longs pay when the rate is positive), recorded in the income history;
   * the stream gets an ACCOUNT_UPDATE with reason FUNDING_FEE and the balance
   * only, as Binance sends for cross margin.
   */
  settleFunding(symbol: string, rate: string, mark: string, time = Date.now()): Decimal {
    const amt = this.position(symbol);
    const income = amt.mul(D(mark)).mul(D(rate)).negate();
    this.fundingRates.push({ symbol, rate: D(rate), time, mark: D(mark) });
    if (!amt.isZero()) {
      this.fundingIncome.push({ symbol, income, time, tranId: this.nextTranId++ });
      this.push(accountUpdate("FUNDING_FEE", this.wallet, plainDecimal(income), undefined, time));
    }
    return income;
  }

  /** One-way position: add `signed` at `price` (average entry kept while it grows). */
  private move(symbol: string, signed: Decimal, price: Decimal): void {
    const p = this.positions.get(symbol) ?? { amt: Decimal.ZERO, entry: Decimal.ZERO };
    const amt = p.amt.add(signed);
    let entry = p.entry;
    if (amt.isZero()) entry = Decimal.ZERO;
    else if (p.amt.isZero() || p.amt.isNegative() !== amt.isNegative()) entry = price;
    else if (amt.abs().gt(p.amt.abs()))
      entry = p.entry.mul(p.amt.abs()).add(price.mul(signed.abs())).div(amt.abs());
    this.positions.set(symbol, { amt, entry });
  }

  // --- HTTP ---

  private route(r: UsdmRequest): RouteReply {
    const p = r.params;
    const m = `${r.method} ${r.path}`;
    if (m === "GET /fapi/v1/time") return [200, { serverTime: Date.now() }];
    if (m === "GET /fapi/v1/exchangeInfo") return [200, usdmExchangeInfo(this.symbols, Date.now())];
    if (m === "GET /fapi/v1/fundingRate") {
      const from = Number(p.get("startTime") ?? 0);
      const to = Number(p.get("endTime") ?? Number.MAX_SAFE_INTEGER);
      return [
        200,
        this.fundingRates
          .filter((f) => f.symbol === p.get("symbol") && f.time >= from && f.time <= to)
          .map(fundingRateJson),
      ];
    }
    if (r.path === "/fapi/v1/listenKey") {
      const bad = checkApiKey(r.headers["x-mbx-apikey"], this.o.apiKey);
      if (bad !== undefined) return bad;
      if (r.method === "POST") {
        const k = `localListenKey${String(this.nextKey++).padStart(4, "0")}`;
        this.listenKeys.add(k);
        return [200, { listenKey: k }];
      }
      if (r.method === "PUT") {
        return this.listenKeys.size > 0 ? [200, {}] : [400, ERR.noListenKey];
      }
      return [404, ""];
    }
    const bad = checkSigned(r, this.o, Date.now());
    if (bad !== undefined) return bad;
    switch (m) {
      case "GET /fapi/v1/positionSide/dual":
        return [200, { dualSidePosition: this.dualSidePosition }];
      case "GET /fapi/v2/account":
        return [200, accountJson(this.wallet)];
      case "GET /fapi/v2/positionRisk":
        return [200, this.symbols.map((s) => this.positionRow(s))];
      case "GET /fapi/v1/income": {
        if (p.get("incomeType") !== "FUNDING_FEE") return [200, []];
        const from = Number(p.get("startTime") ?? 0);
        return [200, this.fundingIncome.filter((f) => f.time >= from).map(fundingIncomeJson)];
      }
    }
    const symbol = p.get("symbol") ?? "";
    if (symbol === "") return [400, ERR.mandatory("symbol")];
    if (!this.symbols.includes(symbol)) return [400, ERR.badSymbol];
    switch (m) {
      case "POST /fapi/v1/leverage": {
        const lev = Number(p.get("leverage"));
        if (!Number.isInteger(lev) || lev < 1 || lev > 125)
          return [400, { code: -4028, msg: `Leverage ${p.get("leverage")} is not valid` }];
        this.leverage.set(symbol, lev);
        return [200, { leverage: lev, maxNotionalValue: "1000000", symbol }];
      }
      case "POST /fapi/v1/order":
        return this.place(p, symbol);
      case "DELETE /fapi/v1/order": {
        const o = lookup.findNamed(this.orders, p, symbol);
        if (o === undefined || !lookup.isOpen(o)) return [400, ERR.unknownOrder];
        o.status = "CANCELED";
        o.updateTime = Date.now();
        this.pushOrder(o, "CANCELED");
        return [200, orderJson(o)];
      }
      case "GET /fapi/v1/order": {
        const o = lookup.findNamed(this.orders, p, symbol);
        return o === undefined ? [400, ERR.noSuchOrder] : [200, orderJson(o)];
      }
      case "GET /fapi/v1/openOrders":
        return [
          200,
          this.orders.filter((o) => o.symbol === symbol && lookup.isOpen(o)).map(orderJson),
        ];
      case "GET /fapi/v1/userTrades": {
        const oid = p.get("orderId");
        return [
          200,
          this.trades
            .filter((t) => t.symbol === symbol && (oid === null || String(t.orderId) === oid))
            .map(userTradeJson),
        ];
      }
    }
    return [404, ""];
  }

  private place(p: URLSearchParams, symbol: string): RouteReply {
    const type = p.get("type");
    if (type !== "LIMIT" && type !== "MARKET") return [400, ERR.mandatory("type")];
    for (const k of type === "LIMIT"
      ? ["side", "quantity", "price", "timeInForce"]
      : ["side", "quantity"])
      if (!p.get(k)) return [400, ERR.mandatory(k)];
    if (type === "MARKET" && p.get("price") !== null)
      return [400, { code: -1106, msg: "Parameter 'price' sent when not required." }];
    const side = p.get("side");
    if (side !== "BUY" && side !== "SELL") return [400, ERR.mandatory("side")];
    const qty = Decimal.tryParse(p.get("quantity") ?? "");
    if (qty === undefined || !qty.isPositive()) return [400, ERR.mandatory("quantity")];
    const price = type === "LIMIT" ? Decimal.tryParse(p.get("price") ?? "") : Decimal.ZERO;
    if (price === undefined) return [400, ERR.mandatory("price")];
    if (type === "LIMIT" && !multipleOf(price, D(RULES.tickSize)))
      return [400, { code: -4014, msg: "Price not increased by tick size." }];
    if (!multipleOf(qty, D(type === "LIMIT" ? RULES.stepSize : RULES.marketStepSize)))
      return [400, { code: -1111, msg: "Precision is over the maximum defined for this asset." }];
    const reduceOnly = p.get("reduceOnly") === "true";
    const pos = this.position(symbol);
    if (reduceOnly && (pos.isZero() || pos.isPositive() === (side === "BUY")))
      return [400, ERR.reduceOnly];
    const cid = p.get("newClientOrderId") ?? `web_${this.nextOrderId}`;
    if (lookup.openWithClientId(this.orders, cid)) return [400, ERR.duplicate];
    const now = Date.now();
    const o: UsdmServerOrder = {
      symbol,
      orderId: this.nextOrderId++,
      clientOrderId: cid,
      side,
      type,
      reduceOnly,
      price: type === "LIMIT" ? (p.get("price") as string) : "0",
      origQty: p.get("quantity") as string,
      executedQty: Decimal.ZERO,
      cumQuote: Decimal.ZERO,
      status: "NEW",
      time: now,
      updateTime: now,
    };
    this.orders.push(o);
    this.pushOrder(o, "NEW");
    const book = this.books.get(symbol);
    const limit = reduceOnly ? pos.abs() : qty;
    const fillQty = qty.gt(limit) ? limit : qty;
    const cross = lookup.crossPrice(book, side, type === "MARKET" ? undefined : price);
    if (cross !== undefined) this.trade(o, cross, fillQty, false);
    if (
      (type === "MARKET" || reduceOnly) &&
      lookup.isOpen(o) &&
      (type === "MARKET" || !fillQty.eq(qty))
    ) {
      // A market order's unfilled rest (no book, or capped by reduce-only) expires.
      o.status = "EXPIRED";
      o.updateTime = Date.now();
      this.pushOrder(o, "EXPIRED");
    }
    return [200, orderJson(o)];
  }

  private positionRow(symbol: string): Record<string, unknown> {
    const book = this.books.get(symbol);
    const mark = book === undefined ? Decimal.ZERO : book.bid.add(book.ask).div(Decimal.fromInt(2));
    const p = this.positions.get(symbol) ?? FLAT;
    return positionRow(symbol, p, mark, this.leverage.get(symbol) ?? 20, Date.now());
  }
}
