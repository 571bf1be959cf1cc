/** StaticGridPolicy v0: a symmetric bilateral grid with fixed spacing, levels and size. */

import type { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import type { GridPlan } from "../../domain/grid-plan.js";
import { GridMode, MarketRegime, makeGridPlan, ResetAction } from "../../domain/grid-plan.js";

export interface StaticGridConfig {
  readonly spacingBps: number;
  readonly levels: number;
  /** Base-asset quantity per level. */
  readonly sizePerLevel: Decimal;
}

const RANGE_REASONS: readonly string[] = Object.freeze(["REGIME_RANGE"]);

export class StaticGridPolicy {
  static readonly policyName = "STATIC_GRID";
  readonly spacingBps: number;
  readonly levels: number;
  readonly sizePerLevel: Decimal;
  private readonly sizeSchedule: readonly Decimal[];

  constructor(cfg: StaticGridConfig) {
    if (!(cfg.spacingBps > 0)) throw new ConfigError("spacing_bps must be positive");
    if (!(cfg.levels > 0) || !Number.isInteger(cfg.levels)) {
      throw new ConfigError("levels must be a positive integer");
    }
    if (!cfg.sizePerLevel.isPositive()) throw new ConfigError("size_per_level must be positive");
    this.spacingBps = cfg.spacingBps;
    this.levels = cfg.levels;
    this.sizePerLevel = cfg.sizePerLevel;
    this.sizeSchedule = Object.freeze(new Array<Decimal>(cfg.levels).fill(cfg.sizePerLevel));
  }

  /** The plan around a mid price: same spacing and size on both sides, regime RANGE. */
  evaluate(midPrice: Decimal): GridPlan {
    return makeGridPlan({
      mode: GridMode.BILATERAL,
      centerPrice: midPrice,
      spacingBps: this.spacingBps,
      levelsUp: this.levels,
      levelsDown: this.levels,
      sizeSchedule: this.sizeSchedule,
      skewBps: 0,
      regime: MarketRegime.RANGE,
      widthBps: this.spacingBps * this.levels,
      resetAction: ResetAction.NONE,
      reasonCodes: RANGE_REASONS,
    });
  }
}
