/**
 * A local Binance REST exchange for tests (node:http on 127.0.0.1, random
 * port). It serves the spot (/api/v3) and USD-M (/fapi/v1) endpoints the port
 * uses, checks API key, HMAC signature and timestamp window like Binance,
 * replies with Binance's response and error bodies, sends the usage headers,
 * and can be told to fail: 5xx, 429 with Retry-After, 418, a reply that never
 * comes (optionally after the order was applied), or a delay.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

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
  price: string;
  origQty: string;
  executedQty: string;
  status: string;
  side: string;
  type: string;
  timeInForce: string;
  time: number;
  updateTime: number;
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

export interface LocalBinanceExchangeOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly symbols?: readonly string[];
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
  private nextOrderId = 1000;
  private weightUsed = 0;
  private ordersPlaced = 0;
  private readonly symbols: ReadonlySet<string>;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: LocalBinanceExchangeOptions,
  ) {
    this.symbols = new Set(options.symbols ?? ["BTCUSDT", "ETHUSDT"]);
  }

  static start(options: LocalBinanceExchangeOptions): Promise<LocalBinanceExchange> {
    return new Promise((resolve, reject) => {
      let ex: LocalBinanceExchange | undefined;
      const server = createServer((req, res) => ex?.handle(req, res));
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        ex = new LocalBinanceExchange(server, (server.address() as AddressInfo).port, options);
        resolve(ex);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Apply `fault` to the next `times` requests matching method/path. */
  inject(match: { method?: string; path?: string }, fault: Fault, times = 1): void {
    this.faults.push({ method: match.method, path: match.path, fault, remaining: times });
  }

  /** Requests to a path (optionally one method). */
  calls(path: string, method?: string): LocalExchangeRequest[] {
    return this.requests.filter(
      (r) => r.path === path && (method === undefined || r.method === method),
    );
  }

  /** Mark an order filled (as if the market traded through it). */
  fill(clientOrderId: string): void {
    const o = this.orders.find((x) => x.clientOrderId === clientOrderId);
    if (o) {
      o.status = "FILLED";
      o.executedQty = o.origQty;
    }
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
      executedQty: "0",
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
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.hanging) r.destroy();
    this.hanging.length = 0;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
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
    const authError = this.checkAuth(r);
    if (authError) return authError;
    const symbol = r.params.get("symbol") ?? "";
    if (!symbol) return [400, BINANCE_ERRORS.mandatory("symbol")];
    if (!this.symbols.has(symbol)) return [400, BINANCE_ERRORS.badSymbol];

    if (endpoint === "/order" && r.method === "POST") return this.place(r, symbol, futures);
    if (endpoint === "/order" && r.method === "DELETE") {
      this.weightUsed += 1;
      const o = this.find(r, symbol);
      if (!o || (o.status !== "NEW" && o.status !== "PARTIALLY_FILLED"))
        return [400, BINANCE_ERRORS.unknownOrder];
      o.status = "CANCELED";
      o.updateTime = Date.now();
      return [200, this.orderReply(o, futures)];
    }
    if (endpoint === "/order" && r.method === "GET") {
      this.weightUsed += futures ? 1 : 4;
      const o = this.find(r, symbol);
      if (!o) return [400, BINANCE_ERRORS.noSuchOrder];
      return [200, this.orderReply(o, futures)];
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

  private find(r: LocalExchangeRequest, symbol: string): ServerOrder | undefined {
    const cid = r.params.get("origClientOrderId");
    const oid = r.params.get("orderId");
    return this.orders.find(
      (o) =>
        o.symbol === symbol &&
        ((cid !== null && o.clientOrderId === cid) || (oid !== null && String(o.orderId) === oid)),
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
      executedQty: "0",
      status: "NEW",
      side: r.params.get("side") ?? "",
      type: r.params.get("type") ?? "",
      timeInForce: r.params.get("timeInForce") ?? "",
      time: now,
      updateTime: now,
    };
    this.orders.push(o);
    this.ordersPlaced += 1;
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
        price: o.price,
        origQty: o.origQty,
        executedQty: "0.00000000",
        origQuoteOrderQty: "0.00000000",
        cummulativeQuoteQty: "0.00000000",
        status: "NEW",
        timeInForce: o.timeInForce,
        type: o.type,
        side: o.side,
        workingTime: now,
        selfTradePreventionMode: "EXPIRE_MAKER",
        fills: [],
      },
      counts,
    ];
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
        cumQuote: "0",
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
      price: o.price,
      origQty: o.origQty,
      executedQty: o.executedQty,
      cummulativeQuoteQty: "0.00000000",
      status: o.status,
      timeInForce: o.timeInForce,
      type: o.type,
      side: o.side,
      stopPrice: "0.00000000",
      icebergQty: "0.00000000",
      time: o.time,
      updateTime: o.updateTime,
      isWorking: true,
      workingTime: o.time,
      origQuoteOrderQty: "0.00000000",
      selfTradePreventionMode: "EXPIRE_MAKER",
    };
  }
}
