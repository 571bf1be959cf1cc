/**
 * BinanceSpotVenue: the kernel's venue on Binance spot (REST, testnet by
 * default, production refused), with the account's user data stream
 * (WebSocket API) when configured. Commands become signed requests; what the
 * exchange did comes back as order events, in causal order per order
 * (accepted, then fills, then canceled or expired), to one listener.
 *
 * - submit: checked against the exchange's filters (exchangeInfo, read before
 *   the first order and again after a -1013), then LIMIT GTC under a client
 *   order id `<prefix>-e<epoch>-<hash>` (`client-order-id.ts`: the journal's
 *   run id, the kernel's id, the HA fencing epoch of `useEpoch`). The reply
 *   gives OrderAccepted (the exchange's orderId as venueOrderId) and, when
 *   the placement traded at once, one OrderFilled per listed fill (price,
 *   qty, commission and its asset, taker, tradeId); a refusal gives
 *   OrderRejected with Binance's code and message. A reply that never comes
 *   is resolved by querying the id; when even that fails the order stays
 *   pending and `sync` settles it.
 * - cancel: the executions the cancel reply shows beyond what was booked,
 *   trade by trade from the account's trade list, then OrderCanceled. Too
 *   late (FILLED) or impossible: OrderCancelRejected (after the fills). An id
 *   the venue never saw: OrderCancelRejected.
 * - user data stream (`spot-user-stream.ts`): each executionReport is kept
 *   until the next `sync` (the runtime's exchange step, so the journal sees
 *   it where the kernel does) and booked then: every trade as it happened
 *   (L, l, n, N, m, t), cancels, expiries, rejects.
 * - sync (the runtime calls it when the stream pushed something, on a poll
 *   interval and after a (re)start): applies the stream's reports; then the
 *   REST backstop (always without a stream; with one after each
 *   (re)subscription, every `backstopMs`, and while an outcome is unknown):
 *   lists the open orders of every symbol with live orders, queries the ones
 *   that vanished, books every execution not yet booked from the account's
 *   trade list (`GET /api/v3/myTrades`), reports orders gone; a pending
 *   order the exchange does not know is sent now, with the same client id.
 *
 *
 * Naming, the tracker, the write path, submit and cancel, and the REST sync
 * are BinanceOrderVenue's (`binance-order-venue.ts`). Nothing is booked
 * twice: a trade once per trade id, and never beyond the executed quantity
 * the exchange shows (`binance-order-tracker.ts`), both rebuilt from the
 * journal. Every write passes the WriteGate (armed, kill switch, whitelist),
 * a circuit breaker and the retry policy (transient errors, backoff with
 * jitter, never sooner than a 429's Retry-After; a 418 stops every write).
 * Keys come from the environment only and are never logged.
 */

import type { BackoffOptions } from "../../core/backoff.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, errorMessage } from "../../core/errors.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import type { SubmitOrder } from "../../domain/orders.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import { BINANCE_CODE_FILTER_FAILURE } from "./binance-error-mapping.js";
import type { BinanceOrder, BinanceTrade, ExchangeTrade } from "./binance-order-reply.js";
import type { TrackedOrder } from "./binance-order-tracker.js";
import {
  BinanceOrderVenue,
  type BinanceOrderVenueOptions,
  type PlacementRefused,
  type SyncOptions,
  type SyncReport,
} from "./binance-order-venue.js";
import { filterProblem } from "./spot-filters.js";
import type { AccountBalance, ExecutionReport, UserFrame } from "./spot-user-frames.js";
import { SpotUserStream } from "./spot-user-stream.js";

/** Order of numeric exchange ids (decimal text of any length). */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

export interface BinanceSpotVenueOptions extends BinanceOrderVenueOptions {
  /**
   * The account's user data stream (WebSocket API): order updates pushed as
   * they happen; the REST sync becomes a backstop run after every
   * (re)subscription and every `backstopMs`. Undefined: REST polling only.
   */
  readonly userStream?: UserStreamSettings;
}

