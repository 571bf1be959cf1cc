/**
 * The USD-M account of the simulated exchange (one-way mode, cross margin):
 * positions from its own fills, a wallet (capital + realized - fees +
 * funding), funding payments at funding times, and liquidation.
 *
 * - Funding: at each funding time of a symbol with a position, the account
 *   receives -(position x mark x rate) (longs pay when the rate is positive);
 *   the mark is the one in force at that time (markPriceKlines close or mid).
 * - Maintenance margin: per position, notional x rate (a flat rate, or the
 *   symbol's Binance leverage bracket: notional x maintMarginRatio - cum).
 * - Liquidation: when the margin balance (wallet + unrealized PnL) is at or
 *   below the total maintenance margin, every position is closed at its mark,
 *   paying notional x the liquidation fee rate, and open orders are cancelled
 *   (as Binance does). The mark is set by the venue: the close of Binance's
 *   markPriceKlines when given, else the mid of the quotes.
 */

import { Decimal } from "../../core/decimal.js";
import type { LedgerFill } from "../../domain/ledger.js";
import { Ledger } from "../../domain/ledger.js";
import type { MarginState, MarginSymbolState } from "../../domain/margin-state.js";
import type { FundingApplied } from "../../domain/orders.js";
import type { FundingEvent, FundingSchedule } from "./funding-schedule.js";

/**
 * The maintenance rule in force for a position of `notional` (quote) on
 * `symbol`: maintenance margin = notional x rate - cum (Binance's bracket form;
 * a flat rate has cum 0).
 */
export interface MaintenanceTier {
  readonly rate: Decimal;
  readonly cum: Decimal;
}

export type MaintenanceModel = (symbol: string, notional: Decimal) => MaintenanceTier;

/** A flat maintenance rate for every symbol and size. */
export function flatMaintenance(rate: Decimal): MaintenanceModel {
  const tier: MaintenanceTier = { rate, cum: Decimal.ZERO };
  return () => tier;
}

/** The maintenance margin of a position of `notional` on `symbol` under `model`. */
export function maintenanceMargin(
  model: MaintenanceModel,
  symbol: string,
  notional: Decimal,
): Decimal {
  const t = model(symbol, notional);
  return notional.mul(t.rate).sub(t.cum);
}

export interface MarginAccountConfig {
  readonly capital: Decimal;
  readonly maintenance: MaintenanceModel;
  readonly liquidationFeeRate: Decimal;
  readonly funding: FundingSchedule;
  /** Initial margin = notional / leverage (for the margin state only; admission is the kernel's). */
  readonly leverage: Decimal;
}

/** A funding payment as the account books it (the order language's FundingApplied, unlabelled). */
export type FundingPayment = Omit<FundingApplied, "kind">;

export interface LiquidationClose {
  readonly symbol: string;
  /** Signed position closed. */
  readonly position: Decimal;
  readonly markPrice: Decimal;
  readonly fee: Decimal;
}

export class MarginAccount {
  readonly ledger = new Ledger();
  private readonly marks = new Map<string, Decimal>();
  /** Last time each symbol's funding was settled up to. */
  private readonly fundedUpTo = new Map<string, number>();
  private funding = Decimal.ZERO;

  constructor(private readonly cfg: MarginAccountConfig) {}

  /** Book one of the venue's fills (quote fees). */
  applyFill(f: LedgerFill): void {
    this.ledger.applyFill(f);
  }

  /** The symbol's funding events in (last settled, ts], now settled (none at its first event). */
  fundingDue(symbol: string, ts: number): readonly FundingEvent[] {
    const after = this.fundedUpTo.get(symbol);
    this.fundedUpTo.set(symbol, ts);
    if (after === undefined) return [];
    return this.cfg.funding.between(symbol, after, ts);
  }

  /** Pay one funding event on the position held now, at the mark in force (undefined: flat). */
  payFunding(symbol: string, e: FundingEvent): FundingPayment | undefined {
    const mark = this.marks.get(symbol);
    const position = this.ledger.getPosition(symbol).quantity;
    if (mark === undefined || position.isZero()) return undefined;
    const payment = position.mul(mark).mul(e.rate).negate();
    this.funding = this.funding.add(payment);
    return { ts: e.ts, symbol, position, markPrice: mark, rate: e.rate, payment };
  }

  mark(symbol: string, price: Decimal): void {
    this.marks.set(symbol, price);
  }

  /** capital + realized - fees + funding. */
  walletBalance(): Decimal {
    return this.cfg.capital
      .add(this.ledger.getTotalRealizedPnl())
      .sub(this.ledger.getTotalFees())
      .add(this.funding);
  }

