/**
 * The summary of a run, built while it streams: fed every booked fill and
 * every equity point (see `EquityStats` for the points' cadence-independent
 * statistics and `RoundTrips` for how round trips are matched), then, at the
 * end, the kernel's order counts. Memory does not grow with the run's length
 * (open FIFO lots aside, which the position bounds).
 *
 * Every metric is defined in docs/SIMULATION.md, "Summary metrics". Money is
 * an exact decimal string (plain notation, quote asset); ratios are numbers,
 * null where undefined (no fills, no hourly returns, no drawdown, ...).
 */

import { Decimal } from "../core/decimal.js";
import type { AccountState, BookedFill } from "../kernel/kernel-types.js";
import { EquityStats } from "./equity-stats.js";
import { MarginStats } from "./margin-stats.js";
import { RoundTrips } from "./round-trips.js";

const ZERO = Decimal.ZERO;
const HUNDRED = Decimal.fromInt(100);
const YEAR_S = 365 * 86_400;

/** The summary object (`summary` in `grinder backtest --data --out`). */
export interface RunSummaryJson {
  readonly net_pnl: string;
  readonly gross_pnl: string;
  readonly fees: string;
  readonly funding: string;
  readonly return_pct: number | null;
  readonly max_drawdown_pct: number;
  readonly max_drawdown_duration_s: number;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly fills: number;
  readonly round_trips: number;
  readonly win_rate: number | null;
  readonly turnover: string;
  readonly maker_share: number | null;
  readonly time_in_market_pct: number | null;
  readonly max_position_notional: string;
  readonly liquidations: number;
  readonly max_effective_leverage: number | null;
  readonly max_margin_use_pct: number | null;
  readonly liquidation_distance_pct: Readonly<Record<string, number | null>>;
  readonly orders_submitted: number;
  readonly orders_cancelled: number;
  readonly orders_rejected: number;
  readonly orders_filtered: number;
  readonly blocked_by_reason: Readonly<Record<string, number>>;
}

/** The summary's keys, in the order they are printed. */
export const SUMMARY_KEYS: readonly (keyof RunSummaryJson)[] = [
  "net_pnl",
  "gross_pnl",
  "fees",
  "funding",
  "return_pct",
  "max_drawdown_pct",
  "max_drawdown_duration_s",
  "sharpe",
  "sortino",
  "calmar",
  "fills",
  "round_trips",
  "win_rate",
  "turnover",
  "maker_share",
  "time_in_market_pct",
  "max_position_notional",
  "liquidations",
  "max_effective_leverage",
  "max_margin_use_pct",
  "liquidation_distance_pct",
  "orders_submitted",
  "orders_cancelled",
  "orders_rejected",
  "orders_filtered",
  "blocked_by_reason",
];

/** The kernel's order counts at the end of a run (`TradingKernel.orderCounts`). */
export interface SummaryOrderCounts {
  readonly placed: number;
  readonly rejected: number;
  readonly canceled: number;
  readonly filtered: number;
}

export class SummaryBuilder {
  private readonly initial: Decimal;
  private readonly equity: EquityStats;
  private readonly trips = new RoundTrips();
  private last: AccountState | undefined;
  private fillCount = 0;
  private turnover = ZERO;
  private makerNotional = ZERO;
  private funding = ZERO;
  private liquidations = 0;
  private readonly margin = new MarginStats();

  constructor(initialCapital: Decimal) {
    this.initial = initialCapital;
    this.equity = new EquityStats(initialCapital);
  }

  /** A fill as the kernel booked it. */
  addFill(b: BookedFill): void {
    const f = b.fill;
    this.fillCount++;
    const notional = f.price.mul(f.quantity);
    this.turnover = this.turnover.add(notional);
    if (f.liquidity === "maker") this.makerNotional = this.makerNotional.add(notional);
    else if (f.liquidity === "liquidation") this.liquidations++;
    this.trips.add({
      symbol: f.symbol,
      side: f.side,
      price: f.price,
      quantity: f.quantity,
      feeQuote: b.feeQuote,
    });
  }

  /** The account at `ts` (points in time order; the last one is the run's end). */
  addEquity(ts: number, a: AccountState): void {
    this.equity.push({ ts, equity: a.equity, positionNotional: a.positionNotional });
    if (a.margin !== undefined) this.margin.push(a.margin);
    this.last = a;
  }

  /**
   * A funding payment (quote asset; received > 0, paid < 0). Hook for
   * perpetual futures: nothing calls it on spot, where funding stays 0.
   */
  addFunding(amount: Decimal): void {
    this.funding = this.funding.add(amount);
  }

  finish(counts: SummaryOrderCounts, blocked: ReadonlyMap<string, number>): RunSummaryJson {
    const e = this.equity.result();
    const a = this.last;
    const fees = a?.fees ?? ZERO;
    const gross = a === undefined ? ZERO : a.realized.add(a.unrealized);
    // Not equity - capital: the kernel rounds equity to 28 significant digits.
    const net = gross.sub(fees).add(this.funding);
    const returnPct = this.initial.isPositive()
      ? net.div(this.initial).mul(HUNDRED).toNumber()
      : null;
    const spanS =
      e.firstTs === undefined || e.lastTs === undefined ? 0 : (e.lastTs - e.firstTs) / 1000;
    const calmar =
      returnPct !== null && spanS > 0 && e.maxDrawdownPct > 0
        ? (returnPct * (YEAR_S / spanS)) / e.maxDrawdownPct
        : null;
    const blockedJson: Record<string, number> = {};
    for (const k of [...blocked.keys()].sort()) blockedJson[k] = blocked.get(k) as number;
    return {
      net_pnl: net.toPlainString(),
      gross_pnl: gross.toPlainString(),
      fees: fees.toPlainString(),
      funding: this.funding.toPlainString(),
      return_pct: returnPct,
      max_drawdown_pct: e.maxDrawdownPct,
      max_drawdown_duration_s: e.maxDrawdownDurationS,
      sharpe: e.sharpe,
      sortino: e.sortino,
      calmar,
      fills: this.fillCount,
      round_trips: this.trips.count,
      win_rate: this.trips.count > 0 ? this.trips.wins / this.trips.count : null,
      turnover: this.turnover.toPlainString(),
      maker_share: this.turnover.isPositive()
        ? this.makerNotional.div(this.turnover).toNumber()
        : null,
      time_in_market_pct: e.timeInMarketPct,
      max_position_notional: e.maxPositionNotional.toPlainString(),
      liquidations: this.liquidations,
      ...this.margin.result(),
      orders_submitted: counts.placed,
      orders_cancelled: counts.canceled,
      orders_rejected: counts.rejected,
      orders_filtered: counts.filtered,
      blocked_by_reason: blockedJson,
    };
  }
}
