/**
 * A local Binance REST exchange for tests (node:http on 127.0.0.1, random
 * port). It serves the spot (/api/v3) and USD-M (/fapi/v1) endpoints our
 * clients use, checks API key, HMAC signature and timestamp window like
 * Binance, and replies with Binance's shapes (spot, as documented in
 * binance-spot-api-docs rest-api.md): the FULL placement reply with its
 * `fills`, the cancel reply (the order's id in `origClientOrderId`, the
 * cancel's own in `clientOrderId`), the order query and open-orders listing
 * with `cummulativeQuoteQty`, `exchangeInfo` with PRICE_FILTER, LOT_SIZE and
 * NOTIONAL filters (a placement breaking one is refused with -1013 "Filter
 * failure: ..."), decimals with 8 places, ids as JSON numbers.
 *
 * The market is the test's: `execute` trades a resting order fully or in
 * part at its limit (maker), `setBook` makes a placement that crosses the
 * book trade at once (taker, listed in the reply's fills). Commissions follow
 * Binance's rule without BNB: a BUY pays in the base asset, a SELL in the
 * quote asset. Everything happens whether or not a client is connected (fills
 * while the client is down). It can also be told to fail: 5xx, 429 with
 * Retry-After, 418, a reply that never comes (optionally after the order was
 * applied), or a delay.
 */

import type { Server } from "node:http";
import type { Socket } from "node:net";
import { Decimal } from "../../src/core/decimal.js";
import { SeededRandom } from "../../src/core/prng.js";
import { BINANCE_ERRORS, D, fmt8 } from "./local-exchange-format.js";
import {
  checkSigned,
  type Fault,
  type LocalExchangeRequest,
  LocalHttpServer,
  type RouteReply,
} from "./local-exchange-http.js";
import {
  type Book,
  crossPrice,
  findNamed,
  isOpen,
  latestByClientId,
  openWithClientId,
} from "./local-order-lookup.js";
import {
  cancelReply,
  filterFailure,
  myTradeJson,
  type OrderUpdate,
  placementReply,
  type ServerOrder,
  type ServerTrade,
  type SymbolRules,
  spotExchangeInfo,
  spotOrderJson,
} from "./local-spot-replies.js";
import { usdmOrderJson } from "./local-usdm-replies.js";

export { BINANCE_ERRORS, fmt8 } from "./local-exchange-format.js";
export type { Fault, LocalExchangeRequest } from "./local-exchange-http.js";
export type { OrderUpdate, ServerOrder, ServerTrade, SymbolRules } from "./local-spot-replies.js";

export interface LocalBinanceExchangeOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Traded symbols (default BTCUSDT and ETHUSDT), quoted in USDT unless `rules` says otherwise. */
  readonly symbols?: readonly string[];
  readonly rules?: Readonly<Record<string, Partial<SymbolRules>>>;
  /** Commission rate of every trade (default 0.001). */
  readonly commissionRate?: string;
  /** The account's balances at start (default 100 BTC, 1000 ETH, 1000000 USDT). */
  readonly balances?: Readonly<Record<string, string>>;
}

const DEFAULT_RULES: Omit<SymbolRules, "baseAsset" | "quoteAsset"> = {
  tickSize: "0.01",
  minPrice: "0.01",
  maxPrice: "1000000.00",
  stepSize: "0.001",
  minQty: "0.001",
  maxQty: "9000.000",
  minNotional: "0.05",
};

export class LocalBinanceExchange {
  readonly orders: ServerOrder[] = [];
  /** Added to the server clock (to provoke -1021). */
  skewMs = 0;
  /** Extra headers on every reply (e.g. a high X-MBX-USED-WEIGHT-1M). */
  headerOverrides: Record<string, string> = {};
  /** Every execution, in order. */
  readonly trades: ServerTrade[] = [];
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private nextCancelId = 1;
  private weightUsed = 0;
  private ordersPlaced = 0;
  private readonly rules = new Map<string, SymbolRules>();
  private readonly books = new Map<string, Book>();
  private readonly commissionRate: Decimal;
  private readonly updateListeners: ((u: OrderUpdate) => void)[] = [];
  private randomFills: ReturnType<typeof setInterval> | undefined;
  /** Placements answered REJECTED (the order is refused after it was taken). */
  rejectPlacements = 0;

