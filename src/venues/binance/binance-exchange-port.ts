/**
 * BinanceExchangePort: the LiveExchangePort over Binance's REST API (spot
 * /api/v3 or USD-M futures /fapi/v1) with Node's fetch.
 *
 * Safety: writes need SafeMode.LIVE_TRADE; the base URL defaults to the
 * testnet and production hosts are refused; symbols can be whitelisted;
 * dry-run answers writes without a single HTTP call.
 *
 * Robustness: signed requests use the server-time offset (resynced once on
 * -1021); Retry-After after 429 is honoured and a 418 stops every write;
 * usage headers slow writes near limits; a write whose reply never came (or
 * came back 5xx / "execution status unknown") is resolved by querying the
 * order by its client order id, never by placing it again.
 */

import type { Clock, Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import { OrderSide, OrderState } from "../../domain/enums.js";
import { realSleep, systemClock } from "../../net/clock.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTimeoutError } from "../../net/errors/connector-timeout-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { OrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import { FetchHttpClient, type HttpClient, type HttpMethod } from "../../net/http-client.js";
import type {
  CancelOrderRequest,
  LiveExchangePort,
  LiveOrderRecord,
  PlaceOrderRequest,
  ReplaceOrderRequest,
} from "../common/exchange-port.js";
import { DEFAULT_KEY_SCOPE, placeKey, replaceKey } from "../common/order-keys.js";
import { SafeMode } from "../common/safe-mode.js";
import {
  BINANCE_CODE_CANCEL_REJECTED,
  BINANCE_CODE_INVALID_TIMESTAMP,
  BINANCE_CODE_NO_SUCH_ORDER,
  BINANCE_CODE_REJECTED,
  mapBinanceError,
  STATUS_UNKNOWN_BINANCE_CODES,
} from "./binance-error-mapping.js";
import {
  BinanceRateLimitGuard,
  type BinanceRateLimits,
  DEFAULT_RATE_LIMITS,
} from "./binance-rate-limits.js";
import { type QueryParams, signedQuery } from "./binance-signing.js";
import { type BinanceMarket, type Env, resolveRestUrl, restApiPrefix } from "./binance-urls.js";
import {
  assertClientOrderIdPrefix,
  clientOrderIdFromKey,
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
} from "./client-order-id.js";
import { OrderRegistry, type RegisteredOrder } from "./order-registry.js";
import { plainDecimal } from "./plain-decimal.js";
import { ServerTimeSync } from "./server-time-sync.js";

export interface BinanceExchangePortOptions {
  /** Default READ_ONLY: every write refused. */
  readonly mode?: SafeMode;
  readonly market?: BinanceMarket;
  /** Default env GRINDER_BINANCE_REST_URL, else the market's testnet. Production hosts are refused. */
  readonly baseUrl?: string;
  readonly env?: Env;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /** Allowed symbols (empty = all). */
  readonly symbolWhitelist?: readonly string[];
  readonly recvWindowMs?: number;
  /** Per-request deadline. */
  readonly timeoutMs?: number;
  /** Answer writes with synthetic results and make zero HTTP calls. */
  readonly dryRun?: boolean;
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly clientOrderIdPrefix?: string;
  readonly keyScope?: string;
  readonly rateLimits?: BinanceRateLimits;
  /** Wait before querying an order whose write outcome is unknown. Default 1000 ms. */
  readonly unknownStatusQueryDelayMs?: number;
}

export interface BinanceExchangePortStats {
  httpCalls: number;
  dryRunWrites: number;
  ordersPlaced: number;
  ordersCancelled: number;
  ordersReplaced: number;
  timeSyncs: number;
  timestampResyncs: number;
  statusQueries: number;
  unknownResolvedApplied: number;
  unknownResolvedNotApplied: number;
}

type Json = Record<string, unknown>;

const OPEN_STATUSES = new Set(["NEW", "PARTIALLY_FILLED", "PENDING_NEW"]);

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function decimalOr(v: unknown, fallback: Decimal): Decimal {
  const s = str(v);
  return s === undefined ? fallback : (Decimal.tryParse(s) ?? fallback);
}

export class BinanceExchangePort implements LiveExchangePort {
  readonly mode: SafeMode;
  readonly market: BinanceMarket;
  readonly baseUrl: string;
  readonly dryRun: boolean;
  readonly registry = new OrderRegistry();
  readonly rateGuard: BinanceRateLimitGuard;
  readonly timeSync: ServerTimeSync;
  readonly stats: BinanceExchangePortStats = {
    httpCalls: 0,
    dryRunWrites: 0,
    ordersPlaced: 0,
    ordersCancelled: 0,
    ordersReplaced: 0,
    timeSyncs: 0,
    timestampResyncs: 0,
    statusQueries: 0,
    unknownResolvedApplied: 0,
    unknownResolvedNotApplied: 0,
  };
  readonly clientOrderIdPrefix: string;
  private readonly whitelist: readonly string[];
  private readonly recvWindowMs: number;
  private readonly timeoutMs: number;
  private readonly http: HttpClient;
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly keyScope: string;
  private readonly unknownStatusQueryDelayMs: number;
  readonly #apiKey: string;
  readonly #apiSecret: string;

  constructor(options: BinanceExchangePortOptions = {}) {
    this.mode = options.mode ?? SafeMode.READ_ONLY;
    this.market = options.market ?? "spot";
    this.baseUrl = resolveRestUrl(this.market, options.baseUrl, options.env ?? {});
    this.dryRun = options.dryRun ?? false;
    this.#apiKey = options.apiKey ?? "";
    this.#apiSecret = options.apiSecret ?? "";
    this.whitelist = [...(options.symbolWhitelist ?? [])];
    this.recvWindowMs = options.recvWindowMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clientOrderIdPrefix = options.clientOrderIdPrefix ?? DEFAULT_CLIENT_ORDER_ID_PREFIX;
    this.keyScope = options.keyScope ?? DEFAULT_KEY_SCOPE;
    this.unknownStatusQueryDelayMs = options.unknownStatusQueryDelayMs ?? 1000;
    const problems: string[] = [];
    if (
      !Number.isInteger(this.recvWindowMs) ||
      this.recvWindowMs <= 0 ||
      this.recvWindowMs > 60_000
    )
      problems.push("recvWindowMs must be an integer in 1..60000");
    if (!(this.timeoutMs > 0)) problems.push("timeoutMs must be positive");
    if (!this.dryRun && (this.#apiKey === "" || this.#apiSecret === ""))
      problems.push("apiKey and apiSecret are required unless dryRun");
    if (problems.length > 0) throw new ConfigError(problems.join("; "));
    assertClientOrderIdPrefix(this.clientOrderIdPrefix);
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

  async placeOrder(req: PlaceOrderRequest): Promise<string> {
    this.validateWrite("place_order", req.symbol);
    if (!req.price.isPositive() || !req.quantity.isPositive())
      throw new ConnectorNonRetryableError(
        `Invalid order: price ${req.price.toString()} and quantity ${req.quantity.toString()} must be positive`,
      );
    const key = req.idempotencyKey ?? placeKey(req, this.keyScope);
    return this.placeWithClientId(req, clientOrderIdFromKey(key, this.clientOrderIdPrefix));
  }

  async cancelOrder(req: CancelOrderRequest): Promise<boolean> {
    assertWriteMode(this.mode, "cancel_order");
    const order = this.known(req.orderId, "cancel");
    this.validateSymbol(order.symbol);
    if (this.dryRun) {
      this.stats.dryRunWrites += 1;
      return true;
    }
    const params: QueryParams = [
      ["symbol", order.symbol],
      ["origClientOrderId", order.clientOrderId],
    ];
    try {
      const body = await this.signed("cancel", "DELETE", "/order", params, true);
      this.stats.ordersCancelled += 1;
      return body.status === "CANCELED";
    } catch (e) {
      if (this.outcomeUnknown(e)) return this.resolveCancel(order, e);
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_CANCEL_REJECTED) {
        // Already cancelled (a retry) or no longer open (filled): the order tells.
        const status = await this.statusOrUndefined(order);
        if (status === undefined || OPEN_STATUSES.has(status)) throw e;
        return status === "CANCELED";
      }
      throw e;
    }
  }

  async replaceOrder(req: ReplaceOrderRequest): Promise<string> {
    this.validateWrite("replace_order", undefined);
    const old = this.known(req.orderId, "replace");
    this.validateSymbol(old.symbol);
    const key = req.idempotencyKey ?? replaceKey(req, this.keyScope);
    const cancelled = await this.cancelOrder({ orderId: req.orderId, idempotencyKey: key });
    if (!cancelled)
      throw new ConnectorNonRetryableError(
        `Cannot replace order '${req.orderId}': it is no longer open (filled or expired), so no replacement was placed`,
      );
    const id = await this.placeWithClientId(
      {
        symbol: old.symbol,
        side: old.side,
        price: req.newPrice,
        quantity: req.newQuantity,
        levelId: old.levelId,
        ts: req.ts,
      },
      clientOrderIdFromKey(key, this.clientOrderIdPrefix),
    );
    this.stats.ordersReplaced += 1;
    return id;
  }

  // --- reads ---

  async fetchOpenOrders(symbol: string): Promise<LiveOrderRecord[]> {
    this.validateSymbol(symbol);
    if (this.dryRun) return [];
    const body = await this.signedList("open_orders", "/openOrders", [["symbol", symbol]]);
    const out: LiveOrderRecord[] = [];
    for (const o of body) {
      const rec = this.recordOf(o, symbol);
      if (rec === undefined) continue;
      out.push(rec);
      this.registry.register({
        clientOrderId: rec.orderId,
        symbol,
        side: rec.side,
        levelId: rec.levelId,
        price: rec.price,
        quantity: rec.quantity,
        exchangeOrderId: rec.exchangeOrderId,
      });
    }
    return out;
  }

  /** Query one order by client order id (GET order). */
  async queryOrder(symbol: string, clientOrderId: string): Promise<Json> {
    this.validateSymbol(symbol);
    this.stats.statusQueries += 1;
    return this.signed(
      "query_order",
      "GET",
      "/order",
      [
        ["symbol", symbol],
        ["origClientOrderId", clientOrderId],
      ],
      false,
    );
  }

  /** Resync the server-time offset now. */
  async syncTime(): Promise<number> {
    this.stats.timeSyncs += 1;
    return this.timeSync.sync();
  }

  // --- internals ---

  private validateWrite(op: string, symbol: string | undefined): void {
    assertWriteMode(this.mode, op);
    if (symbol !== undefined) this.validateSymbol(symbol);
  }

  private validateSymbol(symbol: string): void {
    if (this.whitelist.length > 0 && !this.whitelist.includes(symbol))
      throw new ConnectorNonRetryableError(
        `Symbol '${symbol}' not in whitelist: ${JSON.stringify(this.whitelist)}`,
      );
  }

  private known(orderId: string, op: string): RegisteredOrder {
    const o = this.registry.get(orderId);
    if (o === undefined)
      throw new ConnectorNonRetryableError(
        `Cannot ${op} order '${orderId}': not placed or adopted by this port (fetch open orders first)`,
      );
    return o;
  }

  private async placeWithClientId(req: PlaceOrderRequest, clientOrderId: string): Promise<string> {
    const entry: RegisteredOrder = {
      clientOrderId,
      symbol: req.symbol,
      side: req.side,
      levelId: req.levelId,
      price: req.price,
      quantity: req.quantity,
      exchangeOrderId: undefined,
    };
    if (this.dryRun) {
      this.stats.dryRunWrites += 1;
      this.registry.register(entry);
      return clientOrderId;
    }
    const params: QueryParams = [
      ["symbol", req.symbol],
      ["side", req.side],
      ["type", "LIMIT"],
      ["timeInForce", "GTC"],
      ["quantity", plainDecimal(req.quantity)],
      ["price", plainDecimal(req.price)],
      ["newClientOrderId", clientOrderId],
    ];
    try {
      const body = await this.signed("place", "POST", "/order", params, true);
      this.registry.register({ ...entry, exchangeOrderId: str(body.orderId) });
      this.stats.ordersPlaced += 1;
      return clientOrderId;
    } catch (e) {
      if (this.outcomeUnknown(e)) return this.resolvePlace(entry, e);
      if (
        isConnectorIOError(e) &&
        e.exchangeCode === BINANCE_CODE_REJECTED &&
        /duplicate/i.test(e.message)
      ) {
        // Our id is already on the book: an earlier attempt did land.
        const status = await this.statusOrUndefined(entry);
        if (status !== undefined) return clientOrderId;
      }
      throw e;
    }
  }

  /** A write whose outcome we cannot know from the reply. */
  private outcomeUnknown(e: unknown): boolean {
    if (isConnectorTimeoutError(e)) return true;
    if (!isConnectorIOError(e)) return false;
    if (e.httpStatus !== undefined && e.httpStatus >= 500) return true;
    return e.exchangeCode !== undefined && STATUS_UNKNOWN_BINANCE_CODES.has(e.exchangeCode);
  }

  private async lookup(
    order: RegisteredOrder,
    op: string,
    cause: unknown,
  ): Promise<Json | undefined> {
    if (this.unknownStatusQueryDelayMs > 0) await this.sleep(this.unknownStatusQueryDelayMs);
    try {
      return await this.queryOrder(order.symbol, order.clientOrderId);
    } catch (qe) {
      if (isConnectorIOError(qe) && qe.exchangeCode === BINANCE_CODE_NO_SUCH_ORDER)
        return undefined;
      throw new OrderStatusUnknownError(
        op,
        order.clientOrderId,
        `${errorMessage(cause)}; status query failed: ${errorMessage(qe)}`,
        { cause: qe },
      );
    }
  }

  private async resolvePlace(order: RegisteredOrder, cause: unknown): Promise<string> {
    const found = await this.lookup(order, "place", cause);
    if (found === undefined) {
      this.stats.unknownResolvedNotApplied += 1;
      throw new ConnectorTransientError(
        `place outcome checked after "${errorMessage(cause)}": order ${order.clientOrderId} does not exist, so it was not placed; safe to retry`,
        { cause },
      );
    }
    this.stats.unknownResolvedApplied += 1;
    this.stats.ordersPlaced += 1;
    this.registry.register({ ...order, exchangeOrderId: str(found.orderId) });
    return order.clientOrderId;
  }

  private async resolveCancel(order: RegisteredOrder, cause: unknown): Promise<boolean> {
    const found = await this.lookup(order, "cancel", cause);
    const status = found === undefined ? undefined : str(found.status);
    if (status === undefined || OPEN_STATUSES.has(status)) {
      this.stats.unknownResolvedNotApplied += 1;
      throw new ConnectorTransientError(
        `cancel outcome checked after "${errorMessage(cause)}": order ${order.clientOrderId} is ${status ?? "not found"}; cancel not applied`,
        { cause },
      );
    }
    this.stats.unknownResolvedApplied += 1;
    if (status === "CANCELED") this.stats.ordersCancelled += 1;
    return status === "CANCELED";
  }

  private async statusOrUndefined(order: RegisteredOrder): Promise<string | undefined> {
    try {
      return str((await this.queryOrder(order.symbol, order.clientOrderId)).status);
    } catch (e) {
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_NO_SUCH_ORDER) return undefined;
      throw e;
    }
  }

  private recordOf(o: unknown, symbol: string): LiveOrderRecord | undefined {
    if (typeof o !== "object" || o === null) return undefined;
    const j = o as Json;
    const cid = str(j.clientOrderId) ?? str(j.orderId);
    if (cid === undefined) return undefined;
    const known = this.registry.get(cid);
    return {
      orderId: cid,
      exchangeOrderId: str(j.orderId),
      symbol,
      side: j.side === "BUY" ? OrderSide.BUY : OrderSide.SELL,
      price: decimalOr(j.price, Decimal.ZERO),
      quantity: decimalOr(j.origQty, Decimal.ZERO),
      filledQuantity: decimalOr(j.executedQty, Decimal.ZERO),
      state: j.status === "PARTIALLY_FILLED" ? OrderState.PARTIALLY_FILLED : OrderState.OPEN,
      levelId: known?.levelId ?? 0,
      createdTs: typeof j.time === "number" ? j.time : 0,
    };
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
    this.rateGuard.onResponse(res.status, res.headers);
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
  ): Promise<unknown> {
    if (!this.timeSync.isSynced) await this.syncTime();
    for (let attempt = 0; ; attempt++) {
      await this.rateGuard.beforeRequest(op, isWrite);
      const query = signedQuery(params, this.#apiSecret, this.timeSync.nowMs(), this.recvWindowMs);
      const res = await this.http.request({
        method,
        url: this.url(path, query),
        headers: { "X-MBX-APIKEY": this.#apiKey },
        timeoutMs: this.timeoutMs,
        op,
      });
      this.stats.httpCalls += 1;
      this.rateGuard.onResponse(res.status, res.headers);
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

  private async signed(
    op: string,
    method: HttpMethod,
    path: string,
    params: QueryParams,
    isWrite: boolean,
  ): Promise<Json> {
    const body = await this.signedRaw(op, method, path, params, isWrite);
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Json) : {};
  }

  private async signedList(op: string, path: string, params: QueryParams): Promise<unknown[]> {
    const body = await this.signedRaw(op, "GET", path, params, false);
    if (!Array.isArray(body))
      throw new ConnectorTransientError(`${op}: expected a JSON array from Binance`);
    return body;
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

function assertWriteMode(mode: SafeMode, op: string): void {
  if (mode !== SafeMode.LIVE_TRADE)
    throw new ConnectorNonRetryableError(
      `Cannot ${op}: mode=${mode}, requires LIVE_TRADE. Set mode=live_trade to enable trading.`,
    );
}
