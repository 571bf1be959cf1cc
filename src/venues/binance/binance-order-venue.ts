/**
 * BinanceOrderVenue: what BinanceSpotVenue and BinanceUsdmVenue share, the
 * kernel's orders on a Binance market through signed REST calls.
 *
 * - arming: live_trade refuses to start unless armed (`liveTradeArmingProblem`);
 *   the REST client guards its URL (testnet by default, production refused).
 * - naming: a kernel order goes out under `<prefix>-e<epoch>-<hash>`
 *   (`client-order-id.ts`: the journal's run id of `useRunId`, the kernel's
 *   id, the HA fencing epoch of `useEpoch`).
 * - the order tracker (`binance-order-tracker.ts`): per order its state and what
 *   was booked, rebuilt from the journal (`restore`), so nothing is booked twice.
 * - the write path: every write passes the WriteGate (armed, kill switch,
 *   whitelist), the HA write fence (checked before every attempt), a circuit
 *   breaker and the retry policy (transient errors, backoff with jitter).
 * - submit: a duplicate id is refused; the market places the order
 *   (`placeOrder`); the reply gives OrderAccepted and the executions it shows
 *   (`bookExecutions`), a refusal OrderRejected. A reply that never comes
 *   leaves the order pending, settled by the next REST sync.
 * - cancel: the executions the cancel reply shows beyond what was booked,
 *   then OrderCanceled. Too late (FILLED) or impossible: OrderCancelRejected
 *   (after the fills). An id the venue never saw: OrderCancelRejected.
 * - the REST sync (`restSync`): the open orders of every symbol with live
 *   orders listed, vanished ones queried, executions not yet booked booked,
 *   orders gone reported, a pending order the exchange does not know sent
 *   again with the same client id, the open orders the venue does not hold
 *   reported (strays of our prefix, foreign ones).
 *
 * What differs per market is left to the subclass: the placement request,
 * how executions are booked (spot `myTrades`, USD-M `userTrades`), the user
 * data stream and when the REST sync runs (`sync`).
 */

import type { RandomSource } from "../../core/backoff.js";
import type { Clock, Sleep } from "../../core/clock.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type {
  CancelOrder,
  OrderCommand,
  OrderEvent,
  SubmitOrder,
  VenueEvent,
} from "../../domain/orders.js";
import { orderRejected } from "../../domain/orders.js";
import type { OrderEventListener, Venue, VenueOrder } from "../../domain/venue.js";
import { CircuitBreaker, type CircuitBreakerConfig } from "../../net/circuit-breaker.js";
import { realSleep, systemClock } from "../../net/clock.js";
import { type ConnectorMetrics, getConnectorMetrics } from "../../net/connector-metrics.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import { isOrderStatusUnknownError } from "../../net/errors/order-status-unknown-error.js";
import type { HttpClient } from "../../net/http-client.js";
import { systemRandom } from "../../net/random.js";
import { makeRetryPolicy, type RetryPolicy } from "../../net/retry-policy.js";
import { guardedWrite, type WriteFence } from "../common/write-fence.js";
import { WriteGate } from "../common/write-gate.js";
import { BINANCE_CODE_CANCEL_REJECTED } from "./binance-error-mapping.js";
import { type BinanceOrder, OPEN_ORDER_STATUSES } from "./binance-order-reply.js";
import { BinanceOrderTracker, sameScale, type TrackedOrder } from "./binance-order-tracker.js";
import { BinanceRestClient } from "./binance-rest-client.js";
import type { BinanceMarket, Env } from "./binance-urls.js";
import {
  assertClientOrderIdPrefix,
  assertEpoch,
  DEFAULT_CLIENT_ORDER_ID_PREFIX,
  exchangeClientOrderId,
  isOurClientOrderId,
} from "./client-order-id.js";
import { liveTradeArmingProblem } from "./live-trade-arming.js";

/** An open order on the exchange that the venue does not hold for the kernel. */
export interface UntrackedOrder {
  readonly symbol: string;
  readonly exchangeClientOrderId: string;
  /** Carries our client order id prefix (a stray of ours), else foreign. */
  readonly ours: boolean;
}

export interface SyncOptions {
  /** Also list these symbols (their untracked open orders are reported). */
  readonly symbols?: readonly string[];
  /** A listing that fails throws (at a restart: no trading blind); else it is logged and skipped. */
  readonly strict?: boolean;
}

export interface SyncReport {
  /** Open orders of the listed symbols that the venue does not hold, by symbol then id. */
  readonly untracked: readonly UntrackedOrder[];
}

/** The venue's view of one tracked order (for journals and logs). */
export interface TrackedOrderView {
  readonly clientOrderId: string;
  readonly exchangeClientOrderId: string;
  readonly symbol: string;
  readonly state: string;
  readonly executed: string;
}

