/**
 * AutoSizer v1: quantity per grid level from a risk budget, so that the
 * worst case (every level on one side filled, then the price moving by
 * `adverseMove`) loses at most equity * ddBudget:
 *
 *   total_qty = (equity * dd_budget) / (price * adverse_move)
 *   qty_i     = total_qty * weight_i, rounded DOWN to qty_precision
 *
 * Weights: UNIFORM 1/N; PYRAMID (i+1)^e normalised (outer levels larger);
 * INVERSE_PYRAMID (N-i)^e normalised. Quantities below min_qty become 0;
 * levels beyond top_k get 0. Pure and deterministic.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { GrinderError } from "../../core/errors.js";
import { pyFloatPow } from "./py-float-pow.js";

/** Invalid sizing inputs or configuration (not retryable). */
export class SizingError extends GrinderError {
  constructor(message: string) {
    super("SIZING", message);
  }
}

export const SizingMode = {
  UNIFORM: "uniform",
  PYRAMID: "pyramid",
  INVERSE_PYRAMID: "inverse_pyramid",
} as const;
export type SizingMode = (typeof SizingMode)[keyof typeof SizingMode];

export interface GridShape {
  /** Levels per side (>= 1). */
  readonly levels: number;
  /** Spacing between levels in bps (> 0). */
  readonly stepBps: number;
  /** Size only the first K levels; 0 means all. */
  readonly topK: number;
}

export function makeGridShape(p: { levels: number; stepBps: number; topK?: number }): GridShape {
  const shape = { levels: p.levels, stepBps: p.stepBps, topK: p.topK ?? 0 };
  validateGridShape(shape);
  return Object.freeze(shape);
}

function validateGridShape(shape: GridShape): void {
  if (!(shape.levels >= 1)) throw new SizingError(`levels must be >= 1, got ${shape.levels}`);
  if (!(shape.stepBps > 0)) throw new SizingError(`step_bps must be > 0, got ${shape.stepBps}`);
  if (!(shape.topK >= 0)) throw new SizingError(`top_k must be >= 0, got ${shape.topK}`);
}

/** Levels that receive a quantity: min(top_k, levels), or levels when top_k is 0. */
export function effectiveLevels(shape: GridShape): number {
  return shape.topK === 0 ? shape.levels : Math.min(shape.topK, shape.levels);
}

export interface SizeSchedule {
  /** Base-asset quantity per level, `levels` entries. */
  readonly qtyPerLevel: readonly Decimal[];
  /** Sum of qty * price. */
  readonly totalNotional: Decimal;
  /** total_notional * adverse_move. */
  readonly worstCaseLoss: Decimal;
  /** worst_case_loss / (equity * dd_budget); at most 1 after rounding down. */
  readonly riskUtilization: Decimal;
  /** Levels with a non-zero quantity. */
  readonly effectiveLevels: number;
  readonly sizingMode: SizingMode;
}

export function sizeScheduleToJson(s: SizeSchedule): JsonValue {
  return {
    qty_per_level: s.qtyPerLevel.map((q) => q.toString()),
    total_notional: s.totalNotional.toString(),
    worst_case_loss: s.worstCaseLoss.toString(),
    risk_utilization: s.riskUtilization.toString(),
    effective_levels: s.effectiveLevels,
    sizing_mode: s.sizingMode,
  };
}

export interface AutoSizerConfig {
  /** Default UNIFORM. */
  readonly sizingMode: SizingMode;
  /** Quantities below this become 0 (default 0.0001). */
  readonly minQty: Decimal;
  /** Decimal places of each quantity (default 8). */
  readonly qtyPrecision: number;
  /** Utilisation expected not to be exceeded (default 1.0); informational. */
  readonly maxRiskUtilization: Decimal;
  /** Exponent of the pyramid weights (default 1.5). */
  readonly pyramidExponent: Decimal;
}

export function makeAutoSizerConfig(p: Partial<AutoSizerConfig> = {}): AutoSizerConfig {
  const c: AutoSizerConfig = {
    sizingMode: SizingMode.UNIFORM,
    minQty: Decimal.parse("0.0001"),
    qtyPrecision: 8,
    maxRiskUtilization: Decimal.parse("1.0"),
    pyramidExponent: Decimal.parse("1.5"),
    ...p,
  };
  if (c.minQty.isNegative())
    throw new SizingError(`min_qty must be >= 0, got ${c.minQty.toString()}`);
  if (!Number.isInteger(c.qtyPrecision) || c.qtyPrecision < 0) {
    throw new SizingError(`qty_precision must be >= 0, got ${c.qtyPrecision}`);
  }
  if (!c.maxRiskUtilization.isPositive()) {
    throw new SizingError(
      `max_risk_utilization must be > 0, got ${c.maxRiskUtilization.toString()}`,
    );
  }
  return Object.freeze(c);
}

