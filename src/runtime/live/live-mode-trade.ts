/**
 * live_trade: the kernel's orders on Binance (BinanceSpotVenue, or
 * BinanceUsdmVenue with `--market um`; see `live-trade-venue.ts`).
 *
 * A tick is decided and its output made at once (the exchange answers
 * later; the kernel never fills its own orders); the loop journals the tick
 * line with its command batch (fsync'ed: write-ahead) before `send` hands the
 * commands to the venue. Everything the venue reports, for the tick's
 * commands, at a poll or at the reconciliation after a takeover, goes to the
 * kernel as it arrives and is kept until the loop journals it (`takeEvents`)
 * in an `events` line. A replay applies the same lines at the same points
 * (`step` registers the commands with the venue, `applyEvents` the events),
 * which rebuilds the kernel and the venue's view of its orders exactly.
 */

import { randomBytes } from "node:crypto";
import { InvalidInputError } from "../../core/errors.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import type { OrderCommand, VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { TickOutput } from "../../kernel/tick-output.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import type { WriteHalt } from "../../venues/binance/binance-rate-limits.js";
import { reconcileExchange } from "./exchange-sync.js";
import type { JournalUntracked } from "./journal-lines.js";
import { createLiveKernel } from "./live-kernel-setup.js";
import {
  decideAndComplete,
  type LiveMode,
  type LiveModeOptions,
  type TickResult,
} from "./live-mode.js";
import type { LiveTradeVenue } from "./live-trade-venue.js";

export interface LiveTradeModeOptions extends LiveModeOptions {
  readonly venue: LiveTradeVenue;
  /** Cancel strays (our prefix, unknown to the kernel) at a takeover. */
  readonly cancelStrays: boolean;
  /** The exchange filters the kernel rounds with (fixed per journal, `live-instruments.ts`). */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
  readonly log: (line: string) => void;
}

/** A fresh run id (12 hex characters), drawn once per journal. */
export function newRunId(): string {
  return randomBytes(6).toString("hex");
}

/** The latency metrics of the sends (the live metrics sink has them). */
export interface LatencySink {
  observeOrderAckLatency(seconds: number): void;
  observeTickToOrderLatency(seconds: number): void;
}

export class LiveTradeMode implements LiveMode {
  readonly name = "live_trade";
  readonly executes = true;
  readonly venue: LiveTradeVenue;
  kernel: TradingKernel;
  /** Events reported and applied, not yet journaled. */
  private unjournaled: VenueEvent[] = [];
  private latency: LatencySink | undefined;
  private monotonicMs: () => number = () => performance.now();

  constructor(private readonly o: LiveTradeModeOptions) {
    this.venue = o.venue;
    this.kernel = createLiveKernel(o.engineOptions, o.instruments);
    this.venue.setListener((e) => {
      this.kernel.onOrderEvent(e);
      this.unjournaled.push(e);
      this.logEvent(e);
    });
  }

  reset(): void {
    this.kernel = createLiveKernel(this.o.engineOptions, this.o.instruments);
    this.venue.reset();
    this.unjournaled = [];
  }

  get runId(): string | undefined {
    return this.venue.runId;
  }

  /** The run id of a journal session line (every session of a journal carries the same). */
  useRunId(runId: string | undefined, where: string): void {
    if (runId === undefined)
      throw new InvalidInputError(`${where}: a live_trade session line without run_id`);
    const current = this.venue.runId;
    if (current !== undefined && current !== runId)
      throw new InvalidInputError(
        `${where}: run_id ${runId}, but the journal's run id is ${current}`,
      );
    this.venue.useRunId(runId);
  }

  /** The fencing epoch the venue's next commands are named and sent under. */
  useEpoch(epoch: number): void {
    this.venue.useEpoch(epoch);
  }

  /** The journal's run id, drawn now for a new journal. */
  ensureRunId(): string {
    const id = this.venue.runId ?? newRunId();
    this.venue.useRunId(id);
    return id;
  }