/** The options both Binance venues take. */
export interface BinanceOrderVenueOptions {
  /** REST base URL, resolved and guarded (undefined: GRINDER_BINANCE_REST_URL, else the market's testnet). */
  readonly restUrl?: string;
  /** Environment: keys (BINANCE_API_KEY, BINANCE_API_SECRET) and arming (ARMED, ALLOW_TESTNET_TRADE). */
  readonly env: Env;
  /** --confirm TESTNET was given. */
  readonly confirmed: boolean;
  /** Run id of the journal (client order ids derive from it); `useRunId` may set it later. */
  readonly runId?: string;
  readonly clientOrderIdPrefix?: string;
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly connectorMetrics?: ConnectorMetrics;
  readonly retryPolicy?: RetryPolicy;
  /** Jitter source of the retry backoff (default systemRandom). */
  readonly random?: RandomSource;
  readonly breaker?: Partial<CircuitBreakerConfig>;
  readonly timeoutMs?: number;
  /** Wait before querying an order whose write outcome is unknown (default 1000 ms). */
  readonly unknownStatusQueryDelayMs?: number;
  /** Notable trouble (a failed query or listing), one line each. */
  readonly log?: (line: string) => void;
}

/** What a subclass tells the common part about itself. */
export interface BinanceMarketVenueSetup {
  readonly market: BinanceMarket;
  /** The class's name, in error messages. */
  readonly venueClass: string;
  /** Why the subclass's own options are wrong (checked after the arming), else undefined. */
  readonly optionsProblem?: string;
}

/** An order the market's rules refuse before it is sent (the reason goes into OrderRejected). */
export interface PlacementRefused {
  readonly refused: string;
}

export abstract class BinanceOrderVenue implements Venue {
  abstract readonly name: string;
  abstract readonly description: string;
  readonly client: BinanceRestClient;
  readonly gate: WriteGate;
  protected tracker: BinanceOrderTracker;
  protected readonly prefix: string;
  protected readonly clock: Clock;
  protected readonly sleep: Sleep;
  protected readonly random: RandomSource;
  protected readonly metrics: ConnectorMetrics;
  protected readonly log: (line: string) => void;
  /** The listener of the venue's events (set by `setListener`). */
  protected emit: OrderEventListener;
  private readonly retryPolicy: RetryPolicy;
  private readonly breaker: CircuitBreaker;
  private readonly venueClass: string;
  private runIdValue: string | undefined;
  /** HA fencing epoch of the ids of orders submitted from now on (0: not under HA). */
  private epoch = 0;
  private fence: WriteFence | undefined;

  /** Refuses (ConfigError) unless armed; the URL is guarded by the REST client. */
  constructor(o: BinanceOrderVenueOptions, setup: BinanceMarketVenueSetup) {
    const problem = liveTradeArmingProblem(o.env, o.confirmed) ?? setup.optionsProblem;
    if (problem !== undefined) throw new ConfigError(problem);
    this.venueClass = setup.venueClass;
    this.emit = () => {
      throw new Error(`${setup.venueClass}: no listener set`);
    };
    this.prefix = o.clientOrderIdPrefix ?? DEFAULT_CLIENT_ORDER_ID_PREFIX;
    assertClientOrderIdPrefix(this.prefix);
    this.clock = o.clock ?? systemClock;
    this.sleep = o.sleep ?? realSleep;
    this.metrics = o.connectorMetrics ?? getConnectorMetrics();
    this.log = o.log ?? (() => {});
    this.retryPolicy = o.retryPolicy ?? makeRetryPolicy({ maxAttempts: 3 });
    this.random = o.random ?? systemRandom;
    this.breaker = new CircuitBreaker(o.breaker ?? {}, {
      clock: this.clock,
      metrics: this.metrics,
    });
    try {
      this.client = new BinanceRestClient({
        market: setup.market,
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
    } catch (e) {
      throw new ConfigError(`live_trade: ${errorMessage(e)}`);
    }
    this.gate = new WriteGate({ armed: true });
    this.runIdValue = o.runId;
    this.tracker = new BinanceOrderTracker((id) => this.exchangeIdOf(id));
  }

  // --- what differs per market ---

  /**
   * Place a pending order on the exchange (through `write`): its reply, or
   * why the market's rules refuse it unsent. A throw rejects the order,
   * unless its outcome is unknown (then the REST sync settles it).
   */
  protected abstract placeOrder(t: TrackedOrder): Promise<BinanceOrder | PlacementRefused>;

  /**
   * Book the executions an exchange reply (`o`) shows beyond what was
   * booked. False when they could not be booked yet: the order stays live
   * and the next sync settles it.
   */
  protected abstract bookExecutions(t: TrackedOrder, o: BinanceOrder): Promise<boolean>;

  /** Why this market never sends such an order (undefined: it may be sent). */
  protected unsupportedOrder(_cmd: SubmitOrder): string | undefined {
    return undefined;
  }

  /**
   * The open orders of a symbol. A strict listing (a restart's
   * reconciliation, which may not trade blind) waits out a short Retry-After
   * (a 429 or 418 just before) instead of failing: up to 3 tries, 30 s each.
   */
  protected async listOpenOrders(symbol: string, strict: boolean): Promise<BinanceOrder[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.openOrders(symbol);
      } catch (e) {
        const wait = isConnectorIOError(e) ? e.retryAfterMs : undefined;
        if (!strict || wait === undefined || wait > 30_000 || attempt >= 3) throw e;
        this.log(`open orders of ${symbol}: ${errorMessage(e)}; waiting ${wait} ms`);
        await this.sleep(wait);
      }
    }
  }
  /** Run at the end of each REST sync with the symbols it listed (default: nothing). */
  protected async afterRestSync(_symbols: ReadonlySet<string>, _strict: boolean): Promise<void> {}