  private unrealized(): Decimal {
    let u = Decimal.ZERO;
    for (const [sym, pos] of this.ledger.openPositions()) {
      const mark = this.marks.get(sym) ?? pos.avgEntryPrice;
      u = u.add(this.ledger.getUnrealizedPnl(sym, mark));
    }
    return u;
  }

  private maintenance(): Decimal {
    let m = Decimal.ZERO;
    for (const [sym, pos] of this.ledger.openPositions()) {
      const mark = this.marks.get(sym) ?? pos.avgEntryPrice;
      m = m.add(maintenanceMargin(this.cfg.maintenance, sym, pos.quantity.abs().mul(mark)));
    }
    return m;
  }

  /**
   * The positions to close when the margin balance has fallen to the
   * maintenance margin (none otherwise). The caller books the closing fills.
   */
  liquidation(): LiquidationClose[] {
    // Asked at every event: the positions are read in place, copied only to liquidate.
    if (!this.ledger.hasOpenPosition()) return [];
    if (this.walletBalance().add(this.unrealized()).gt(this.maintenance())) return [];
    const positions = this.ledger.getAllPositions();
    const out: LiquidationClose[] = [];
    for (const [symbol, pos] of positions) {
      const markPrice = this.marks.get(symbol) ?? pos.avgEntryPrice;
      const fee = pos.quantity.abs().mul(markPrice).mul(this.cfg.liquidationFeeRate);
      out.push({ symbol, position: pos.quantity, markPrice, fee });
    }
    return out;
  }

  /** Signed position of a symbol. */
  position(symbol: string): Decimal {
    return this.ledger.getPosition(symbol).quantity;
  }

  /**
   * The account now, at its marks: margin balance, position notional,
   * initial margin of the positions and of `openOrderNotional` (the open
   * orders' price x quantity left), and per symbol marked so far its position
   * and liquidation price (margin-state.ts).
   */
  state(openOrderNotional: Decimal): MarginState {
    const positions = this.ledger.getAllPositions();
    let notional = Decimal.ZERO;
    let unrealized = Decimal.ZERO;
    let maintenance = Decimal.ZERO;
    const per = new Map<string, { pnl: Decimal; mm: Decimal }>();
    for (const [sym, pos] of positions) {
      const mark = this.marks.get(sym) ?? pos.avgEntryPrice;
      const n = pos.quantity.abs().mul(mark);
      const pnl = this.ledger.getUnrealizedPnl(sym, mark);
      const mm = maintenanceMargin(this.cfg.maintenance, sym, n);
      notional = notional.add(n);
      unrealized = unrealized.add(pnl);
      maintenance = maintenance.add(mm);
      per.set(sym, { pnl, mm });
    }
    const wallet = this.walletBalance();
    const symbols: MarginSymbolState[] = [];
    for (const [symbol, mark] of this.marks) {
      const pos = positions.get(symbol);
      const own = per.get(symbol);
      if (pos === undefined || own === undefined) {
        symbols.push({ symbol, position: Decimal.ZERO, mark, liquidationPrice: undefined });
        continue;
      }
      // Other positions held at their marks: wallet + their PnL less their maintenance.
      const othersNet = wallet.add(unrealized.sub(own.pnl)).sub(maintenance.sub(own.mm));
      symbols.push({
        symbol,
        position: pos.quantity,
        mark,
        liquidationPrice: liquidationPrice(
          pos.quantity,
          pos.avgEntryPrice,
          othersNet,
          this.cfg.maintenance(symbol, pos.quantity.abs().mul(mark)),
        ),
      });
    }
    return {
      marginBalance: wallet.add(unrealized),
      positionNotional: notional,
      initialMargin: notional.add(openOrderNotional).div(this.cfg.leverage),
      maintenanceMargin: maintenance,
      symbols,
    };
  }
}

/**
 * The mark at which a position of signed quantity `q` entered at `entry`
 * would be liquidated, everything else held: the m where
 * `othersNet + q x (m - entry) = |q| x m x rate - cum`, i.e.
 * m = (q x entry - cum - othersNet) / (q - |q| x rate). The tier is the one in
 * force at the current notional (as Binance's formula takes it). 0 when that
 * m is at or below 0 (a long that no price can liquidate); undefined when no
 * price solves it (rate >= 1).
 */
export function liquidationPrice(
  q: Decimal,
  entry: Decimal,
  othersNet: Decimal,
  tier: MaintenanceTier,
): Decimal | undefined {
  const denom = q.sub(q.abs().mul(tier.rate));
  if (denom.isZero() || (q.isPositive() && denom.isNegative())) return undefined;
  const m = q.mul(entry).sub(tier.cum).sub(othersNet).div(denom);
  return m.isPositive() ? m : Decimal.ZERO;
}
