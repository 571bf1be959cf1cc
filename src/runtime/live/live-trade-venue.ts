/**
 * The exchange as live_trade sees it: place and cancel one order, list a
 * symbol's open orders, query one order's status.
 *
 * The Binance venue sends every write through the live write path:
 * LiveEngine (arming, mode, kill switch, whitelist, retries on transient
 * errors) -> IdempotentExchangePort (one side effect per intent) ->
 * BinanceExchangePort (signed REST, mainnet refused, unknown outcomes
 * resolved by querying the client order id). Each engine order has its own
 * idempotency scope (`live-trade-ids.ts`), so its client order id derives
 * from the engine's order id and a repeated grid level is a new order, not a
 * cached result. Keys come from the environment only and are never logged.
 */

import type { Clock, Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type { OrderSide } from "../../domain/enums.js";
import { realSleep, systemClock } from "../../net/clock.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import type { HttpClient } from "../../net/http-client.js";
import type { RetryPolicy } from "../../net/retry-policy.js";
import { BINANCE_CODE_NO_SUCH_ORDER } from "../../venues/binance/binance-error-mapping.js";
import { BinanceExchangePort } from "../../venues/binance/binance-exchange-port.js";
import type { Env } from "../../venues/binance/binance-urls.js";
import { checkEnvGuards } from "../../venues/binance/smoke-testnet.js";
import { InMemoryIdempotencyStore } from "../../venues/common/idempotency-store.js";
import { IdempotentExchangePort } from "../../venues/common/idempotent-exchange-port.js";
import { SafeMode } from "../../venues/common/safe-mode.js";
import {
  type LiveAction,
  LiveActionStatus,
  LiveActionType,
  LiveEngine,
} from "../../venues/common/write-gate.js";

/** One order to place: the engine's order, its client id and idempotency scope. */
export interface VenueOrder {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly levelId: number;
  readonly clientOrderId: string;
  readonly keyScope: string;
}

export interface VenueWrite {
  /** The write took effect (placed; or, for a cancel, the exchange answered). */
  readonly ok: boolean;
  /** For a cancel that took effect: whether the order ended up cancelled. */
  readonly cancelled?: boolean;
  /** Why not (block reason and error). */
  readonly detail?: string;
}

/** An open order on the exchange. */
export interface VenueOpenOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
}

/** One order's status on the exchange. */
export interface VenueOrderStatus {
  /** Binance status: NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED, ... */
  readonly status: string;
  readonly executedQty: Decimal;
  /** Exchange time of the last update (ms), when given. */
  readonly updateTime: number | undefined;
}

export interface TradeVenue {
  /** Where orders go (for the log). */
  readonly description: string;
  place(order: VenueOrder, ts: number, killSwitchActive: boolean): Promise<VenueWrite>;
  cancel(symbol: string, clientOrderId: string, keyScope: string, ts: number): Promise<VenueWrite>;
  openOrders(symbol: string): Promise<VenueOpenOrder[]>;
  /** Undefined when the exchange does not know the order. */
  queryOrder(symbol: string, clientOrderId: string): Promise<VenueOrderStatus | undefined>;
  /** The order is settled (filled, cancelled, lost): its bookkeeping may go. */
  forget?(clientOrderId: string): void;
}

export interface BinanceTradeVenueOptions {
  /** REST base URL, resolved and guarded (undefined: GRINDER_BINANCE_REST_URL, else the testnet). */
  readonly restUrl?: string;
  /** Environment: keys and arming (ARMED, ALLOW_TESTNET_TRADE). */
  readonly env: Env;
  /** --confirm TESTNET was given. */
  readonly confirmed: boolean;
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly connectorMetrics?: ConnectorMetrics;
  readonly retryPolicy?: RetryPolicy;
}

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

/** LiveEngine's decision source; only `processAction` is used here. */
const NO_SOURCE = { processSnapshot: (): unknown => undefined };

function describeFailure(a: LiveAction): string {
  const parts: string[] = [a.blockReason ?? a.status];
  if (a.error !== undefined) parts.push(a.error);
  return parts.join(": ");
}

export class BinanceTradeVenue implements TradeVenue {
  readonly description: string;
  readonly port: BinanceExchangePort;
  private readonly store: InMemoryIdempotencyStore;
  private readonly sleep: Sleep;
  private readonly clock: Clock;
  private writes = 0;

