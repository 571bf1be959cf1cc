/**
 * BinanceRestClient: Binance's REST API (spot /api/v3 or USD-M futures
 * /fapi/v1) with Node's fetch, one method per endpoint we use, replies parsed
 * (`binance-order-reply.ts`).
 *
 * Safety: the base URL defaults to the testnet and production hosts are
 * refused; symbols can be whitelisted; the keys are required and never
 * exposed (private fields, never logged).
 *
 * Robustness: signed requests use the server-time offset (resynced once on
 * -1021); Retry-After after 429 is honoured and a 418 stops every write;
 * usage headers slow writes near limits; a write whose reply never came (or
 * came back 5xx / "execution status unknown") is resolved by querying the
 * order by its client order id, never by sending it again: the caller
 * chooses the client order id, so the same order always has the same id.
 */

import type { Clock, Sleep } from "../../core/clock.js";
import type { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type { OrderSide } from "../../domain/enums.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import { realSleep, systemClock } from "../../net/clock.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTimeoutError } from "../../net/errors/connector-timeout-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { OrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import { FetchHttpClient, type HttpClient, type HttpMethod } from "../../net/http-client.js";
import {
  BINANCE_CODE_CANCEL_REJECTED,
  BINANCE_CODE_INVALID_TIMESTAMP,
  BINANCE_CODE_NO_SUCH_ORDER,
  BINANCE_CODE_REJECTED,
  mapBinanceError,
  STATUS_UNKNOWN_BINANCE_CODES,
} from "./binance-error-mapping.js";
import {
  type BinanceOrder,
  type BinanceTrade,
  OPEN_ORDER_STATUSES,
  parseBinanceOrder,
  parseBinanceTrade,
} from "./binance-order-reply.js";
import {
  BinanceRateLimitGuard,
  type BinanceRateLimits,
  DEFAULT_RATE_LIMITS,
} from "./binance-rate-limits.js";
import { type QueryParams, signedQuery } from "./binance-signing.js";
import { type BinanceMarket, type Env, resolveRestUrl, restApiPrefix } from "./binance-urls.js";
import { parseExchangeInfo } from "./exchange-info.js";
import { plainDecimal } from "./plain-decimal.js";
import { ServerTimeSync } from "./server-time-sync.js";

export interface BinanceRestClientOptions {
  readonly market?: BinanceMarket;
  /** Default env GRINDER_BINANCE_REST_URL, else the market's testnet. Production hosts are refused. */
  readonly baseUrl?: string;
  readonly env?: Env;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** Allowed symbols (empty = all). */
  readonly symbolWhitelist?: readonly string[];
  readonly recvWindowMs?: number;
  /** Per-request deadline. */
  readonly timeoutMs?: number;
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly rateLimits?: BinanceRateLimits;
  /** Wait before querying an order whose write outcome is unknown. Default 1000 ms. */
  readonly unknownStatusQueryDelayMs?: number;
}

/** A limit order to place (GTC), under the caller's client order id. */
export interface LimitOrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly clientOrderId: string;
}

/**
 * An order of any type we send: LIMIT (GTC, `price` sent) or MARKET (no
 * price); USD-M only: `reduceOnly`, and `newOrderRespType` RESULT (the reply
 * shows the executed quantity of a MARKET order).
 */
export interface OrderRequest extends LimitOrderRequest {
  readonly type?: "LIMIT" | "MARKET";
  readonly reduceOnly?: boolean;
  readonly responseType?: "ACK" | "RESULT" | "FULL";
}

export interface BinanceRestClientStats {
  httpCalls: number;
  ordersPlaced: number;
  ordersCancelled: number;
  timeSyncs: number;
  timestampResyncs: number;
  statusQueries: number;
  unknownResolvedApplied: number;
  unknownResolvedNotApplied: number;
}

type Json = Record<string, unknown>;

export class BinanceRestClient {
  readonly market: BinanceMarket;
  readonly baseUrl: string;
  readonly rateGuard: BinanceRateLimitGuard;
  readonly timeSync: ServerTimeSync;
  readonly stats: BinanceRestClientStats = {
    httpCalls: 0,
    ordersPlaced: 0,
    ordersCancelled: 0,
    timeSyncs: 0,
    timestampResyncs: 0,
    statusQueries: 0,
    unknownResolvedApplied: 0,
    unknownResolvedNotApplied: 0,
  };
  private readonly whitelist: readonly string[];
  private readonly recvWindowMs: number;
  private readonly timeoutMs: number;
  private readonly http: HttpClient;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly unknownStatusQueryDelayMs: number;
  readonly #apiKey: string;
  readonly #apiSecret: string;

