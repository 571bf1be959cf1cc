/** GridPlan: what a policy wants the grid to look like, and the sizing helper it uses. */

import type { JsonValue } from "../core/canonical-json.js";
import { float } from "../core/canonical-json.js";
import type { Decimal } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { GridMode, MarketRegime, ResetAction } from "./enums.js";

/**
 * A grid plan. `levelsUp` are SELL levels above the center, `levelsDown` BUY
 * levels below it. `sizeSchedule` is always base-asset quantity per level
 * (e.g. BTC), never quote notional.
 */
export interface GridPlan {
  readonly mode: GridMode;
  readonly centerPrice: Decimal;
  readonly spacingBps: number;
  readonly levelsUp: number;
  readonly levelsDown: number;
  readonly sizeSchedule: readonly Decimal[];
  readonly skewBps: number;
  readonly regime: MarketRegime;
  readonly widthBps: number;
  readonly resetAction: ResetAction;
  readonly reasonCodes: readonly string[];
}

export function makeGridPlan(
  p: Pick<
    GridPlan,
    "mode" | "centerPrice" | "spacingBps" | "levelsUp" | "levelsDown" | "sizeSchedule"
  > &
    Partial<GridPlan>,
): GridPlan {
  return Object.freeze({
    skewBps: 0,
    regime: MarketRegime.RANGE,
    widthBps: 0,
    resetAction: ResetAction.NONE,
    reasonCodes: [],
    ...p,
  });
}

/** The plan as it appears in outputs (schema v1). */
export function gridPlanToJson(plan: GridPlan): JsonValue {
  return {
    mode: plan.mode,
    center_price: plan.centerPrice.toString(),
    spacing_bps: float(plan.spacingBps),
    levels_up: plan.levelsUp,
    levels_down: plan.levelsDown,
    size_schedule: plan.sizeSchedule.map((s) => s.toString()),
    skew_bps: float(plan.skewBps),
    regime: plan.regime,
    width_bps: float(plan.widthBps),
    reset_action: plan.resetAction,
    reason_codes: [...plan.reasonCodes],
  };
}

/**
 * Quote notional to base quantity: notional / price rounded down to
 * `precision` decimal places. Price must be positive, notional non-negative.
 */
export function notionalToQty(notional: Decimal, price: Decimal, precision = 8): Decimal {
  if (!price.isPositive()) throw new InvalidInputError("price must be positive");
  if (notional.isNegative()) throw new InvalidInputError("notional must be non-negative");
  return notional.div(price).quantize(precision, "ROUND_DOWN");
}

export { GridMode, MarketRegime, ResetAction };
