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

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Decimal } from "../../src/core/decimal.js";
import { SeededRandom } from "../../src/core/prng.js";

export interface LocalExchangeRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly params: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
}

export interface ServerOrder {
  symbol: string;
  orderId: number;
  clientOrderId: string;
  /** As sent (the replies print it with 8 places). */
  price: string;
  origQty: string;
  executedQty: string;
  cummulativeQuoteQty: string;
  status: string;
  side: string;
  type: string;
  timeInForce: string;
  time: number;
  updateTime: number;
}

/** One execution of an order. */
export interface ServerTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly price: string;
  readonly qty: string;
  readonly commission: string;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  readonly time: number;
}

/** Trading rules of a symbol (exchangeInfo filters). */
export interface SymbolRules {
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly tickSize: string;
  readonly minPrice: string;
  readonly maxPrice: string;
  readonly stepSize: string;
  readonly minQty: string;
  readonly maxQty: string;
  readonly minNotional: string;
}

export type Fault =
  /** Reply with this status/body (after applying the request when `apply`). */
  | {
      readonly kind: "reply";
      readonly status: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
      readonly apply?: boolean;
    }
  /** Never reply (the client times out); `apply` processes the request first. */
  | { readonly kind: "hang"; readonly apply: boolean }
  /** Reply normally, `ms` later. */
  | { readonly kind: "delay"; readonly ms: number };

interface FaultRule {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly fault: Fault;
  remaining: number;
}

