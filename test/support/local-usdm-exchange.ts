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

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { Decimal } from "../../src/core/decimal.js";

const D = (s: string): Decimal => Decimal.parse(s);

export interface UsdmRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
}

export interface UsdmServerOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly side: "BUY" | "SELL";
  readonly type: "LIMIT" | "MARKET";
  readonly reduceOnly: boolean;
  /** As sent ("0" for MARKET). */
  readonly price: string;
  readonly origQty: string;
  executedQty: Decimal;
  cumQuote: Decimal;
  status: string;
  readonly time: number;
  updateTime: number;
}

export interface UsdmServerTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly commission: Decimal;
  readonly maker: boolean;
  readonly time: number;
}

export interface LocalUsdmExchangeOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Default BTCUSDT and ETHUSDT. */
  readonly symbols?: readonly string[];
  readonly makerRate?: string;
  readonly takerRate?: string;
  readonly walletBalance?: string;
}

const ERR = {
  apiKeyFormat: { code: -2014, msg: "API-key format invalid." },
  badApiKey: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
  badSignature: { code: -1022, msg: "Signature for this request is not valid." },
  badTimestamp: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
  badSymbol: { code: -1121, msg: "Invalid symbol." },
  duplicate: { code: -4116, msg: "ClientOrderId is duplicated." },
  unknownOrder: { code: -2011, msg: "Unknown order sent." },
  noSuchOrder: { code: -2013, msg: "Order does not exist." },
  reduceOnly: { code: -2022, msg: "ReduceOnly Order is rejected." },
  noListenKey: { code: -1125, msg: "This listenKey does not exist." },
  mandatory: (p: string) => ({
    code: -1102,
    msg: `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`,
  }),
} as const;

const RULES = {
  tickSize: "0.10",
  stepSize: "0.001",
  minQty: "0.001",
  marketStepSize: "0.001",
  marketMinQty: "0.001",
  minNotional: "5",
} as const;

const OPEN = new Set(["NEW", "PARTIALLY_FILLED"]);