export interface SizingInputs {
  /** Account equity in quote currency (> 0). */
  readonly equity: Decimal;
  /** Maximum drawdown as a fraction, (0, 1]. */
  readonly ddBudget: Decimal;
  /** Worst-case adverse move as a fraction, (0, 1]. */
  readonly adverseMove: Decimal;
  readonly gridShape: GridShape;
  /** Current price (> 0). */
  readonly price: Decimal;
}

const ZERO = Decimal.parse("0");

export class AutoSizer {
  readonly config: AutoSizerConfig;

  constructor(config: AutoSizerConfig = makeAutoSizerConfig()) {
    this.config = config;
  }

  compute(inp: SizingInputs): SizeSchedule {
    const { equity, ddBudget, adverseMove, gridShape, price } = inp;
    validateGridShape(gridShape);
    validate(equity, ddBudget, adverseMove, price);
    const maxLossUsd = equity.mul(ddBudget);
    const n = effectiveLevels(gridShape);
    const totalQtyAllowed = maxLossUsd.div(price.mul(adverseMove));
    const weights = this.weights(n);
    const places = this.config.qtyPrecision;
    const sized = weights.map((w) => {
      const q = totalQtyAllowed.mul(w).quantize(places, "ROUND_DOWN");
      return q.lt(this.config.minQty) ? ZERO : q;
    });
    const qtyPerLevel: Decimal[] = [...sized];
    for (let i = n; i < gridShape.levels; i++) qtyPerLevel.push(ZERO);

    let totalNotional = ZERO;
    for (const q of qtyPerLevel) totalNotional = totalNotional.add(q.mul(price));
    const worstCaseLoss = totalNotional.mul(adverseMove);
    const riskUtilization = maxLossUsd.isPositive() ? worstCaseLoss.div(maxLossUsd) : ZERO;
    return Object.freeze({
      qtyPerLevel: Object.freeze(qtyPerLevel),
      totalNotional,
      worstCaseLoss,
      riskUtilization,
      effectiveLevels: qtyPerLevel.filter((q) => q.isPositive()).length,
      sizingMode: this.config.sizingMode,
    });
  }

  /** Level weights summing to (about) 1. */
  private weights(n: number): Decimal[] {
    if (n === 0) return [];
    const mode = this.config.sizingMode;
    if (mode === SizingMode.PYRAMID || mode === SizingMode.INVERSE_PYRAMID) {
      const e = this.config.pyramidExponent.toNumber();
      const raw: Decimal[] = [];
      for (let i = 0; i < n; i++) {
        const base = mode === SizingMode.PYRAMID ? i + 1 : n - i;
        raw.push(Decimal.fromDoubleShortest(pyFloatPow(base, e)));
      }
      let total = Decimal.ZERO;
      for (const w of raw) total = total.add(w);
      return raw.map((w) => w.div(total));
    }
    const w = Decimal.ONE.div(Decimal.fromInt(n));
    return new Array<Decimal>(n).fill(w);
  }
}

function validate(equity: Decimal, ddBudget: Decimal, adverseMove: Decimal, price: Decimal): void {
  if (!equity.isPositive()) throw new SizingError(`equity must be > 0, got ${equity.toString()}`);
  if (!ddBudget.isPositive())
    throw new SizingError(`dd_budget must be > 0, got ${ddBudget.toString()}`);
  if (ddBudget.gt(Decimal.ONE))
    throw new SizingError(`dd_budget must be <= 1.0, got ${ddBudget.toString()}`);
  if (!adverseMove.isPositive())
    throw new SizingError(`adverse_move must be > 0, got ${adverseMove.toString()}`);
  if (adverseMove.gt(Decimal.ONE)) {
    throw new SizingError(`adverse_move must be <= 1.0, got ${adverseMove.toString()}`);
  }
  if (!price.isPositive()) throw new SizingError(`price must be > 0, got ${price.toString()}`);
}