  private constructor(
    private readonly http: LocalHttpServer,
    private readonly options: LocalBinanceExchangeOptions,
  ) {
    for (const symbol of options.symbols ?? ["BTCUSDT", "ETHUSDT"]) {
      const quoteAsset = symbol.endsWith("USDT") ? "USDT" : symbol.slice(-3);
      this.rules.set(symbol, {
        baseAsset: symbol.slice(0, symbol.length - quoteAsset.length),
        quoteAsset,
        ...DEFAULT_RULES,
        ...options.rules?.[symbol],
      });
    }
    this.commissionRate = D(options.commissionRate ?? "0.001");
    http.serve({
      route: (r) => this.route(r),
      replyHeaders: (routeHeaders) => ({
        "content-type": "application/json;charset=UTF-8",
        "x-mbx-used-weight-1m": String(this.weightUsed),
        ...routeHeaders,
        ...this.headerOverrides,
      }),
    });
  }

  static async start(options: LocalBinanceExchangeOptions): Promise<LocalBinanceExchange> {
    return new LocalBinanceExchange(await LocalHttpServer.start(), options);
  }

  get port(): number {
    return this.http.port;
  }

  get url(): string {
    return this.http.url;
  }

  /** Every request received, in order. */
  get requests(): LocalExchangeRequest[] {
    return this.http.requests;
  }

  /** Every open connection, WebSocket ones included (destroyed by `close`). */
  get sockets(): Set<Socket> {
    return this.http.sockets;
  }

  /** The underlying HTTP server (the WebSocket API attaches to it). */
  get httpServer(): Server {
    return this.http.server;
  }

  /** Credentials the exchange checks (the WebSocket API signs with the same). */
  get credentials(): { readonly apiKey: string; readonly apiSecret: string } {
    return { apiKey: this.options.apiKey, apiSecret: this.options.apiSecret };
  }

  /** The server clock (with `skewMs`). */
  serverNow(): number {
    return this.now();
  }

  /** Every order change, as it happens (whether or not anyone listens). */
  onOrderUpdate(listener: (u: OrderUpdate) => void): void {
    this.updateListeners.push(listener);
  }

  private publish(u: OrderUpdate): void {
    for (const l of this.updateListeners) l(u);
  }

  /** The account's balances now: the start balances plus what the trades changed. */
  account(): Map<string, Decimal> {
    const start = this.options.balances ?? { BTC: "100", ETH: "1000", USDT: "1000000" };
    const out = new Map<string, Decimal>(Object.entries(start).map(([a, v]) => [a, D(v)]));
    for (const [asset, change] of this.balanceChanges())
      out.set(asset, (out.get(asset) ?? Decimal.ZERO).add(change));
    return out;
  }

