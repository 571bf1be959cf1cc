/**
 * Positions and marks: the ledger of fills plus the last mid of every symbol
 * seen, for unrealized PnL and equity. Equity = capital + realized +
 * unrealized - fees. The total unrealized PnL is memoised between changes.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { assetsOf } from "../domain/instrument.js";
import { Ledger, type LedgerFill, type PnlSnapshot } from "../domain/ledger.js";

const ZERO = Decimal.ZERO;

export class Portfolio {
  readonly ledger = new Ledger();
  /** Quote balance: capital, less what BUYs paid, plus what SELLs got, less quote fees. */
  private cashValue: Decimal;
  private readonly marks = new Map<string, Decimal>();
  /** Bumped whenever a mark or a position changes (memo key of `unrealized`). */
  private version = 0;
  private memo: { readonly version: number; readonly value: Decimal } | undefined;
  private notionalMemo: { readonly version: number; readonly value: Decimal } | undefined;
  private equityMemo:
    | { readonly version: number; readonly capital: Decimal; readonly value: Decimal }
    | undefined;
  /** Per symbol, the last realized and unrealized values summed and their sum (`symbolLosses`). */
  private readonly pnlSums = new Map<string, { r: Decimal; u: Decimal; total: Decimal }>();

  /** The symbol's mark is now `price`. */
  mark(symbol: string, price: Decimal): void {
    this.marks.set(symbol, price);
    this.version++;
  }

  markOf(symbol: string): Decimal | undefined {
    return this.marks.get(symbol);
  }

  constructor(private readonly capital: Decimal) {
    this.cashValue = capital;
  }

  /** Book a fill; returns its fee in the quote asset. */
  applyFill(f: LedgerFill): Decimal {
    if (!this.marks.has(f.symbol)) this.mark(f.symbol, f.price);
    const fee = this.ledger.applyFill(f);
    this.version++;
    if (this.trackCash) {
      const value = f.price.mul(f.quantity);
      this.cashValue = f.side === "BUY" ? this.cashValue.sub(value) : this.cashValue.add(value);
      // A fee in the base asset left the position, not the quote balance.
      if (!fee.isZero() && f.feeAsset !== assetsOf(f.symbol).base) {
        this.cashValue = this.cashValue.sub(fee);
      }
    }
    return fee;
  }

  /** Keep the quote balance (spot balances); off, it stays at the capital. */
  trackCash = false;

  cash(): Decimal {
    return this.cashValue;
  }

  /** The signed position of a symbol (base asset). */
  position(symbol: string): Decimal {
    return this.ledger.quantityOf(symbol);
  }

  /** Sum over symbols of |position| x mark (memoised per change of marks and positions). */
  positionNotional(): Decimal {
    const m = this.notionalMemo;
    if (m !== undefined && m.version === this.version) return m.value;
    let total = ZERO;
    for (const [symbol, pos] of this.ledger.openPositions()) {
      const mark = this.marks.get(symbol);
      if (mark !== undefined) total = total.add(pos.quantity.abs().mul(mark));
    }
    this.notionalMemo = { version: this.version, value: total };
    return total;
  }

  /** Unrealized PnL over every symbol seen, at its mark (in first-seen order). */
  unrealized(): Decimal {
    if (this.memo !== undefined && this.memo.version === this.version) return this.memo.value;
    let value = ZERO;
    for (const [sym, price] of this.marks)
      value = value.add(this.ledger.getUnrealizedPnl(sym, price));
    this.memo = { version: this.version, value };
    return value;
  }

  realized(): Decimal {
    return this.ledger.getTotalRealizedPnl();
  }

  fees(): Decimal {
    return this.ledger.getTotalFees();
  }

  funding(): Decimal {
    return this.ledger.getTotalFunding();
  }

  /** A funding payment received (negative: paid): into the quote balance, apart from PnL. */
  applyFunding(payment: Decimal): void {
    this.ledger.applyFunding(payment);
    if (this.trackCash) this.cashValue = this.cashValue.add(payment);
    this.version++;
  }

  /**
   * capital + realized + unrealized - fees + funding (fees and funding
   * applied only when there are any, so reference results keep their digits).
   */
  equity(capital: Decimal): Decimal {
    const m = this.equityMemo;
    if (m !== undefined && m.version === this.version && m.capital === capital) return m.value;
    let e = capital.add(this.realized()).add(this.unrealized());
    const fees = this.fees();
    if (!fees.isZero()) e = e.sub(fees);
    const funding = this.funding();
    if (!funding.isZero()) e = e.add(funding);
    this.equityMemo = { version: this.version, capital, value: e };
    return e;
  }

  /** Symbols whose realized + unrealized PnL is negative, with the loss (positive). */
  symbolLosses(): Map<string, Decimal> {
    const losses = new Map<string, Decimal>();
    for (const [sym, price] of this.marks) {
      // Each event moves one mark: the other symbols' sums are the same values as before.
      const r = this.ledger.realizedPnlOf(sym);
      const u = this.ledger.getUnrealizedPnl(sym, price);
      let sum = this.pnlSums.get(sym);
      if (sum === undefined || sum.r !== r || sum.u !== u) {
        sum = { r, u, total: r.add(u) };
        this.pnlSums.set(sym, sum);
      }
      if (sum.total.lt(ZERO)) losses.set(sym, sum.total.negate());
    }
    return losses;
  }

  pnlSnapshot(ts: number, symbol: string, mid: Decimal): PnlSnapshot {
    return this.ledger.getPnlSnapshot(ts, symbol, mid);
  }

  /** Non-flat positions at their marks (result form) and their total unrealized PnL. */
  finalPositions(): { readonly json: Record<string, JsonValue>; readonly unrealized: Decimal } {
    const json: Record<string, JsonValue> = {};
    let unrealized = ZERO;
    for (const [symbol, pos] of this.ledger.getAllPositions()) {
      const u = this.ledger.getUnrealizedPnl(symbol, this.marks.get(symbol) ?? ZERO);
      unrealized = unrealized.add(u);
      json[symbol] = {
        quantity: pos.quantity.toString(),
        avg_entry_price: pos.avgEntryPrice.toString(),
        realized_pnl: pos.realizedPnl.toString(),
        unrealized_pnl: u.toString(),
      };
    }
    return { json, unrealized };
  }

  reset(): void {
    this.ledger.reset();
    this.marks.clear();
    this.cashValue = this.capital;
    this.version++;
  }
}