export interface UserStreamSettings {
  /** WS API URL (undefined: GRINDER_BINANCE_WS_API_URL, else the spot testnet). */
  readonly url?: string;
  /** The REST backstop's interval while the stream is up (default 30000 ms). */
  readonly backstopMs?: number;
  readonly backoff?: BackoffOptions;
  readonly subscribeTimeoutMs?: number;
}

/** Execution reports held until the next sync; beyond, they are dropped and the backstop runs. */
const INBOX_LIMIT = 10_000;

export class BinanceSpotVenue extends BinanceOrderVenue {
  readonly name = "binance-spot";
  readonly description: string;
  private readonly stream: SpotUserStream | undefined;
  private readonly backstopMs: number;
  /** Execution reports received, applied at the next sync (inside the loop's exchange step). */
  private inbox: ExecutionReport[] = [];
  private backstopDue = true;
  /** The server-time sync started with the stream, until it ends (stop waits for it). */
  private timeSyncing: Promise<void> | undefined;
  private lastBackstopMs = Number.NEGATIVE_INFINITY;
  private wake: () => void = () => {};
  private readonly balanceMap = new Map<string, AccountBalance>();
  /** The exchange's filters (exchangeInfo), fetched before the first order and after a -1013. */
  private filters: ReadonlyMap<string, InstrumentSpec> | undefined;
  private filtersStale = true;

  /** Refuses (ConfigError) unless armed; the URL is guarded by the REST client. */
  constructor(o: BinanceSpotVenueOptions) {
    super(o, { market: "spot", venueClass: "BinanceSpotVenue" });
    this.backstopMs = o.userStream?.backstopMs ?? 30_000;
    if (o.userStream !== undefined) {
      const s = o.userStream;
      try {
        this.stream = new SpotUserStream({
          ...(s.url !== undefined ? { url: s.url } : {}),
          env: o.env,
          apiKey: o.env.BINANCE_API_KEY ?? "",
          apiSecret: o.env.BINANCE_API_SECRET ?? "",
          serverNowMs: () => this.client.timeSync.nowMs(),
          ...(s.backoff !== undefined ? { backoff: s.backoff } : {}),
          ...(s.subscribeTimeoutMs !== undefined
            ? { subscribeTimeoutMs: s.subscribeTimeoutMs }
            : {}),
          random: this.random,
          onEvent: (f) => this.onStreamEvent(f),
          onSubscribed: () => {
            this.backstopDue = true;
            this.wake();
          },
          onReconnect: (reason) => this.metrics.recordRetry("user_stream", reason),
          log: (l) => this.log(l),
        });
      } catch (e) {
        throw new ConfigError(`live_trade: ${errorMessage(e)}`);
      }
    }
    this.description = `binance REST ${this.client.baseUrl}${
      this.stream !== undefined ? `, user data ${this.stream.url}` : ""
    }`;
  }

  /**
   * Start the user data stream (no-op without one); `onActivity` is called
   * when something arrived that the next sync should apply.
   */
  startUserStream(onActivity: () => void = () => {}): void {
    if (this.stream === undefined) return;
    this.wake = onActivity;
    if (!this.client.timeSync.isSynced)
      // The subscription's timestamp is the exchange's clock.
      this.timeSyncing = this.client.syncTime().then(
        () => {},
        (e: unknown) => this.log(`server time: ${errorMessage(e)}`),
      );
    this.stream.start();
  }

  /** Stop the stream; resolves once it is closed and the start's time sync has ended. */
  async stopUserStream(): Promise<void> {
    this.wake = () => {};
    await this.stream?.stop();
    await this.timeSyncing;
  }

  /** The stream is subscribed (false without one). */
  get userStreamConnected(): boolean {
    return this.stream?.subscribed === true;
  }

  /** The stream is subscribed (undefined: no stream configured). */
  get userStreamUp(): boolean | undefined {
    return this.stream?.subscribed;
  }