  constructor(options: BinanceRestClientOptions) {
    this.market = options.market ?? "spot";
    this.baseUrl = resolveRestUrl(this.market, options.baseUrl, options.env ?? {});
    this.#apiKey = options.apiKey;
    this.#apiSecret = options.apiSecret;
    this.whitelist = [...(options.symbolWhitelist ?? [])];
    this.recvWindowMs = options.recvWindowMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.unknownStatusQueryDelayMs = options.unknownStatusQueryDelayMs ?? 1000;
    const problems: string[] = [];
    if (
      !Number.isInteger(this.recvWindowMs) ||
      this.recvWindowMs <= 0 ||
      this.recvWindowMs > 60_000
    )
      problems.push("recvWindowMs must be an integer in 1..60000");
    if (!(this.timeoutMs > 0)) problems.push("timeoutMs must be positive");
    if (this.#apiKey === "" || this.#apiSecret === "")
      problems.push("apiKey and apiSecret are required");
    if (problems.length > 0) throw new ConfigError(problems.join("; "));
    this.http = options.httpClient ?? new FetchHttpClient();
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.rateGuard = new BinanceRateLimitGuard({
      limits: options.rateLimits ?? DEFAULT_RATE_LIMITS[this.market],
      clock: this.clock,
      sleep: this.sleep,
    });
    this.timeSync = new ServerTimeSync(() => this.fetchServerTime(), this.clock);
  }

  // --- writes ---

  /**
   * Place a GTC limit order; resolves with the exchange's reply (FULL: with
   * the fills the placement made). An unknown outcome is resolved by a
   * query: found -> its state; not found -> a transient error (safe to
   * retry with the same id); the query failing too -> OrderStatusUnknownError.
   * "Duplicate order sent" for our id means an earlier attempt landed: the
   * order's state is returned.
   */
  async placeLimitOrder(req: LimitOrderRequest): Promise<BinanceOrder> {
    return this.placeOrder(req);
  }

  /** Place a LIMIT GTC or MARKET order (see `placeLimitOrder` for unknown outcomes). */
  async placeOrder(req: OrderRequest): Promise<BinanceOrder> {
    this.validateSymbol(req.symbol);
    if (!req.price.isPositive() || !req.quantity.isPositive())
      throw new ConnectorNonRetryableError(
        `Invalid order: price ${req.price.toString()} and quantity ${req.quantity.toString()} must be positive`,
      );
    const market = req.type === "MARKET";
    const params: QueryParams = [
      ["symbol", req.symbol],
      ["side", req.side],
      ["type", market ? "MARKET" : "LIMIT"],
      ...(market ? [] : ([["timeInForce", "GTC"]] as QueryParams)),
      ["quantity", plainDecimal(req.quantity)],
      ...(market ? [] : ([["price", plainDecimal(req.price)]] as QueryParams)),
      ["newClientOrderId", req.clientOrderId],
      ...(req.reduceOnly === true ? ([["reduceOnly", "true"]] as QueryParams) : []),
      ...(req.responseType !== undefined
        ? ([["newOrderRespType", req.responseType]] as QueryParams)
        : []),
    ];
    try {
      const body = await this.signedRaw("place", "POST", "/order", params, true);
      this.stats.ordersPlaced += 1;
      return parseBinanceOrder(body, "place");
    } catch (e) {
      if (this.outcomeUnknown(e)) return this.resolvePlace(req, e);
      if (
        isConnectorIOError(e) &&
        e.exchangeCode === BINANCE_CODE_REJECTED &&
        /duplicate/i.test(e.message)
      ) {
        const found = await this.queryOrder(req.symbol, req.clientOrderId);
        if (found !== undefined) return found;
      }
      throw e;
    }
  }

  /**
   * Cancel by client order id; resolves with the order's state after it (its
   * executed quantity included). An order no longer open ("-2011") resolves
   * with its state as the exchange keeps it (FILLED, CANCELED, ...); one the
   * exchange does not know rethrows the -2011 error. An unknown outcome is
   * resolved by a query: still open -> a transient error (not applied).
   */
  async cancelOrder(symbol: string, clientOrderId: string): Promise<BinanceOrder> {
    this.validateSymbol(symbol);
    const params: QueryParams = [
      ["symbol", symbol],
      ["origClientOrderId", clientOrderId],
    ];
    try {
      const body = await this.signedRaw("cancel", "DELETE", "/order", params, true);
      this.stats.ordersCancelled += 1;
      return parseBinanceOrder(body, "cancel");
    } catch (e) {
      if (this.outcomeUnknown(e)) return this.resolveCancel(symbol, clientOrderId, e);
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_CANCEL_REJECTED) {
        const found = await this.queryOrder(symbol, clientOrderId);
        if (found !== undefined && !OPEN_ORDER_STATUSES.has(found.status)) return found;
      }
      throw e;
    }
  }