  /** Refuses (ConfigError) unless armed; the URL is guarded again by the port. */
  constructor(private readonly o: BinanceTradeVenueOptions) {
    const problem = liveTradeArmingProblem(o.env, o.confirmed);
    if (problem !== undefined) throw new ConfigError(problem);
    const clock = o.clock ?? systemClock;
    this.clock = clock;
    this.sleep = o.sleep ?? realSleep;
    try {
      this.port = new BinanceExchangePort({
        mode: SafeMode.LIVE_TRADE,
        market: "spot",
        ...(o.restUrl !== undefined ? { baseUrl: o.restUrl } : {}),
        env: o.env,
        apiKey: o.env.BINANCE_API_KEY ?? "",
        apiSecret: o.env.BINANCE_API_SECRET ?? "",
        clock,
        sleep: this.sleep,
        ...(o.httpClient !== undefined ? { httpClient: o.httpClient } : {}),
      });
    } catch (e) {
      throw new ConfigError(`live_trade: ${errorMessage(e)}`);
    }
    this.store = new InMemoryIdempotencyStore({ clock });
    this.description = `binance REST ${this.port.baseUrl}`;
  }

  /** The write path of one idempotency scope. */
  private engineFor(keyScope: string, killSwitchActive: boolean): LiveEngine {
    // Expired idempotency entries go now and then (a long run places many orders).
    if (++this.writes % 1000 === 0) this.store.purgeExpired(this.clock.nowMs());
    const port = new IdempotentExchangePort(this.port, {
      store: this.store,
      scope: keyScope,
      ...(this.o.connectorMetrics !== undefined ? { metrics: this.o.connectorMetrics } : {}),
    });
    return new LiveEngine(
      NO_SOURCE,
      port,
      { armed: true, mode: SafeMode.LIVE_TRADE, killSwitchActive },
      {
        sleep: this.sleep,
        ...(this.o.retryPolicy !== undefined ? { retryPolicy: this.o.retryPolicy } : {}),
      },
    );
  }

  async place(order: VenueOrder, ts: number, killSwitchActive: boolean): Promise<VenueWrite> {
    const a = await this.engineFor(order.keyScope, killSwitchActive).processAction(
      {
        actionType: LiveActionType.PLACE,
        symbol: order.symbol,
        side: order.side,
        price: order.price,
        quantity: order.quantity,
        levelId: order.levelId,
        reason: "ENGINE",
      },
      ts,
    );
    if (a.status !== LiveActionStatus.EXECUTED) return { ok: false, detail: describeFailure(a) };
    if (a.orderId !== order.clientOrderId)
      // Cannot happen while ids derive as in live-trade-ids.ts; never trade on a mismatch.
      return {
        ok: false,
        detail: `placed as ${String(a.orderId)}, expected client order id ${order.clientOrderId}`,
      };
    return { ok: true };
  }

  async cancel(
    symbol: string,
    clientOrderId: string,
    keyScope: string,
    ts: number,
  ): Promise<VenueWrite> {
    const a = await this.engineFor(keyScope, false).processAction(
      {
        actionType: LiveActionType.CANCEL,
        orderId: clientOrderId,
        symbol,
        levelId: 0,
        reason: "ENGINE",
      },
      ts,
    );
    if (a.status !== LiveActionStatus.EXECUTED) return { ok: false, detail: describeFailure(a) };
    return { ok: true, cancelled: a.orderId !== undefined };
  }

  forget(clientOrderId: string): void {
    this.port.registry.remove(clientOrderId);
  }

  async openOrders(symbol: string): Promise<VenueOpenOrder[]> {
    return (await this.port.fetchOpenOrders(symbol)).map((o) => ({
      clientOrderId: o.orderId,
      symbol: o.symbol,
    }));
  }

  async queryOrder(symbol: string, clientOrderId: string): Promise<VenueOrderStatus | undefined> {
    let body: Record<string, unknown>;
    try {
      body = await this.port.queryOrder(symbol, clientOrderId);
    } catch (e) {
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_NO_SUCH_ORDER) return undefined;
      throw e;
    }
    const executed =
      typeof body.executedQty === "string" ? Decimal.tryParse(body.executedQty) : undefined;
    return {
      status: typeof body.status === "string" ? body.status : "UNKNOWN",
      executedQty: executed ?? Decimal.ZERO,
      updateTime: typeof body.updateTime === "number" ? body.updateTime : undefined,
    };
  }
}