  /** The order leaves the book as EXPIRED (e.g. by self-trade prevention or maintenance). */
  expire(clientOrderId: string): void {
    const o = this.order(clientOrderId);
    if (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")
      throw new Error(`local exchange: ${clientOrderId} is ${o.status}, not open`);
    o.status = "EXPIRED";
    o.updateTime = Date.now();
    this.publish({ order: { ...o }, executionType: "EXPIRED" });
  }

  /**
   * The market trades through resting orders at random (seeded): every
   * `intervalMs` one open order of ours is picked and traded, in full with
   * probability `fullShare`, else a random part of what is left (on the
   * symbol's step). Runs until `stopRandomFills` or `close`, whether or not
   * a client is connected.
   */
  startRandomFills(o: { seed: number; intervalMs: number; fullShare: number }): void {
    this.stopRandomFills();
    const rng = new SeededRandom(o.seed);
    this.randomFills = setInterval(() => {
      const open = this.orders.filter((x) => x.status === "NEW" || x.status === "PARTIALLY_FILLED");
      if (open.length === 0) return;
      const x = open[rng.int(0, open.length - 1)] as ServerOrder;
      const step = D((this.rules.get(x.symbol) as SymbolRules).stepSize);
      const steps = Number(
        D(x.origQty).sub(D(x.executedQty)).div(step).quantize(0, "ROUND_DOWN").toString(),
      );
      if (steps < 1) return;
      const full = steps === 1 || rng.next() < o.fullShare;
      const n = full ? steps : rng.int(1, steps - 1);
      this.trade(x, D(x.price), step.mul(Decimal.fromInt(n)), true);
    }, o.intervalMs);
  }

  stopRandomFills(): void {
    if (this.randomFills !== undefined) clearInterval(this.randomFills);
    this.randomFills = undefined;
  }

  /** Apply `fault` to the next `times` requests matching method/path. */
  inject(match: { method?: string; path?: string }, fault: Fault, times = 1): void {
    this.http.inject(match, fault, times);
  }

  /** Change a symbol's trading rules (exchangeInfo and the checks follow). */
  setRules(symbol: string, rules: Partial<SymbolRules>): void {
    const r = this.rules.get(symbol);
    if (r === undefined) throw new Error(`local exchange: no symbol ${symbol}`);
    this.rules.set(symbol, { ...r, ...rules });
  }

  /** Drop every fault not yet used. */
  clearFaults(): void {
    this.http.clearFaults();
  }

  /** Requests to a path (optionally one method). */
  calls(path: string, method?: string): LocalExchangeRequest[] {
    return this.http.calls(path, method);
  }

  /** The order with this client id (the last one, when an id was reused). */
  order(clientOrderId: string): ServerOrder {
    const o = latestByClientId(this.orders, clientOrderId);
    if (o === undefined) throw new Error(`local exchange: no order ${clientOrderId}`);
    return o;
  }

  /**
   * The market trades through a resting order: `qty` of it (default: all
   * that is left) executes at its limit price, as maker. Throws when the
   * order is not open or `qty` is more than is left.
   */
  execute(clientOrderId: string, qty?: string): ServerTrade {
    const o = this.order(clientOrderId);
    if (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED")
      throw new Error(`local exchange: ${clientOrderId} is ${o.status}, not open`);
    const left = D(o.origQty).sub(D(o.executedQty));
    const q = qty === undefined ? left : D(qty);
    if (!q.isPositive() || q.gt(left))
      throw new Error(`local exchange: cannot execute ${q} of ${clientOrderId} (${left} left)`);
    return this.trade(o, D(o.price), q, true);
  }

  /** Mark an order filled (the market traded through all of it). */
  fill(clientOrderId: string): void {
    this.execute(clientOrderId);
  }

  /**
   * Best bid and ask of a symbol: a placement that crosses them trades at
   * once (a BUY at or above the ask fills at the ask, a SELL at or below the
   * bid at the bid), in full, as taker. Without a book nothing trades at
   * placement.
   */
  setBook(symbol: string, bid: string, ask: string): void {
    this.books.set(symbol, { bid: D(bid), ask: D(ask) });
  }

  private trade(o: ServerOrder, price: Decimal, qty: Decimal, isMaker: boolean): ServerTrade {
    const rules = this.rules.get(o.symbol) as SymbolRules;
    const buy = o.side === "BUY";
    const commission = (buy ? qty : price.mul(qty)).mul(this.commissionRate);
    const now = Date.now();
    const t: ServerTrade = {
      id: this.nextTradeId++,
      orderId: o.orderId,
      symbol: o.symbol,
      price: fmt8(price),
      qty: fmt8(qty),
      commission: fmt8(commission),
      commissionAsset: buy ? rules.baseAsset : rules.quoteAsset,
      isMaker,
      time: now,
    };
    this.trades.push(t);
    const executed = D(o.executedQty).add(qty);
    o.executedQty = fmt8(executed);
    o.cummulativeQuoteQty = fmt8(D(o.cummulativeQuoteQty).add(price.mul(qty)));
    o.status = executed.eq(D(o.origQty)) ? "FILLED" : "PARTIALLY_FILLED";
    o.updateTime = now;
    this.publish({ order: { ...o }, executionType: "TRADE", trade: t });
    return t;
  }

  /** Put an order on the book directly (e.g. one left over from a previous run). */
  seedOrder(p: {
    symbol: string;
    clientOrderId: string;
    side: string;
    price: string;
    qty: string;
  }): ServerOrder {
    const now = Date.now();
    const o: ServerOrder = {
      symbol: p.symbol,
      orderId: this.nextOrderId++,
      clientOrderId: p.clientOrderId,
      price: p.price,
      origQty: p.qty,
      executedQty: fmt8("0"),
      cummulativeQuoteQty: fmt8("0"),
      status: "NEW",
      side: p.side,
      type: "LIMIT",
      timeInForce: "GTC",
      time: now,
      updateTime: now,
    };
    this.orders.push(o);
    return o;
  }

  close(): Promise<void> {
    this.stopRandomFills();
    return this.http.close();
  }

  private now(): number {
    return Date.now() + this.skewMs;
  }

  private route(r: LocalExchangeRequest): RouteReply {
    const futures = r.path.startsWith("/fapi/");
    const prefix = futures ? "/fapi/v1" : "/api/v3";
    if (!r.path.startsWith(prefix)) return [404, ""];
    const endpoint = r.path.slice(prefix.length);
    if (endpoint === "/time" && r.method === "GET") {
      this.weightUsed += 1;
      return [200, { serverTime: this.now() }];
    }
    if (endpoint === "/ping") return [200, {}];
    if (endpoint === "/exchangeInfo" && r.method === "GET" && !futures) {
      this.weightUsed += 20;
      return [200, spotExchangeInfo(this.rules, this.now())];
    }
    const authError = checkSigned(r, this.credentials, this.now());
    if (authError) return authError;
    const symbol = r.params.get("symbol") ?? "";
    if (!symbol) return [400, BINANCE_ERRORS.mandatory("symbol")];
    if (!this.rules.has(symbol)) return [400, BINANCE_ERRORS.badSymbol];

    if (endpoint === "/order" && r.method === "POST") return this.place(r, symbol, futures);
    if (endpoint === "/order" && r.method === "DELETE") {
      this.weightUsed += 1;
      const o = findNamed(this.orders, r.params, symbol);
      if (!o || !isOpen(o)) return [400, BINANCE_ERRORS.unknownOrder];
      o.status = "CANCELED";
      o.updateTime = Date.now();
      if (futures) return [200, this.orderReply(o, true)];
      const cancelId = r.params.get("newClientOrderId") ?? `cancel_${this.nextCancelId++}`;
      this.publish({ order: { ...o }, executionType: "CANCELED", cancelClientOrderId: cancelId });
      return [200, cancelReply(o, cancelId)];
    }
    if (endpoint === "/order" && r.method === "GET") {
      this.weightUsed += futures ? 1 : 4;
      const o = findNamed(this.orders, r.params, symbol);
      if (!o) return [400, BINANCE_ERRORS.noSuchOrder];
      return [200, this.orderReply(o, futures)];
    }
    if (endpoint === "/myTrades" && r.method === "GET" && !futures) {
      this.weightUsed += 20;
      return this.myTrades(r, symbol);
    }
    if (endpoint === "/openOrders" && r.method === "GET") {
      this.weightUsed += futures ? 1 : 6;
      return [
        200,
        this.orders
          .filter((o) => o.symbol === symbol && isOpen(o))
          .map((o) => this.orderReply(o, futures)),
      ];
    }
    return [404, ""];
  }

  private place(r: LocalExchangeRequest, symbol: string, futures: boolean): RouteReply {
    this.weightUsed += 1;
    for (const p of ["side", "type", "quantity", "price", "timeInForce"])
      if (!r.params.get(p)) return [400, BINANCE_ERRORS.mandatory(p)];
    const price = Decimal.tryParse(r.params.get("price") ?? "");
    const qty = Decimal.tryParse(r.params.get("quantity") ?? "");
    if (price === undefined) return [400, BINANCE_ERRORS.mandatory("price")];
    if (qty === undefined) return [400, BINANCE_ERRORS.mandatory("quantity")];
    if (!futures) {
      const failure = filterFailure(this.rules.get(symbol) as SymbolRules, price, qty);
      if (failure !== undefined) return [400, BINANCE_ERRORS.filter(failure)];
    }
    const cid = r.params.get("newClientOrderId") ?? `web_${this.nextOrderId}`;
    if (openWithClientId(this.orders, cid)) return [400, BINANCE_ERRORS.duplicate];
    const now = Date.now();
    const o: ServerOrder = {
      symbol,
      orderId: this.nextOrderId++,
      clientOrderId: cid,
      price: r.params.get("price") ?? "0",
      origQty: r.params.get("quantity") ?? "0",
      executedQty: fmt8("0"),
      cummulativeQuoteQty: fmt8("0"),
      status: "NEW",
      side: r.params.get("side") ?? "",
      type: r.params.get("type") ?? "",
      timeInForce: r.params.get("timeInForce") ?? "",
      time: now,
      updateTime: now,
    };
    this.orders.push(o);
    this.ordersPlaced += 1;
    if (!futures && this.rejectPlacements > 0) {
      this.rejectPlacements -= 1;
      o.status = "REJECTED";
      this.publish({
        order: { ...o },
        executionType: "REJECTED",
        rejectReason: "INSUFFICIENT_BALANCE",
      });
      return [200, placementReply(o, now, [])];
    }
    if (!futures) this.publish({ order: { ...o }, executionType: "NEW" });
    const fills: ServerTrade[] = [];
    const book = futures ? undefined : this.books.get(symbol);
    const cross = crossPrice(book, o.side, price);
    if (cross !== undefined) fills.push(this.trade(o, cross, qty, false));
    const counts: Record<string, string> = futures
      ? {
          "x-mbx-order-count-10s": String(this.ordersPlaced),
          "x-mbx-order-count-1m": String(this.ordersPlaced),
        }
      : {
          "x-mbx-order-count-10s": String(this.ordersPlaced),
          "x-mbx-order-count-1d": String(this.ordersPlaced),
        };
    if (futures) return [200, this.orderReply(o, true), counts];
    return [200, placementReply(o, now, fills), counts];
  }

  /**
   * GET /api/v3/myTrades: the account's trades of a symbol, oldest first;
   * `orderId` picks one order's, `fromId` starts at a trade id, `limit`
   * (default 500, at most 1000) caps the list.
   */
  private myTrades(r: LocalExchangeRequest, symbol: string): RouteReply {
    const num = (key: string): number | undefined | null => {
      const v = r.params.get(key);
      if (v === null) return undefined;
      return /^\d+$/.test(v) ? Number(v) : null;
    };
    const orderId = num("orderId");
    const fromId = num("fromId");
    const limit = num("limit") ?? 500;
    if (orderId === null) return [400, BINANCE_ERRORS.mandatory("orderId")];
    if (fromId === null) return [400, BINANCE_ERRORS.mandatory("fromId")];
    if (limit === null || limit < 1 || limit > 1000)
      return [400, BINANCE_ERRORS.mandatory("limit")];
    const buyer = new Map(this.orders.map((o) => [o.orderId, o.side === "BUY"]));
    return [
      200,
      this.trades
        .filter(
          (t) =>
            t.symbol === symbol &&
            (orderId === undefined || t.orderId === orderId) &&
            (fromId === undefined || t.id >= fromId),
        )
        .slice(0, limit)
        .map((t) => myTradeJson(t, buyer.get(t.orderId) === true)),
    ];
  }

  /**
   * What the account's balances changed by through its trades, per asset
   * (a BUY adds the base and pays the quote, a SELL the reverse; each
   * commission leaves its asset).
   */
  balanceChanges(): Map<string, Decimal> {
    const out = new Map<string, Decimal>();
    const add = (asset: string, v: Decimal): void => {
      out.set(asset, (out.get(asset) ?? Decimal.ZERO).add(v));
    };
    const sides = new Map(this.orders.map((o) => [o.orderId, o.side]));
    for (const t of this.trades) {
      const rules = this.rules.get(t.symbol) as SymbolRules;
      const qty = D(t.qty);
      const quote = D(t.price).mul(qty);
      const buy = sides.get(t.orderId) === "BUY";
      add(rules.baseAsset, buy ? qty : qty.negate());
      add(rules.quoteAsset, buy ? quote.negate() : quote);
      add(t.commissionAsset, D(t.commission).negate());
    }
    return out;
  }

  /** The base and quote assets of a symbol. */
  assetsOf(symbol: string): { readonly base: string; readonly quote: string } {
    const r = this.rules.get(symbol);
    if (r === undefined) throw new Error(`local exchange: no symbol ${symbol}`);
    return { base: r.baseAsset, quote: r.quoteAsset };
  }

  private orderReply(o: ServerOrder, futures: boolean): Record<string, unknown> {
    if (!futures) return spotOrderJson(o);
    return usdmOrderJson({
      ...o,
      avgPrice: "0.00000",
      cumQuote: o.cummulativeQuoteQty,
      reduceOnly: false,
      selfTradePreventionMode: "NONE",
    });
  }
}