  // --- naming ---

  /** The run id client order ids derive from (set once; a journal keeps one for life). */
  useRunId(runId: string): void {
    if (this.runIdValue !== undefined && this.runIdValue !== runId)
      throw new ConfigError(
        `${this.venueClass}: run id ${runId}, but orders are already named under ${this.runIdValue}`,
      );
    this.runIdValue = runId;
  }

  /**
   * The HA fencing epoch that ids of orders submitted (or restored from the
   * journal) after this call carry; orders already known keep their ids.
   */
  useEpoch(epoch: number): void {
    assertEpoch(epoch);
    this.epoch = epoch;
  }

  get fencingEpoch(): number {
    return this.epoch;
  }

  /** Forget every order and the run id (a fresh kernel replays its journal from the start). */
  reset(): void {
    this.runIdValue = undefined;
    this.epoch = 0;
    this.tracker = new BinanceOrderTracker((id) => this.exchangeIdOf(id));
  }

  get runId(): string | undefined {
    return this.runIdValue;
  }

  /** The exchange's client order id of a kernel order. */
  exchangeIdOf(kernelClientOrderId: string): string {
    const runId = this.runIdValue;
    if (runId === undefined) throw new ConfigError(`${this.venueClass}: no run id set`);
    return exchangeClientOrderId(runId, kernelClientOrderId, this.epoch, this.prefix);
  }

  // --- the tracker ---

  setListener(listener: OrderEventListener): void {
    this.emit = listener;
  }

  /**
   * What the journal says this venue was given or reported, replayed after a
   * restart: the venue knows its orders again (no request is made).
   */
  restore(item: OrderCommand | VenueEvent): void {
    if (item.kind === "SubmitOrder" || item.kind === "CancelOrder") this.tracker.onCommand(item);
    else if (item.kind !== "FundingApplied") this.tracker.onEvent(item);
  }

  /** Every order the venue holds for the kernel, in submission order. */
  trackedOrders(): TrackedOrderView[] {
    return this.tracker.all().map((t) => ({
      clientOrderId: t.cmd.clientOrderId,
      exchangeClientOrderId: t.exchangeId,
      symbol: t.cmd.symbol,
      state: t.state,
      executed: sameScale(t.executed, t.cmd.quantity).toString(),
    }));
  }

  /** Orders not yet off the book (pending, open or being cancelled). */
  liveOrders(): readonly TrackedOrder[] {
    return this.tracker.live();
  }

  /** An event of a tracked order: the tracker learns it, then the listener. */
  protected report(e: OrderEvent): void {
    this.tracker.onEvent(e);
    this.emit(e);
  }

  protected rejected(t: TrackedOrder, reason: string): void {
    this.report(orderRejected(t.cmd, Math.trunc(this.clock.nowMs()), reason));
  }

  protected accepted(t: TrackedOrder, venueOrderId: string, ts: number): void {
    this.report({
      kind: "OrderAccepted",
      ts,
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
      venueOrderId,
    });
  }

  protected gone(t: TrackedOrder, kind: "OrderCanceled" | "OrderExpired", ts?: number): void {
    this.report({
      kind,
      ts: ts ?? Math.trunc(this.clock.nowMs()),
      clientOrderId: t.cmd.clientOrderId,
      symbol: t.cmd.symbol,
    });
  }

  // --- the write path ---

  /** HA fencing: checked before every write attempt; its signal ends a retry's wait. */
  setWriteFence(fence: WriteFence | undefined): void {
    this.fence = fence;
  }

