/**
 * Exposure and loss limits: notional per symbol, total notional across
 * symbols, and a daily loss limit on realized + unrealized PnL. All money is
 * exact Decimal; details carry Decimal values as their string form.
 */

import { Decimal, sumDecimals } from "../../core/decimal.js";
import { GateReason } from "./gate-codes.js";
import { GatingResult } from "./gating-result.js";

export interface RiskGateOptions {
  /** Max notional per symbol, USD (default 5000). */
  readonly maxNotionalPerSymbol?: Decimal;
  /** Max notional across all symbols, USD (default 20000). */
  readonly maxNotionalTotal?: Decimal;
  /** Loss (positive USD) beyond which orders are blocked (default 500). */
  readonly dailyLossLimit?: Decimal;
}

export class RiskGate {
  readonly maxNotionalPerSymbol: Decimal;
  readonly maxNotionalTotal: Decimal;
  readonly dailyLossLimit: Decimal;

  /** Notional by symbol, in first-insertion order (sums follow this order). */
  private readonly notionalBySymbol = new Map<string, Decimal>();
  private realizedPnl: Decimal = Decimal.ZERO;
  private unrealizedPnl: Decimal = Decimal.ZERO;

  constructor(options: RiskGateOptions = {}) {
    this.maxNotionalPerSymbol = options.maxNotionalPerSymbol ?? Decimal.parse("5000");
    this.maxNotionalTotal = options.maxNotionalTotal ?? Decimal.parse("20000");
    this.dailyLossLimit = options.dailyLossLimit ?? Decimal.parse("500");
  }

  /**
   * Whether an order of `notional` on `symbol` fits the limits. Checked in
   * order: daily loss (blocks when total PnL < -limit), symbol notional
   * (blocks when the new symbol notional > limit), total notional (> limit).
   */
  checkOrder(symbol: string, notional: Decimal): GatingResult {
    return this.checkAt(
      symbol,
      notional,
      this.notionalBySymbol.get(symbol) ?? Decimal.ZERO,
      sumDecimals(this.notionalBySymbol.values()),
    );
  }

  /**
   * As `checkOrder`, against exposures measured elsewhere (|position| x mark
   * plus open orders, per symbol and in total) instead of the notional the
   * gate accumulated from placements.
   */
  checkExposure(
    symbol: string,
    notional: Decimal,
    symbolExposure: Decimal,
    totalExposure: Decimal,
  ): GatingResult {
    return this.checkAt(symbol, notional, symbolExposure, totalExposure);
  }

  private checkAt(
    symbol: string,
    notional: Decimal,
    currentSymbolNotional: Decimal,
    currentTotal: Decimal,
  ): GatingResult {
    const totalPnl = this.realizedPnl.add(this.unrealizedPnl);
    if (totalPnl.lt(this.dailyLossLimit.negate())) {
      return GatingResult.block(GateReason.DAILY_LOSS_LIMIT_EXCEEDED, {
        total_pnl: totalPnl.toString(),
        daily_loss_limit: this.dailyLossLimit.toString(),
      });
    }

    const newSymbolNotional = currentSymbolNotional.add(notional);
    if (newSymbolNotional.gt(this.maxNotionalPerSymbol)) {
      return GatingResult.block(GateReason.MAX_NOTIONAL_EXCEEDED, {
        symbol,
        current_notional: currentSymbolNotional.toString(),
        proposed_notional: notional.toString(),
        new_total: newSymbolNotional.toString(),
        limit: this.maxNotionalPerSymbol.toString(),
        scope: "symbol",
      });
    }

    const newTotal = currentTotal.add(notional);
    if (newTotal.gt(this.maxNotionalTotal)) {
      return GatingResult.block(GateReason.MAX_NOTIONAL_EXCEEDED, {
        current_total: currentTotal.toString(),
        proposed_notional: notional.toString(),
        new_total: newTotal.toString(),
        limit: this.maxNotionalTotal.toString(),
        scope: "total",
      });
    }

    return GatingResult.allow({
      symbol,
      symbol_notional: newSymbolNotional.toString(),
      total_notional: newTotal.toString(),
    });
  }

  /** Add the notional of a placed order to its symbol's exposure. */
  recordOrder(symbol: string, notional: Decimal): void {
    const current = this.notionalBySymbol.get(symbol) ?? Decimal.ZERO;
    this.notionalBySymbol.set(symbol, current.add(notional));
  }

  /**
   * Apply a fill: exposure changes by `notionalDelta` (the symbol is dropped
   * when it reaches zero or below) and `pnlDelta` is added to realized PnL.
   */
  recordFill(symbol: string, notionalDelta: Decimal, pnlDelta: Decimal): void {
    const current = this.notionalBySymbol.get(symbol) ?? Decimal.ZERO;
    const next = current.add(notionalDelta);
    if (next.sign() <= 0) this.notionalBySymbol.delete(symbol);
    else this.notionalBySymbol.set(symbol, next);
    this.realizedPnl = this.realizedPnl.add(pnlDelta);
  }

  /** Replace the mark-to-market (unrealized) PnL. */
  updateUnrealizedPnl(pnl: Decimal): void {
    this.unrealizedPnl = pnl;
  }

  /** Clear exposure and PnL. */
  reset(): void {
    this.notionalBySymbol.clear();
    this.realizedPnl = Decimal.ZERO;
    this.unrealizedPnl = Decimal.ZERO;
  }

  /** Total notional across symbols. */
  get totalNotional(): Decimal {
    return sumDecimals(this.notionalBySymbol.values());
  }

  /** Realized + unrealized PnL. */
  get totalPnl(): Decimal {
    return this.realizedPnl.add(this.unrealizedPnl);
  }

  /** Notional held on one symbol (0 when none). */
  getSymbolNotional(symbol: string): Decimal {
    return this.notionalBySymbol.get(symbol) ?? Decimal.ZERO;
  }
}
