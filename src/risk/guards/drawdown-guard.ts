/**
 * Drawdown guard v0: tracks the equity high-water mark and latches a trigger
 * when the drawdown from it reaches a threshold. The drawdown percentage is a
 * binary float: the exact Decimal `(hwm - equity) / hwm * 100` converted to
 * a double, clamped at 0.
 */

import { type Float, float, type JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";

const HUNDRED = Decimal.fromInt(100);

export type DrawdownDetails = { readonly [key: string]: JsonValue };

export class DrawdownCheckResult {
  readonly equity: Decimal;
  readonly highWaterMark: Decimal;
  /** Drawdown from the high-water mark, percent (0.0 to 100.0). */
  readonly drawdownPct: number;
  readonly thresholdPct: number;
  readonly triggered: boolean;
  readonly details: DrawdownDetails | null;

  constructor(
    equity: Decimal,
    highWaterMark: Decimal,
    drawdownPct: number,
    thresholdPct: number,
    triggered: boolean,
    details: DrawdownDetails | null = null,
  ) {
    this.equity = equity;
    this.highWaterMark = highWaterMark;
    this.drawdownPct = drawdownPct;
    this.thresholdPct = thresholdPct;
    this.triggered = triggered;
    this.details = details;
  }

  /** Output form: Decimals as strings, percentages as floats. */
  toJson(): {
    equity: string;
    high_water_mark: string;
    drawdown_pct: Float;
    threshold_pct: Float;
    triggered: boolean;
    details: DrawdownDetails | null;
  } {
    return {
      equity: this.equity.toString(),
      high_water_mark: this.highWaterMark.toString(),
      drawdown_pct: float(this.drawdownPct),
      threshold_pct: float(this.thresholdPct),
      triggered: this.triggered,
      details: this.details,
    };
  }
}

export class DrawdownGuard {
  private initialCapital: Decimal;
  readonly maxDrawdownPct: number;
  private hwm: Decimal;
  private triggered = false;
  private triggerEquity: Decimal | null = null;
  private triggerDrawdownPct: number | null = null;

  /**
   * @param initialCapital starting capital and first high-water mark (must be > 0)
   * @param maxDrawdownPct threshold in percent, in (0, 100] (default 5.0)
   */
  constructor(initialCapital: Decimal, maxDrawdownPct = 5.0) {
    if (initialCapital.sign() <= 0) throw new ConfigError("initial_capital must be positive");
    if (maxDrawdownPct <= 0 || maxDrawdownPct > 100) {
      throw new ConfigError("max_drawdown_pct must be between 0 and 100 (exclusive)");
    }
    this.initialCapital = initialCapital;
    this.maxDrawdownPct = maxDrawdownPct;
    this.hwm = initialCapital;
  }

  get highWaterMark(): Decimal {
    return this.hwm;
  }

  get isTriggered(): boolean {
    return this.triggered;
  }

  /**
   * Feed the current equity: raises the high-water mark when equity exceeds
   * it, computes the drawdown and latches the trigger when it is >= the
   * threshold. Details name the trigger equity and drawdown, plus
   * `previously_triggered` on later updates; null when not triggered.
   */
  update(equity: Decimal): DrawdownCheckResult {
    // Keep the current mark on ties (the larger-or-first value is kept).
    if (equity.gt(this.hwm)) this.hwm = equity;

    let drawdownPct = 0.0;
    if (this.hwm.sign() > 0) {
      drawdownPct = this.hwm.sub(equity).div(this.hwm).mul(HUNDRED).toNumber();
    }
    // max(0.0, x): 0.0 unless x is greater.
    if (!(drawdownPct > 0.0)) drawdownPct = 0.0;

    let triggeredNow = false;
    if (!this.triggered && drawdownPct >= this.maxDrawdownPct) {
      this.triggered = true;
      this.triggerEquity = equity;
      this.triggerDrawdownPct = drawdownPct;
      triggeredNow = true;
    }

    const details: { [key: string]: JsonValue } = {};
    if (triggeredNow) {
      details.trigger_equity = equity.toString();
      details.trigger_drawdown_pct = float(drawdownPct);
    }
    if (this.triggered && !triggeredNow) {
      details.previously_triggered = true;
      if (this.triggerEquity !== null) details.trigger_equity = this.triggerEquity.toString();
      if (this.triggerDrawdownPct !== null) {
        details.trigger_drawdown_pct = float(this.triggerDrawdownPct);
      }
    }

    return new DrawdownCheckResult(
      equity,
      this.hwm,
      drawdownPct,
      this.maxDrawdownPct,
      this.triggered,
      Object.keys(details).length > 0 ? details : null,
    );
  }

  /** Clear the trigger; the high-water mark returns to the (optionally new) initial capital. */
  reset(initialCapital?: Decimal): void {
    if (initialCapital !== undefined) {
      if (initialCapital.sign() <= 0) throw new ConfigError("initial_capital must be positive");
      this.initialCapital = initialCapital;
      this.hwm = initialCapital;
    } else {
      this.hwm = this.initialCapital;
    }
    this.triggered = false;
    this.triggerEquity = null;
    this.triggerDrawdownPct = null;
  }
}