  /** The account's balances as the stream last reported them, by asset. */
  balances(): ReadonlyMap<string, AccountBalance> {
    return this.balanceMap;
  }

  private onStreamEvent(f: Exclude<UserFrame, { kind: "response" }>): void {
    if (f.kind === "execution") {
      if (this.inbox.length >= INBOX_LIMIT) {
        this.log(
          `user data: ${this.inbox.length} updates not yet applied: dropped, the backstop reads them`,
        );
        this.inbox = [];
        this.backstopDue = true;
      }
      this.inbox.push(f.report);
      this.wake();
    } else if (f.kind === "account") {
      for (const b of f.balances) this.balanceMap.set(b.asset, b);
    }
  }

  /** Forget every order and the run id (a fresh kernel replays its journal from the start). */
  override reset(): void {
    super.reset();
    this.inbox = [];
    this.backstopDue = true;
  }

  /** A spot LIMIT GTC venue: a market or reduce-only order (futures) is never sent. */
  protected override unsupportedOrder(cmd: SubmitOrder): string | undefined {
    if ((cmd.orderType ?? "LIMIT") === "LIMIT" && cmd.reduceOnly !== true) return undefined;
    return `UNSUPPORTED: ${cmd.orderType ?? "LIMIT"}${cmd.reduceOnly ? " reduce-only" : ""} order on spot`;
  }

