/**
 * The USD-M account of the simulated exchange (one-way mode, cross margin):
 * positions from its own fills, a wallet (capital + realized - fees +
 * funding), funding payments at funding times, and liquidation.
 *
 * - Funding: at each funding time of a symbol with a position, the account
 *   receives -(position x mark x rate) (longs pay when the rate is positive);
 *   the mark is the mid in force at that time.
 * - Maintenance margin: per position, notional x rate (a flat rate, or the
 *   symbol's Binance leverage bracket: notional x maintMarginRatio - cum).
 * - Liquidation: when the margin balance (wallet + unrealized PnL) is at or
 *   below the total maintenance margin, every position is closed at its mark,
 *   paying notional x the liquidation fee rate, and open orders are cancelled
 *   (as Binance does). Errs on the side of the exchange's own rules only as
 *   far as the mark is the mid (Binance's mark price is an index-based price).
 */

import { Decimal } from "../../core/decimal.js";
import type { LedgerFill } from "../../domain/ledger.js";
import { Ledger } from "../../domain/ledger.js";
import type { FundingSchedule } from "./funding-schedule.js";

/** Maintenance margin of a position of `notional` (quote) on `symbol`. */
export type MaintenanceModel = (symbol: string, notional: Decimal) => Decimal;

/** A flat maintenance rate for every symbol and size. */
export function flatMaintenance(rate: Decimal): MaintenanceModel {
  return (_symbol, notional) => notional.mul(rate);
}

export interface MarginAccountConfig {
  readonly capital: Decimal;
  readonly maintenance: MaintenanceModel;
  readonly liquidationFeeRate: Decimal;
  readonly funding: FundingSchedule;
}

export interface FundingPayment {
  readonly ts: number;
  readonly symbol: string;
  readonly position: Decimal;
  readonly markPrice: Decimal;
  readonly rate: Decimal;
  readonly payment: Decimal;
}

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

  /**
   * The symbol's funding events up to `ts` (exclusive of what was settled),
   * at the mark in force before the new one is set. Returns the payments.
   */
  settleFunding(symbol: string, ts: number): FundingPayment[] {
    const after = this.fundedUpTo.get(symbol);
    this.fundedUpTo.set(symbol, ts);
    if (after === undefined) return [];
    const mark = this.marks.get(symbol);
    const position = this.ledger.getPosition(symbol).quantity;
    if (mark === undefined || position.isZero()) return [];
    const out: FundingPayment[] = [];
    for (const e of this.cfg.funding.between(symbol, after, ts)) {
      const payment = position.mul(mark).mul(e.rate).negate();
      this.funding = this.funding.add(payment);
      out.push({ ts: e.ts, symbol, position, markPrice: mark, rate: e.rate, payment });
    }
    return out;
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
    for (const [sym, pos] of this.ledger.getAllPositions()) {
      const mark = this.marks.get(sym) ?? pos.avgEntryPrice;
      u = u.add(this.ledger.getUnrealizedPnl(sym, mark));
    }
    return u;
  }

  private maintenance(): Decimal {
    let m = Decimal.ZERO;
    for (const [sym, pos] of this.ledger.getAllPositions()) {
      const mark = this.marks.get(sym) ?? pos.avgEntryPrice;
      m = m.add(this.cfg.maintenance(sym, pos.quantity.abs().mul(mark)));
    }
    return m;
  }

  /**
   * The positions to close when the margin balance has fallen to the
   * maintenance margin (none otherwise). The caller books the closing fills.
   */
  liquidation(): LiquidationClose[] {
    const positions = this.ledger.getAllPositions();
    if (positions.size === 0) return [];
    if (this.walletBalance().add(this.unrealized()).gt(this.maintenance())) return [];
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
}