  /** One write through the fence, the breaker and the retry policy. */
  protected write<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const { breaker, retryPolicy, sleep, random, metrics } = this;
    return guardedWrite(op, fn, { breaker, retryPolicy, sleep, random, metrics }, this.fence);
  }

  async submit(cmd: SubmitOrder): Promise<void> {
    const known = this.tracker.get(cmd.clientOrderId);
    if (known !== undefined && known.state !== "pending") {
      this.metrics.recordIdempotencyConflict("place");
      this.emit(orderRejected(cmd, cmd.ts, "DUPLICATE_CLIENT_ORDER_ID"));
      return;
    }
    this.metrics.recordIdempotencyMiss("place");
    const t = this.tracker.onCommand(cmd) as TrackedOrder;
    const unsupported = this.unsupportedOrder(cmd);
    if (unsupported !== undefined) return this.rejected(t, unsupported);
    await this.send(t);
  }

  /** Send a pending order (a new submit, or one never answered). */
  private async send(t: TrackedOrder): Promise<void> {
    const { cmd } = t;
    const blocked = this.gate.check(cmd);
    if (blocked !== undefined) return this.rejected(t, blocked);
    let placed: BinanceOrder | PlacementRefused;
    try {
      placed = await this.placeOrder(t);
    } catch (e) {
      if (isOrderStatusUnknownError(e)) {
        this.log(`${cmd.clientOrderId} (${t.exchangeId}): ${errorMessage(e)}; settled by sync`);
        return;
      }
      return this.rejected(t, errorMessage(e));
    }
    if ("refused" in placed) return this.rejected(t, placed.refused);
    await this.settle(t, placed);
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

  /** Cancel a tracked order on the exchange; the outcome is reported. */
  private async sendCancel(t: TrackedOrder): Promise<void> {
    let reply: BinanceOrder;
    try {
      reply = await this.write("cancel", () => this.client.cancelOrder(t.cmd.symbol, t.exchangeId));
    } catch (e) {
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_CANCEL_REJECTED) {
        // The exchange does not know it: nothing is on the book to cancel.
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
    if (!(await this.settle(t, reply))) return;
    if (reply.status === "FILLED")
      this.emit({
        kind: "OrderCancelRejected",
        ts: reply.time,
        clientOrderId: t.cmd.clientOrderId,
        symbol: t.cmd.symbol,
        reason: "TOO_LATE: FILLED",
      });
  }

  /** Cancel an open order the venue does not hold (a stray); undefined when cancelled, else why not. */
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

  // --- what the exchange shows ---

  /**
   * Report what an exchange reply shows beyond what was reported: accepted,
   * executions, end. Returns false when executions could not be booked yet:
   * the order stays live and the next sync settles it.
   */
  protected async settle(t: TrackedOrder, o: BinanceOrder): Promise<boolean> {
    if (t.state === "pending") {
      if (o.status === "REJECTED") {
        this.rejected(t, "REJECTED by the exchange");
        return true;
      }
      this.accepted(t, o.orderId, o.time);
    }
    t.venueOrderId ??= o.orderId;
    if (!(await this.bookExecutions(t, o))) return false;
    if (t.state === "done" || OPEN_ORDER_STATUSES.has(o.status) || o.status === "FILLED")
      return true;
    this.gone(t, o.status === "CANCELED" ? "OrderCanceled" : "OrderExpired", o.time);
    return true;
  }

  /**
   * The REST sync: each symbol with live orders (and `options.symbols`)
   * listed, our orders settled, the untracked ones returned.
   */
  protected async restSync(options: SyncOptions): Promise<SyncReport> {
    const strict = options.strict === true;
    const symbols = new Set(options.symbols ?? []);
    for (const t of this.tracker.live()) symbols.add(t.cmd.symbol);
    const untracked: UntrackedOrder[] = [];
    for (const symbol of [...symbols].sort()) {
      let listed: BinanceOrder[];
      try {
        listed = await this.listOpenOrders(symbol, strict);
      } catch (e) {
        if (strict) throw e;
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
    await this.afterRestSync(symbols, strict);
    return { untracked };
  }

  /** A live order the exchange does not list as open: ask for it. */
  protected async settleMissing(t: TrackedOrder): Promise<void> {
    let o: BinanceOrder | undefined;
    try {
      o = await this.client.queryOrder(t.cmd.symbol, t.exchangeId);
    } catch (e) {
      this.log(`cannot query ${t.exchangeId}: ${errorMessage(e)} (retried later)`);
      return;
    }
    if (o !== undefined) {
      // An unanswered placement that did land: found, not sent again.
      if (t.state === "pending") this.metrics.recordIdempotencyHit("place");
      await this.settle(t, o);
      return;
    }
    if (t.state === "pending") return this.send(t); // never reached the exchange: send it now
    this.gone(t, t.state === "cancelling" ? "OrderCanceled" : "OrderExpired");
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