  // --- reads ---

  async openOrders(symbol: string): Promise<BinanceOrder[]> {
    this.validateSymbol(symbol);
    const body = await this.signedRaw(
      "open_orders",
      "GET",
      "/openOrders",
      [["symbol", symbol]],
      false,
    );
    if (!Array.isArray(body))
      throw new ConnectorTransientError("open_orders: expected a JSON array from Binance");
    return body.map((o) => parseBinanceOrder(o, "open_orders"));
  }

  /**
   * The account's executions of one order (`GET /api/v3/myTrades` with
   * `orderId`), oldest first, with their commissions.
   */
  async myTrades(symbol: string, orderId: string): Promise<BinanceTrade[]> {
    this.validateSymbol(symbol);
    const body = await this.signedRaw(
      "my_trades",
      "GET",
      "/myTrades",
      [
        ["symbol", symbol],
        ["orderId", orderId],
      ],
      false,
    );
    if (!Array.isArray(body))
      throw new ConnectorTransientError("my_trades: expected a JSON array from Binance");
    return body.map((t, i) => parseBinanceTrade(t, `my_trades reply [${i}]`));
  }

  /** One order by client order id; undefined when the exchange does not know it (-2013). */
  async queryOrder(symbol: string, clientOrderId: string): Promise<BinanceOrder | undefined> {
    this.validateSymbol(symbol);
    this.stats.statusQueries += 1;
    try {
      const body = await this.signedRaw(
        "query_order",
        "GET",
        "/order",
        [
          ["symbol", symbol],
          ["origClientOrderId", clientOrderId],
        ],
        false,
      );
      return parseBinanceOrder(body, "query_order");
    } catch (e) {
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_NO_SUCH_ORDER) return undefined;
      throw e;
    }
  }

  /**
   * Any other signed endpoint, by its full path ("/fapi/v2/positionRisk"):
   * the parsed JSON reply (Binance errors thrown as connector errors).
   */
  signedJson(
    op: string,
    method: HttpMethod,
    apiPath: string,
    params: QueryParams,
    isWrite = false,
  ): Promise<unknown> {
    return this.signedRaw(op, method, apiPath, params, isWrite, true);
  }

  /** An endpoint that takes the API key but no signature (USER_STREAM: the listenKey). */
  apiKeyJson(op: string, method: HttpMethod, apiPath: string): Promise<unknown> {
    return this.unsignedJson(op, method, apiPath, true);
  }

  /** The exchange's trading rules (`GET .../exchangeInfo`, public), as sent. */
  exchangeInfo(): Promise<unknown> {
    return this.publicJson("exchange_info", `${restApiPrefix(this.market)}/exchangeInfo`);
  }

  /** The filters by symbol of `exchangeInfo` (a reply that does not parse: a transient error). */
  async exchangeFilters(): Promise<Map<string, InstrumentSpec>> {
    const raw = await this.exchangeInfo();
    try {
      return parseExchangeInfo(raw, "exchange_info reply");
    } catch (e) {
      throw new ConnectorTransientError(errorMessage(e), { cause: e });
    }
  }

  /** A public GET endpoint by its full path (exchangeInfo). */
  publicJson(op: string, apiPath: string): Promise<unknown> {
    return this.unsignedJson(op, "GET", apiPath, false);
  }

  private async unsignedJson(
    op: string,
    method: HttpMethod,
    apiPath: string,
    withKey: boolean,
  ): Promise<unknown> {
    await this.rateGuard.beforeRequest(op, false);
    const res = await this.http.request({
      method,
      url: `${this.baseUrl}${apiPath}`,
      ...(withKey ? { headers: { "X-MBX-APIKEY": this.#apiKey } } : {}),
      timeoutMs: this.timeoutMs,
      op,
    });
    this.stats.httpCalls += 1;
    this.rateGuard.onResponse(res.status, res.headers);
    if (res.status < 200 || res.status >= 300)
      throw mapBinanceError(op, res.status, res.bodyText, res.headers, this.clock.nowMs());
    return parseJson(res.bodyText, op);
  }

  /** Resync the server-time offset now. */
  async syncTime(): Promise<number> {
    this.stats.timeSyncs += 1;
    return this.timeSync.sync();
  }

  // --- internals ---

  private validateSymbol(symbol: string): void {
    if (this.whitelist.length > 0 && !this.whitelist.includes(symbol))
      throw new ConnectorNonRetryableError(
        `Symbol '${symbol}' not in whitelist: ${JSON.stringify(this.whitelist)}`,
      );
  }

  /** A write whose outcome we cannot know from the reply. */
  private outcomeUnknown(e: unknown): boolean {
    if (isConnectorTimeoutError(e)) return true;
    if (!isConnectorIOError(e)) return false;
    if (e.httpStatus !== undefined && e.httpStatus >= 500) return true;
    return e.exchangeCode !== undefined && STATUS_UNKNOWN_BINANCE_CODES.has(e.exchangeCode);
  }

  /** After an unknown outcome: the order as the exchange has it (undefined: it does not). */
  private async lookup(
    symbol: string,
    clientOrderId: string,
    op: string,
    cause: unknown,
  ): Promise<BinanceOrder | undefined> {
    if (this.unknownStatusQueryDelayMs > 0) await this.sleep(this.unknownStatusQueryDelayMs);
    try {
      return await this.queryOrder(symbol, clientOrderId);
    } catch (qe) {
      throw new OrderStatusUnknownError(
        op,
        clientOrderId,
        `${errorMessage(cause)}; status query failed: ${errorMessage(qe)}`,
        { cause: qe },
      );
    }
  }

  private async resolvePlace(req: OrderRequest, cause: unknown): Promise<BinanceOrder> {
    const found = await this.lookup(req.symbol, req.clientOrderId, "place", cause);
    if (found === undefined) {
      this.stats.unknownResolvedNotApplied += 1;
      throw new ConnectorTransientError(
        `place outcome checked after "${errorMessage(cause)}": order ${req.clientOrderId} does not exist, so it was not placed; safe to retry`,
        { cause },
      );
    }
    this.stats.unknownResolvedApplied += 1;
    this.stats.ordersPlaced += 1;
    return found;
  }

  private async resolveCancel(
    symbol: string,
    clientOrderId: string,
    cause: unknown,
  ): Promise<BinanceOrder> {
    const found = await this.lookup(symbol, clientOrderId, "cancel", cause);
    if (found === undefined || OPEN_ORDER_STATUSES.has(found.status)) {
      this.stats.unknownResolvedNotApplied += 1;
      throw new ConnectorTransientError(
        `cancel outcome checked after "${errorMessage(cause)}": order ${clientOrderId} is ${found?.status ?? "not found"}; cancel not applied`,
        { cause },
      );
    }
    this.stats.unknownResolvedApplied += 1;
    if (found.status === "CANCELED") this.stats.ordersCancelled += 1;
    return found;
  }

  private url(path: string, query: string): string {
    return `${this.baseUrl}${restApiPrefix(this.market)}${path}${query ? `?${query}` : ""}`;
  }

  private async fetchServerTime(): Promise<number> {
    await this.rateGuard.beforeRequest("time", false);
    const res = await this.http.request({
      method: "GET",
      url: this.url("/time", ""),
      timeoutMs: this.timeoutMs,
      op: "time",
    });
    this.stats.httpCalls += 1;
    this.rateGuard.onResponse(res.status, res.headers, res.bodyText);
    if (res.status < 200 || res.status >= 300)
      throw mapBinanceError("time", res.status, res.bodyText, res.headers, this.clock.nowMs());
    const body = parseJson(res.bodyText, "time") as Json;
    if (typeof body.serverTime !== "number")
      throw new ConnectorTransientError(
        `time: reply without serverTime: ${res.bodyText.slice(0, 200)}`,
      );
    return body.serverTime;
  }

  private async signedRaw(
    op: string,
    method: HttpMethod,
    path: string,
    params: QueryParams,
    isWrite: boolean,
    absolutePath = false,
  ): Promise<unknown> {
    if (!this.timeSync.isSynced) await this.syncTime();
    for (let attempt = 0; ; attempt++) {
      await this.rateGuard.beforeRequest(op, isWrite);
      const query = signedQuery(params, this.#apiSecret, this.timeSync.nowMs(), this.recvWindowMs);
      const res = await this.http.request({
        method,
        url: absolutePath
          ? `${this.baseUrl}${path}${query ? `?${query}` : ""}`
          : this.url(path, query),
        headers: { "X-MBX-APIKEY": this.#apiKey },
        timeoutMs: this.timeoutMs,
        op,
      });
      this.stats.httpCalls += 1;
      this.rateGuard.onResponse(res.status, res.headers, res.bodyText);
      if (res.status >= 200 && res.status < 300) return parseJson(res.bodyText, op);
      const err = mapBinanceError(op, res.status, res.bodyText, res.headers, this.clock.nowMs());
      if (err.exchangeCode === BINANCE_CODE_INVALID_TIMESTAMP && attempt === 0) {
        // Rejected before execution: safe to resend with a corrected clock.
        this.stats.timestampResyncs += 1;
        await this.syncTime();
        continue;
      }
      throw err;
    }
  }
}

function parseJson(text: string, op: string): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ConnectorTransientError(`${op}: reply is not JSON: ${text.slice(0, 200)}`);
  }
}