  /** LIMIT GTC, checked against the exchange's filters first. */
  protected async placeOrder(t: TrackedOrder): Promise<BinanceOrder | PlacementRefused> {
    const { cmd } = t;
    await this.loadFilters();
    const spec = this.filters?.get(cmd.symbol);
    const problem = spec === undefined ? undefined : filterProblem(spec, cmd.price, cmd.quantity);
    if (problem !== undefined) return { refused: problem };
    try {
      return await this.write("place", () =>
        this.client.placeLimitOrder({
          symbol: cmd.symbol,
          side: cmd.side,
          price: cmd.price,
          quantity: cmd.quantity,
          clientOrderId: t.exchangeId,
        }),
      );
    } catch (e) {
      // A filter failure: the exchange's rules may have changed; read them again.
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_FILTER_FAILURE)
        this.filtersStale = true;
      throw e;
    }
  }

  /** Fetch the exchange's filters when none are known or a -1013 made them stale. */
  private async loadFilters(): Promise<void> {
    if (!this.filtersStale) return;
    try {
      this.filters = await this.client.exchangeFilters();
      this.filtersStale = false;
    } catch (e) {
      // Orders go out unchecked (the exchange checks them); tried again before the next one.
      this.log(`exchange filters: ${errorMessage(e)} (retried before the next order)`);
    }
  }

  /** The exchange's filters as last fetched (undefined before the first fetch). */
  get exchangeFilters(): ReadonlyMap<string, InstrumentSpec> | undefined {
    return this.filters;
  }

  /** The fills a placement reply lists, then what the trade list shows beyond them. */
  protected async bookExecutions(t: TrackedOrder, o: BinanceOrder): Promise<boolean> {
    // A placement reply lists the order's first trades.
    let executed = Decimal.ZERO;
    for (const f of o.fills) {
      executed = executed.add(f.qty);
      this.bookTrade(t, { ...f, isMaker: false, time: o.time }, executed);
    }
    if (!o.executedQty.gt(t.executed)) return true;
    return this.bookTradesOf(t, o);
  }

  private bookTrade(t: TrackedOrder, x: ExchangeTrade, executedAfter: Decimal): void {
    const f = this.tracker.tradeFill(t, x, executedAfter);
    if (f !== undefined) this.report(f);
  }

  /**
   * Book the executions of an order that the exchange shows (`o`) beyond
   * what was booked, trade by trade from the account's trade list, with
   * their commissions. What the list does not show (yet) is booked at the
   * average price without commission, logged. False when the list failed.
   */
  private async bookTradesOf(t: TrackedOrder, o: BinanceOrder): Promise<boolean> {
    let trades: BinanceTrade[];
    try {
      trades = await this.client.myTrades(t.cmd.symbol, o.orderId);
    } catch (e) {
      this.log(`trades of ${t.exchangeId}: ${errorMessage(e)} (retried at the next sync)`);
      return false;
    }
    let executed = Decimal.ZERO;
    for (const x of [...trades].sort((a, b) => compareIds(a.tradeId, b.tradeId))) {
      if (x.orderId !== o.orderId) continue;
      executed = executed.add(x.qty);
      if (executed.gt(o.executedQty)) break; // listed after the state we were shown
      this.bookTrade(t, x, executed);
    }
    const rest = this.tracker.executionFill(t, o);
    if (rest !== undefined) {
      this.log(
        `${t.exchangeId}: ${rest.quantity} executed but not in the trade list: booked at the average price without commission`,
      );
      this.report(rest);
    }
    return true;
  }

  /**
   * Bring the kernel up to date with the exchange (see the file comment).
   * Returns the open orders of the listed symbols the venue does not hold.
   */
  async sync(options: SyncOptions = {}): Promise<SyncReport> {
    await this.applyStream();
    const now = this.clock.nowMs();
    if (
      this.stream?.subscribed === true &&
      !this.backstopDue &&
      options.strict !== true &&
      options.symbols === undefined &&
      now - this.lastBackstopMs < this.backstopMs &&
      // an unknown outcome (a placement or cancel never answered) is settled by REST
      this.tracker.live().every((t) => t.state === "open")
    )
      return { untracked: [] };
    this.backstopDue = false;
    this.lastBackstopMs = now;
    return this.restSync(options);
  }

  /** Apply the execution reports received since the last sync, in order. */
  private async applyStream(): Promise<void> {
    while (this.inbox.length > 0) {
      const r = this.inbox.shift() as ExecutionReport;
      await this.onExecutionReport(r);
    }
  }

  /**
   * One order update of the stream: accepted, each trade booked as it
   * happened (price L, quantity l, commission n in N, maker m, trade t), the
   * order's end. A gap (executions before this one not yet booked) is filled
   * from the trade list first.
   */
  private async onExecutionReport(r: ExecutionReport): Promise<void> {
    const id =
      r.executionType === "CANCELED" && r.origClientOrderId !== ""
        ? r.origClientOrderId
        : r.clientOrderId;
    const t = this.tracker.byExchange(id);
    if (t === undefined || t.cmd.symbol !== r.symbol) return; // not an order of ours
    const state: BinanceOrder = {
      symbol: r.symbol,
      orderId: r.orderId,
      clientOrderId: id,
      side: r.side,
      price: t.cmd.price,
      origQty: r.orderQty,
      executedQty: r.cumQty,
      cumQuote: r.cumQuote,
      status: r.orderStatus,
      time: r.time,
      fills: [],
    };
    if (t.state === "done" && r.executionType !== "TRADE") return;
    if (t.state === "pending" && r.executionType === "REJECTED") {
      this.rejected(t, `REJECTED by the exchange: ${r.rejectReason}`);
      return;
    }
    if (r.executionType === "TRADE") {
      if (t.state === "pending")
        await this.settle(t, { ...state, executedQty: t.executed, status: "NEW" });
      const before = r.cumQty.sub(r.lastQty);
      const gap = {
        ...state,
        executedQty: before,
        cumQuote: r.cumQuote.sub(r.lastPrice.mul(r.lastQty)),
      };
      if (before.gt(t.executed) && !(await this.bookTradesOf(t, gap))) return; // the backstop settles it
      this.bookTrade(
        t,
        {
          tradeId: r.tradeId,
          price: r.lastPrice,
          qty: r.lastQty,
          commission: r.commission,
          commissionAsset: r.commissionAsset,
          isMaker: r.isMaker,
          time: r.time,
        },
        r.cumQty,
      );
      return;
    }
    await this.settle(t, state);
  }
}