export const BINANCE_ERRORS = {
  apiKeyFormat: { code: -2014, msg: "API-key format invalid." },
  badApiKey: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
  badSignature: { code: -1022, msg: "Signature for this request is not valid." },
  badTimestamp: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
  badSymbol: { code: -1121, msg: "Invalid symbol." },
  duplicate: { code: -2010, msg: "Duplicate order sent." },
  unknownOrder: { code: -2011, msg: "Unknown order sent." },
  noSuchOrder: { code: -2013, msg: "Order does not exist." },
  filter: (name: string) => ({ code: -1013, msg: `Filter failure: ${name}` }),
  mandatory: (p: string) => ({
    code: -1102,
    msg: `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`,
  }),
  tooMany: {
    code: -1003,
    msg: "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.",
  },
  banned: (until: number) => ({
    code: -1003,
    msg: `Way too many requests; IP(127.0.0.1) banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
  }),
  serverError: { code: -1000, msg: "An unknown error occurred while processing the request." },
} as const;

/** A change of an order, as the user data stream reports it (`executionReport`). */
export interface OrderUpdate {
  /** A copy of the order after the change. */
  readonly order: Readonly<ServerOrder>;
  /** NEW, TRADE, CANCELED, EXPIRED or REJECTED. */
  readonly executionType: string;
  readonly trade?: ServerTrade;
  /** The cancel request's own client id (CANCELED). */
  readonly cancelClientOrderId?: string;
  readonly rejectReason?: string;
}

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

const D = (s: string): Decimal => Decimal.parse(s);

/** Binance prints decimals with 8 places. */
export function fmt8(d: Decimal | string): string {
  const v = typeof d === "string" ? D(d) : d;
  return v.quantize(8, "ROUND_HALF_EVEN").toString();
}

function multipleOf(v: Decimal, step: Decimal): boolean {
  if (step.isZero()) return true;
  const q = v.div(step);
  return q.eq(q.quantize(0, "ROUND_DOWN"));
}

export class LocalBinanceExchange {
  readonly requests: LocalExchangeRequest[] = [];
  readonly orders: ServerOrder[] = [];
  /** Added to the server clock (to provoke -1021). */
  skewMs = 0;
  /** Extra headers on every reply (e.g. a high X-MBX-USED-WEIGHT-1M). */
  headerOverrides: Record<string, string> = {};
  private readonly faults: FaultRule[] = [];
  private readonly hanging: ServerResponse[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Every execution, in order. */
  readonly trades: ServerTrade[] = [];
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private nextCancelId = 1;
  private weightUsed = 0;
  private ordersPlaced = 0;
  private readonly rules = new Map<string, SymbolRules>();
  private readonly books = new Map<string, { bid: Decimal; ask: Decimal }>();
  private readonly commissionRate: Decimal;
  /** Every open connection, WebSocket ones included (destroyed by `close`). */
  sockets = new Set<Socket>();
  private readonly updateListeners: ((u: OrderUpdate) => void)[] = [];
  private randomFills: ReturnType<typeof setInterval> | undefined;
  /** Placements answered REJECTED (the order is refused after it was taken). */
  rejectPlacements = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
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
  }

  static start(options: LocalBinanceExchangeOptions): Promise<LocalBinanceExchange> {
    return new Promise((resolve, reject) => {
      let ex: LocalBinanceExchange | undefined;
      const sockets = new Set<Socket>();
      const server = createServer((req, res) => ex?.handle(req, res));
      server.once("error", reject);
      // Upgraded (WebSocket) sockets are not the HTTP server's to close: tracked here.
      server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
      });
      server.listen(0, "127.0.0.1", () => {
        ex = new LocalBinanceExchange(server, (server.address() as AddressInfo).port, options);
        ex.sockets = sockets;
        resolve(ex);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The underlying HTTP server (the WebSocket API attaches to it). */
  get httpServer(): Server {
    return this.server;
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
    this.faults.push({ method: match.method, path: match.path, fault, remaining: times });
  }

  /** Change a symbol's trading rules (exchangeInfo and the checks follow). */
  setRules(symbol: string, rules: Partial<SymbolRules>): void {
    const r = this.rules.get(symbol);
    if (r === undefined) throw new Error(`local exchange: no symbol ${symbol}`);
    this.rules.set(symbol, { ...r, ...rules });
  }

  /** Drop every fault not yet used. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Requests to a path (optionally one method). */
  calls(path: string, method?: string): LocalExchangeRequest[] {
    return this.requests.filter(
      (r) => r.path === path && (method === undefined || r.method === method),
    );
  }

  /** The order with this client id (the last one, when an id was reused). */
  order(clientOrderId: string): ServerOrder {
    const o = [...this.orders].reverse().find((x) => x.clientOrderId === clientOrderId);
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
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.hanging) r.destroy();
    this.hanging.length = 0;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  private now(): number {
    return Date.now() + this.skewMs;
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const rule = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || f.path === path),
    );
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? "" : rawUrl.slice(q + 1);
    const method = req.method ?? "GET";
    const r: LocalExchangeRequest = {
      method,
      path,
      rawQuery,
      params: new URLSearchParams(rawQuery),
      headers: req.headers,
    };
    this.requests.push(r);
    req.resume();
    req.on("end", () => {
      const fault = this.takeFault(method, path);
      if (fault?.kind === "delay") {
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.reply(res, ...this.route(r));
        }, fault.ms);
        this.timers.add(t);
        return;
      }
      if (fault?.kind === "hang") {
        if (fault.apply) this.route(r);
        this.hanging.push(res);
        return;
      }
      if (fault?.kind === "reply") {
        if (fault.apply) this.route(r);
        this.reply(res, fault.status, fault.body, fault.headers);
        return;
      }
      this.reply(res, ...this.route(r));
    });
  }

  private reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json;charset=UTF-8",
      "x-mbx-used-weight-1m": String(this.weightUsed),
      ...headers,
      ...this.headerOverrides,
    });
    res.end(text);
  }

  private route(r: LocalExchangeRequest): [number, unknown, Record<string, string>?] {
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
      return [200, this.exchangeInfo()];
    }
    const authError = this.checkAuth(r);
    if (authError) return authError;
    const symbol = r.params.get("symbol") ?? "";
    if (!symbol) return [400, BINANCE_ERRORS.mandatory("symbol")];
    if (!this.rules.has(symbol)) return [400, BINANCE_ERRORS.badSymbol];

    if (endpoint === "/order" && r.method === "POST") return this.place(r, symbol, futures);
    if (endpoint === "/order" && r.method === "DELETE") {
      this.weightUsed += 1;
      const o = this.find(r, symbol);
      if (!o || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED"))
        return [400, BINANCE_ERRORS.unknownOrder];
      o.status = "CANCELED";
      o.updateTime = Date.now();
      if (futures) return [200, this.orderReply(o, true)];
      const cancelId = r.params.get("newClientOrderId") ?? `cancel_${this.nextCancelId++}`;
      this.publish({ order: { ...o }, executionType: "CANCELED", cancelClientOrderId: cancelId });
      return [200, this.cancelReply(o, cancelId)];
    }
    if (endpoint === "/order" && r.method === "GET") {
      this.weightUsed += futures ? 1 : 4;
      const o = this.find(r, symbol);
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
          .filter(
            (o) => o.symbol === symbol && (o.status === "NEW" || o.status === "PARTIALLY_FILLED"),
          )
          .map((o) => this.orderReply(o, futures)),
      ];
    }
    return [404, ""];
  }

  private exchangeInfo(): Record<string, unknown> {
    return {
      timezone: "UTC",
      serverTime: this.now(),
      rateLimits: [
        { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 },
        { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
        { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: 200000 },
      ],
      exchangeFilters: [],
      symbols: [...this.rules].map(([symbol, r]) => ({
        symbol,
        status: "TRADING",
        baseAsset: r.baseAsset,
        baseAssetPrecision: 8,
        quoteAsset: r.quoteAsset,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
        icebergAllowed: true,
        ocoAllowed: true,
        otoAllowed: true,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: true,
        cancelReplaceAllowed: true,
        amendAllowed: true,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: [
          {
            filterType: "PRICE_FILTER",
            minPrice: fmt8(r.minPrice),
            maxPrice: fmt8(r.maxPrice),
            tickSize: fmt8(r.tickSize),
          },
          {
            filterType: "LOT_SIZE",
            minQty: fmt8(r.minQty),
            maxQty: fmt8(r.maxQty),
            stepSize: fmt8(r.stepSize),
          },
          {
            filterType: "NOTIONAL",
            minNotional: fmt8(r.minNotional),
            applyMinToMarket: true,
            maxNotional: "9000000.00000000",
            applyMaxToMarket: false,
            avgPriceMins: 5,
          },
        ],
        permissions: [],
        permissionSets: [["SPOT"]],
        defaultSelfTradePreventionMode: "EXPIRE_MAKER",
        allowedSelfTradePreventionModes: ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
      })),
    };
  }

  /** The filter a LIMIT order breaks, if any (PRICE_FILTER, LOT_SIZE, NOTIONAL). */
  private filterFailure(symbol: string, price: Decimal, qty: Decimal): string | undefined {
    const r = this.rules.get(symbol) as SymbolRules;
    if (price.lt(D(r.minPrice)) || price.gt(D(r.maxPrice)) || !multipleOf(price, D(r.tickSize)))
      return "PRICE_FILTER";
    if (qty.lt(D(r.minQty)) || qty.gt(D(r.maxQty)) || !multipleOf(qty, D(r.stepSize)))
      return "LOT_SIZE";
    if (price.mul(qty).lt(D(r.minNotional))) return "NOTIONAL";
    return undefined;
  }

  private checkAuth(r: LocalExchangeRequest): [number, unknown] | undefined {
    const key = r.headers["x-mbx-apikey"];
    if (typeof key !== "string" || key === "") return [401, BINANCE_ERRORS.apiKeyFormat];
    if (key !== this.options.apiKey) return [401, BINANCE_ERRORS.badApiKey];
    const at = r.rawQuery.lastIndexOf("&signature=");
    if (at === -1) return [400, BINANCE_ERRORS.mandatory("signature")];
    const payload = r.rawQuery.slice(0, at);
    const sig = Buffer.from(r.rawQuery.slice(at + "&signature=".length), "utf8");
    const want = Buffer.from(
      createHmac("sha256", this.options.apiSecret).update(payload).digest("hex"),
      "utf8",
    );
    if (sig.length !== want.length || !timingSafeEqual(sig, want))
      return [400, BINANCE_ERRORS.badSignature];
    const ts = Number(r.params.get("timestamp"));
    const recvWindow = Number(r.params.get("recvWindow") ?? "5000");
    const now = this.now();
    if (!Number.isFinite(ts) || ts < now - recvWindow || ts > now + 1000)
      return [400, BINANCE_ERRORS.badTimestamp];
    return undefined;
  }

  /** The order a request names (by client id: the latest with that id, as ids are reused). */
  private find(r: LocalExchangeRequest, symbol: string): ServerOrder | undefined {
    const cid = r.params.get("origClientOrderId");
    const oid = r.params.get("orderId");
    return [...this.orders]
      .reverse()
      .find(
        (o) =>
          o.symbol === symbol &&
          ((cid !== null && o.clientOrderId === cid) ||
            (oid !== null && String(o.orderId) === oid)),
      );
  }

  private place(
    r: LocalExchangeRequest,
    symbol: string,
    futures: boolean,
  ): [number, unknown, Record<string, string>?] {
    this.weightUsed += 1;
    for (const p of ["side", "type", "quantity", "price", "timeInForce"])
      if (!r.params.get(p)) return [400, BINANCE_ERRORS.mandatory(p)];
    const price = Decimal.tryParse(r.params.get("price") ?? "");
    const qty = Decimal.tryParse(r.params.get("quantity") ?? "");
    if (price === undefined) return [400, BINANCE_ERRORS.mandatory("price")];
    if (qty === undefined) return [400, BINANCE_ERRORS.mandatory("quantity")];
    if (!futures) {
      const failure = this.filterFailure(symbol, price, qty);
      if (failure !== undefined) return [400, BINANCE_ERRORS.filter(failure)];
    }
    const cid = r.params.get("newClientOrderId") ?? `web_${this.nextOrderId}`;
    if (
      this.orders.some(
        (o) => o.clientOrderId === cid && (o.status === "NEW" || o.status === "PARTIALLY_FILLED"),
      )
    )
      return [400, BINANCE_ERRORS.duplicate];
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
      return [
        200,
        {
          symbol,
          orderId: o.orderId,
          orderListId: -1,
          clientOrderId: cid,
          transactTime: now,
          ...this.writeReplyFields(o),
          workingTime: now,
          selfTradePreventionMode: "EXPIRE_MAKER",
          fills: [],
        },
      ];
    }
    if (!futures) this.publish({ order: { ...o }, executionType: "NEW" });
    const fills: ServerTrade[] = [];
    const book = futures ? undefined : this.books.get(symbol);
    if (book !== undefined) {
      if (o.side === "BUY" && !price.lt(book.ask)) fills.push(this.trade(o, book.ask, qty, false));
      if (o.side === "SELL" && !price.gt(book.bid)) fills.push(this.trade(o, book.bid, qty, false));
    }
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
    return [
      200,
      {
        symbol,
        orderId: o.orderId,
        orderListId: -1,
        clientOrderId: cid,
        transactTime: now,
        ...this.writeReplyFields(o),
        workingTime: now,
        selfTradePreventionMode: "EXPIRE_MAKER",
        fills: fills.map((t) => ({
          price: t.price,
          qty: t.qty,
          commission: t.commission,
          commissionAsset: t.commissionAsset,
          tradeId: t.id,
        })),
      },
      counts,
    ];
  }

  /**
   * GET /api/v3/myTrades: the account's trades of a symbol, oldest first;
   * `orderId` picks one order's, `fromId` starts at a trade id, `limit`
   * (default 500, at most 1000) caps the list.
   */
  private myTrades(r: LocalExchangeRequest, symbol: string): [number, unknown] {
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
        .map((t) => ({
          symbol: t.symbol,
          id: t.id,
          orderId: t.orderId,
          orderListId: -1,
          price: t.price,
          qty: t.qty,
          quoteQty: fmt8(D(t.price).mul(D(t.qty))),
          commission: t.commission,
          commissionAsset: t.commissionAsset,
          time: t.time,
          isBuyer: buyer.get(t.orderId) === true,
          isMaker: t.isMaker,
          isBestMatch: true,
        })),
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

  /** DELETE /api/v3/order reply: the order's id in origClientOrderId, the cancel's in clientOrderId. */
  private cancelReply(o: ServerOrder, cancelClientOrderId: string): Record<string, unknown> {
    return {
      symbol: o.symbol,
      origClientOrderId: o.clientOrderId,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: cancelClientOrderId,
      transactTime: o.updateTime,
      ...this.writeReplyFields(o),
      selfTradePreventionMode: "EXPIRE_MAKER",
    };
  }

  /** The fields a placement and a cancel reply share, in Binance's order. */
  private writeReplyFields(o: ServerOrder): Record<string, unknown> {
    return {
      price: fmt8(o.price),
      origQty: fmt8(o.origQty),
      executedQty: o.executedQty,
      origQuoteOrderQty: fmt8("0"),
      cummulativeQuoteQty: o.cummulativeQuoteQty,
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
    };
  }

  private orderReply(o: ServerOrder, futures: boolean): Record<string, unknown> {
    if (futures)
      return {
        orderId: o.orderId,
        symbol: o.symbol,
        status: o.status,
        clientOrderId: o.clientOrderId,
        price: o.price,
        avgPrice: "0.00000",
        origQty: o.origQty,
        executedQty: o.executedQty,
        cumQuote: o.cummulativeQuoteQty,
        timeInForce: o.timeInForce,
        type: o.type,
        reduceOnly: false,
        closePosition: false,
        side: o.side,
        positionSide: "BOTH",
        stopPrice: "0",
        workingType: "CONTRACT_PRICE",
        priceProtect: false,
        origType: o.type,
        priceMatch: "NONE",
        selfTradePreventionMode: "NONE",
        goodTillDate: 0,
        time: o.time,
        updateTime: o.updateTime,
      };
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fmt8(o.price),
      origQty: fmt8(o.origQty),
      executedQty: o.executedQty,
      cummulativeQuoteQty: o.cummulativeQuoteQty,
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      // stopPrice and icebergQty are conditional fields: absent for a plain LIMIT order.
      time: o.time,
      updateTime: o.updateTime,
      isWorking: true,
      workingTime: o.time,
      origQuoteOrderQty: "0.00000000",
      selfTradePreventionMode: "EXPIRE_MAKER",
    };
  }
}