  step(s: Snapshot): TickResult {
    if (this.venue.runId === undefined) throw new InvalidInputError("live_trade: no run id yet");
    const r = decideAndComplete(this.kernel, s);
    for (const c of r.commands) this.venue.restore(c);
    return r;
  }

  view(out: TickOutput): unknown {
    return out.json;
  }

  /** A journaled events line, replayed. */
  applyEvents(events: readonly VenueEvent[]): void {
    for (const e of events) {
      this.kernel.onOrderEvent(e);
      this.venue.restore(e);
    }
  }

  /** Events reported since the last call (for the journal). */
  takeEvents(): VenueEvent[] {
    const out = this.unjournaled;
    this.unjournaled = [];
    return out;
  }

  /** Blocks new orders (cancels pass) while the kernel's kill switch is tripped. */
  setKillSwitch(active: boolean): void {
    this.venue.gate.update({ killSwitchActive: active });
  }

  /** Where the send latencies go, measured by a monotonic clock in ms (the loop sets it). */
  setLatencySink(sink: LatencySink, monotonicMs: () => number): void {
    this.latency = sink;
    this.monotonicMs = monotonicMs;
  }

  /**
   * A tick's command batch, in order (after its tick line is on disk).
   * `receivedAtMs` (monotonic) is when the tick's snapshot arrived: the
   * first command's send measures the tick-to-order latency; each submit's
   * answer (accepted, rejected or refused) the order-ack latency.
   */
  async send(commands: readonly OrderCommand[], receivedAtMs?: number): Promise<void> {
    const sink = this.latency;
    const now = this.monotonicMs;
    if (commands.length > 0 && sink !== undefined && receivedAtMs !== undefined)
      sink.observeTickToOrderLatency((now() - receivedAtMs) / 1000);
    for (const c of commands) {
      if (c.kind === "SubmitOrder") {
        const sentAt = now();
        await this.venue.submit(c);
        sink?.observeOrderAckLatency((now() - sentAt) / 1000);
      } else await this.venue.cancel(c);
    }
  }

  /** Whether the exchange halted writes now (a 418 ban, a 429 back-off), why and until when. */
  writeHalt(): WriteHalt | undefined {
    return this.venue.client.rateGuard.writeHalt;
  }

  /** Look for fills and orders gone. */
  async poll(): Promise<void> {
    await this.venue.sync();
  }

  /** After a takeover: see `exchange-sync.ts`. */
  reconcile(symbols: readonly string[]): Promise<JournalUntracked[]> {
    return reconcileExchange(this.venue, symbols, this.o.cancelStrays, this.o.log);
  }

  /** The venue's orders not yet done, for the session_end line. */
  venueOrders(): unknown {
    return this.venue
      .trackedOrders()
      .filter((t) => t.state !== "done")
      .map((t) => ({
        client_order_id: t.clientOrderId,
        exchange_client_order_id: t.exchangeClientOrderId,
        symbol: t.symbol,
        state: t.state,
        executed: t.executed,
      }));
  }

  /** Orders the kernel expects on the exchange (pending, open or being cancelled). */
  get liveOrderCount(): number {
    return this.venue.liveOrders().length;
  }

  private logEvent(e: VenueEvent): void {
    if (e.kind === "OrderAccepted" || e.kind === "OrderCanceled") return;
    if (e.kind === "FundingApplied") {
      this.o.log(`exchange: FundingApplied ${e.symbol} ${e.payment} (rate ${e.rate})`);
      return;
    }
    const what =
      e.kind === "OrderFilled"
        ? ` ${e.side} ${e.quantity} @ ${e.price} (leaves ${e.leavesQuantity})`
        : e.kind === "OrderExpired"
          ? ""
          : `: ${e.reason}`;
    this.o.log(`exchange: ${e.kind} ${e.symbol} ${e.clientOrderId}${what}`);
  }
}