/** Binance USD-M prints amounts as plain decimals; we keep 8 places at most, trailing zeros cut. */
function txt(d: Decimal): string {
  const s = d.quantize(8, "ROUND_HALF_EVEN").toString();
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

export class LocalUsdmExchange {
  readonly requests: UsdmRequest[] = [];
  readonly orders: UsdmServerOrder[] = [];
  readonly trades: UsdmServerTrade[] = [];
  /** Hedge mode (dualSidePosition). */
  dualSidePosition = false;
  readonly leverage = new Map<string, number>();
  readonly positions = new Map<string, { amt: Decimal; entry: Decimal }>();
  /** Events pushed on the user-data stream (all connections). */
  pushed = 0;
  /** FUNDING_FEE rows of the income history. */
  readonly fundingIncome: { symbol: string; income: Decimal; time: number; tranId: number }[] = [];
  /** Settled fundings (the public funding-rate history). */
  readonly fundingRates: { symbol: string; rate: Decimal; time: number; mark: Decimal }[] = [];
  private nextTranId = 7700;
  private readonly books = new Map<string, { bid: Decimal; ask: Decimal }>();
  private readonly listenKeys = new Set<string>();
  private readonly streams = new Map<WebSocket, string>();
  private nextOrderId = 8000;
  private nextTradeId = 90000;
  private nextKey = 1;
  private readonly maker: Decimal;
  private readonly taker: Decimal;
  private readonly symbols: readonly string[];

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
    private readonly o: LocalUsdmExchangeOptions,
  ) {
    this.symbols = o.symbols ?? ["BTCUSDT", "ETHUSDT"];
    this.maker = D(o.makerRate ?? "0.0002");
    this.taker = D(o.takerRate ?? "0.0005");
    wss.on("connection", (ws, req) => this.onStream(ws, req));
  }

  static start(o: LocalUsdmExchangeOptions): Promise<LocalUsdmExchange> {
    return new Promise((resolve, reject) => {
      let ex: LocalUsdmExchange | undefined;
      const server = createServer((req, res) => ex?.handle(req, res));
      const wss = new WebSocketServer({ server, perMessageDeflate: false });
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        ex = new LocalUsdmExchange(server, wss, (server.address() as AddressInfo).port, o);
        resolve(ex);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Base of the user-data stream (`<base>/ws/<listenKey>`). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Connected user-data streams. */
  get streamCount(): number {
    return this.streams.size;
  }

  calls(path: string, method?: string): UsdmRequest[] {
    return this.requests.filter(
      (r) => r.path === path && (method === undefined || r.method === method),
    );
  }

  order(clientOrderId: string): UsdmServerOrder {
    const o = [...this.orders].reverse().find((x) => x.clientOrderId === clientOrderId);
    if (o === undefined) throw new Error(`local USD-M exchange: no order ${clientOrderId}`);
    return o;
  }

  openOrders(): UsdmServerOrder[] {
    return this.orders.filter((o) => OPEN.has(o.status));
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
    if (!OPEN.has(o.status))
      throw new Error(`local USD-M exchange: ${clientOrderId} is ${o.status}`);
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

  close(): Promise<void> {
    for (const ws of this.streams.keys()) ws.terminate();
    return new Promise((resolve) => {
      this.wss.close(() => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    });
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
    const now = Date.now();
    this.push({
      e: "ORDER_TRADE_UPDATE",
      E: now,
      T: t?.time ?? now,
      o: {
        s: o.symbol,
        c: o.clientOrderId,
        S: o.side,
        o: o.type,
        f: o.type === "MARKET" ? "GTC" : "GTC",
        q: o.origQty,
        p: o.price,
        ap: txt(this.avgPrice(o)),
        sp: "0",
        x,
        X: o.status,
        i: o.orderId,
        l: t === undefined ? "0" : txt(t.qty),
        z: txt(o.executedQty),
        L: t === undefined ? "0" : txt(t.price),
        ...(t !== undefined ? { N: "USDT", n: txt(t.commission) } : {}),
        T: t?.time ?? now,
        t: t?.id ?? 0,
        b: "0",
        a: "0",
        m: t?.maker ?? false,
        R: o.reduceOnly,
        wt: "CONTRACT_PRICE",
        ot: o.type,
        ps: "BOTH",
        cp: false,
        rp: "0",
        pP: false,
        si: 0,
        ss: 0,
        V: "NONE",
        pm: "NONE",
        gtd: 0,
      },
    });
  }

  private pushAccount(symbol: string): void {
    const p = this.positions.get(symbol) ?? { amt: Decimal.ZERO, entry: Decimal.ZERO };
    this.push({
      e: "ACCOUNT_UPDATE",
      E: Date.now(),
      T: Date.now(),
      a: {
        m: "ORDER",
        B: [{ a: "USDT", wb: this.o.walletBalance ?? "10000", cw: "10000", bc: "0" }],
        P: [
          {
            s: symbol,
            pa: txt(p.amt),
            ep: txt(p.entry),
            bep: txt(p.entry),
            cr: "0",
            up: "0",
            mt: "cross",
            iw: "0",
            ps: "BOTH",
          },
        ],
      },
    });
  }

  // --- trading ---

  private avgPrice(o: UsdmServerOrder): Decimal {
    return o.executedQty.isZero() ? Decimal.ZERO : o.cumQuote.div(o.executedQty);
  }

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
      this.push({
        e: "ACCOUNT_UPDATE",
        E: time,
        T: time,
        a: {
          m: "FUNDING_FEE",
          B: [{ a: "USDT", wb: this.o.walletBalance ?? "10000", cw: "10000", bc: txt(income) }],
          P: [],
        },
      });
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

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const raw = req.url ?? "/";
    const q = raw.indexOf("?");
    const path = q === -1 ? raw : raw.slice(0, q);
    const rawQuery = q === -1 ? "" : raw.slice(q + 1);
    const r: UsdmRequest = {
      method: req.method ?? "GET",
      path,
      params: new URLSearchParams(rawQuery),
    };
    this.requests.push(r);
    req.resume();
    req.on("end", () => {
      const [status, body] = this.route(r, rawQuery, req.headers["x-mbx-apikey"]);
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    });
  }

  private checkKey(key: unknown): [number, unknown] | undefined {
    if (typeof key !== "string" || key === "") return [401, ERR.apiKeyFormat];
    if (key !== this.o.apiKey) return [401, ERR.badApiKey];
    return undefined;
  }

  private checkSigned(
    rawQuery: string,
    params: URLSearchParams,
    key: unknown,
  ): [number, unknown] | undefined {
    const k = this.checkKey(key);
    if (k !== undefined) return k;
    const at = rawQuery.lastIndexOf("&signature=");
    if (at === -1) return [400, ERR.mandatory("signature")];
    const sig = Buffer.from(rawQuery.slice(at + "&signature=".length), "utf8");
    const want = Buffer.from(
      createHmac("sha256", this.o.apiSecret).update(rawQuery.slice(0, at)).digest("hex"),
      "utf8",
    );
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return [400, ERR.badSignature];
    const ts = Number(params.get("timestamp"));
    const recv = Number(params.get("recvWindow") ?? "5000");
    const now = Date.now();
    if (!Number.isFinite(ts) || ts < now - recv || ts > now + 1000) return [400, ERR.badTimestamp];
    return undefined;
  }

  private route(r: UsdmRequest, rawQuery: string, key: unknown): [number, unknown] {
    const p = r.params;
    const m = `${r.method} ${r.path}`;
    if (m === "GET /fapi/v1/time") return [200, { serverTime: Date.now() }];
    if (m === "GET /fapi/v1/exchangeInfo") return [200, this.exchangeInfo()];
    if (m === "GET /fapi/v1/fundingRate") {
      const from = Number(p.get("startTime") ?? 0);
      const to = Number(p.get("endTime") ?? Number.MAX_SAFE_INTEGER);
      return [
        200,
        this.fundingRates
          .filter((f) => f.symbol === p.get("symbol") && f.time >= from && f.time <= to)
          .map((f) => ({
            symbol: f.symbol,
            fundingRate: txt(f.rate),
            fundingTime: f.time,
            markPrice: txt(f.mark),
          })),
      ];
    }
    if (r.path === "/fapi/v1/listenKey") {
      const bad = this.checkKey(key);
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
    const bad = this.checkSigned(rawQuery, p, key);
    if (bad !== undefined) return bad;
    switch (m) {
      case "GET /fapi/v1/positionSide/dual":
        return [200, { dualSidePosition: this.dualSidePosition }];
      case "GET /fapi/v2/account":
        return [200, this.account()];
      case "GET /fapi/v2/positionRisk":
        return [200, this.symbols.map((s) => this.positionRow(s))];
      case "GET /fapi/v1/income": {
        if (p.get("incomeType") !== "FUNDING_FEE") return [200, []];
        const from = Number(p.get("startTime") ?? 0);
        return [
          200,
          this.fundingIncome
            .filter((f) => f.time >= from)
            .map((f) => ({
              symbol: f.symbol,
              incomeType: "FUNDING_FEE",
              income: txt(f.income),
              asset: "USDT",
              info: "FUNDING_FEE",
              time: f.time,
              tranId: f.tranId,
              tradeId: "",
            })),
        ];
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
        const o = this.find(p, symbol);
        if (o === undefined || !OPEN.has(o.status)) return [400, ERR.unknownOrder];
        o.status = "CANCELED";
        o.updateTime = Date.now();
        this.pushOrder(o, "CANCELED");
        return [200, this.orderJson(o)];
      }
      case "GET /fapi/v1/order": {
        const o = this.find(p, symbol);
        return o === undefined ? [400, ERR.noSuchOrder] : [200, this.orderJson(o)];
      }
      case "GET /fapi/v1/openOrders":
        return [
          200,
          this.orders
            .filter((o) => o.symbol === symbol && OPEN.has(o.status))
            .map((o) => this.orderJson(o)),
        ];
      case "GET /fapi/v1/userTrades": {
        const oid = p.get("orderId");
        return [
          200,
          this.trades
            .filter((t) => t.symbol === symbol && (oid === null || String(t.orderId) === oid))
            .map((t) => ({
              buyer: t.side === "BUY",
              commission: txt(t.commission),
              commissionAsset: "USDT",
              id: t.id,
              maker: t.maker,
              orderId: t.orderId,
              price: txt(t.price),
              qty: txt(t.qty),
              quoteQty: txt(t.price.mul(t.qty)),
              realizedPnl: "0",
              side: t.side,
              positionSide: "BOTH",
              symbol: t.symbol,
              time: t.time,
            })),
        ];
      }
    }
    return [404, ""];
  }

  private find(p: URLSearchParams, symbol: string): UsdmServerOrder | undefined {
    const cid = p.get("origClientOrderId");
    const oid = p.get("orderId");
    return [...this.orders]
      .reverse()
      .find(
        (o) =>
          o.symbol === symbol &&
          ((cid !== null && o.clientOrderId === cid) ||
            (oid !== null && String(o.orderId) === oid)),
      );
  }

  private place(p: URLSearchParams, symbol: string): [number, unknown] {
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
    if (type === "LIMIT" && !this.onStep(price, D(RULES.tickSize)))
      return [400, { code: -4014, msg: "Price not increased by tick size." }];
    if (!this.onStep(qty, D(type === "LIMIT" ? RULES.stepSize : RULES.marketStepSize)))
      return [400, { code: -1111, msg: "Precision is over the maximum defined for this asset." }];
    const reduceOnly = p.get("reduceOnly") === "true";
    const pos = this.position(symbol);
    if (reduceOnly && (pos.isZero() || pos.isPositive() === (side === "BUY")))
      return [400, ERR.reduceOnly];
    const cid = p.get("newClientOrderId") ?? `web_${this.nextOrderId}`;
    if (this.orders.some((o) => o.clientOrderId === cid && OPEN.has(o.status)))
      return [400, ERR.duplicate];
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
    const crossPrice =
      book === undefined
        ? undefined
        : side === "BUY"
          ? type === "MARKET" || !price.lt(book.ask)
            ? book.ask
            : undefined
          : type === "MARKET" || !price.gt(book.bid)
            ? book.bid
            : undefined;
    if (crossPrice !== undefined) this.trade(o, crossPrice, fillQty, false);
    if (
      (type === "MARKET" || reduceOnly) &&
      OPEN.has(o.status) &&
      (type === "MARKET" || !fillQty.eq(qty))
    ) {
      // A market order's unfilled rest (no book, or capped by reduce-only) expires.
      o.status = "EXPIRED";
      o.updateTime = Date.now();
      this.pushOrder(o, "EXPIRED");
    }
    return [200, this.orderJson(o)];
  }

  private onStep(v: Decimal, step: Decimal): boolean {
    const q = v.div(step);
    return q.eq(q.quantize(0, "ROUND_DOWN"));
  }

  private orderJson(o: UsdmServerOrder): Record<string, unknown> {
    return {
      orderId: o.orderId,
      symbol: o.symbol,
      status: o.status,
      clientOrderId: o.clientOrderId,
      price: o.price,
      avgPrice: txt(this.avgPrice(o)),
      origQty: o.origQty,
      executedQty: txt(o.executedQty),
      cumQty: txt(o.executedQty),
      cumQuote: txt(o.cumQuote),
      timeInForce: "GTC",
      type: o.type,
      reduceOnly: o.reduceOnly,
      closePosition: false,
      side: o.side,
      positionSide: "BOTH",
      stopPrice: "0",
      workingType: "CONTRACT_PRICE",
      priceProtect: false,
      origType: o.type,
      priceMatch: "NONE",
      selfTradePreventionMode: "EXPIRE_MAKER",
      goodTillDate: 0,
      time: o.time,
      updateTime: o.updateTime,
    };
  }

  private positionRow(symbol: string): Record<string, unknown> {
    const p = this.positions.get(symbol) ?? { amt: Decimal.ZERO, entry: Decimal.ZERO };
    const book = this.books.get(symbol);
    const mark = book === undefined ? Decimal.ZERO : book.bid.add(book.ask).div(Decimal.fromInt(2));
    return {
      symbol,
      positionAmt: txt(p.amt),
      entryPrice: txt(p.entry),
      breakEvenPrice: txt(p.entry),
      markPrice: txt(mark),
      unRealizedProfit: "0",
      liquidationPrice: "0",
      leverage: String(this.leverage.get(symbol) ?? 20),
      maxNotionalValue: "1000000",
      marginType: "cross",
      isolatedMargin: "0",
      isAutoAddMargin: "false",
      positionSide: "BOTH",
      notional: txt(p.amt.mul(mark)),
      isolatedWallet: "0",
      updateTime: Date.now(),
    };
  }

  private account(): Record<string, unknown> {
    const w = this.o.walletBalance ?? "10000";
    return {
      feeTier: 0,
      canTrade: true,
      canDeposit: true,
      canWithdraw: true,
      updateTime: 0,
      multiAssetsMargin: false,
      totalInitialMargin: "0",
      totalMaintMargin: "0",
      totalWalletBalance: w,
      totalUnrealizedProfit: "0",
      totalMarginBalance: w,
      totalPositionInitialMargin: "0",
      totalOpenOrderInitialMargin: "0",
      totalCrossWalletBalance: w,
      totalCrossUnPnl: "0",
      availableBalance: w,
      maxWithdrawAmount: w,
      assets: [],
      positions: [],
    };
  }

  private exchangeInfo(): Record<string, unknown> {
    return {
      timezone: "UTC",
      serverTime: Date.now(),
      futuresType: "U_MARGINED",
      rateLimits: [],
      exchangeFilters: [],
      assets: [],
      symbols: this.symbols.map((symbol) => ({
        symbol,
        pair: symbol,
        contractType: "PERPETUAL",
        status: "TRADING",
        baseAsset: symbol.replace(/USDT$/, ""),
        quoteAsset: "USDT",
        marginAsset: "USDT",
        pricePrecision: 2,
        quantityPrecision: 3,
        filters: [
          {
            filterType: "PRICE_FILTER",
            minPrice: "0.10",
            maxPrice: "4529764",
            tickSize: RULES.tickSize,
          },
          {
            filterType: "LOT_SIZE",
            minQty: RULES.minQty,
            maxQty: "1000",
            stepSize: RULES.stepSize,
          },
          {
            filterType: "MARKET_LOT_SIZE",
            minQty: RULES.marketMinQty,
            maxQty: "120",
            stepSize: RULES.marketStepSize,
          },
          { filterType: "MAX_NUM_ORDERS", limit: 200 },
          { filterType: "MIN_NOTIONAL", notional: RULES.minNotional },
          {
            filterType: "PERCENT_PRICE",
            multiplierUp: "1.0500",
            multiplierDown: "0.9500",
            multiplierDecimal: "4",
          },
        ],
        orderTypes: [
          "LIMIT",
          "MARKET",
          "STOP",
          "STOP_MARKET",
          "TAKE_PROFIT",
          "TAKE_PROFIT_MARKET",
          "TRAILING_STOP_MARKET",
        ],
        timeInForce: ["GTC", "IOC", "FOK", "GTX", "GTD"],
      })),
    };
  }
}
