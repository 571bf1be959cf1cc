/**
 * Adaptive grid policy v1: grid step, width and level count from NATR and
 * the market regime, in integer basis points (multipliers scaled by 100).
 *
 *   step   = max(step_min, alpha * NATR * m(regime))     m: VOL_SHOCK 1.5, THIN_BOOK/TOXIC 2.0, else 1.0
 *   width  = clamp(k_tail * NATR * sqrt(H / TF), x_min, x_cap)
 *            (TREND_UP widens the up side, TREND_DOWN the down side, by trend_width_mult)
 *   levels = clamp(ceil(width / step), levels_min, levels_max) per side
 *
 * EMERGENCY / TOXIC / PAUSED give a paused plan (no levels, HARD reset).
 * Sizes are `size_per_level` per level, or come from an auto-sizer when
 * auto-sizing is enabled with equity, dd_budget and adverse_move set.
 *
 * Reference behaviour kept by default: the regime is classified only when the
 * features carry `ts` and `symbol` besides mid_price, spread_bps and natr_bps.
 * A FeatureSnapshot's policy features carry neither, so the regime stays
 * RANGE (reason WARMUP) unless the kill switch or toxicity intervene.
 * `regimeFromPolicyFeatures: true` classifies whenever the three market
 * fields are present.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import {
  GridMode,
  type GridPlan,
  MarketRegime,
  makeGridPlan,
  ResetAction,
} from "../../domain/grid-plan.js";
import { WARMUP_BARS_REQUIRED } from "../features/feature-snapshot.js";
import {
  classifyRegime,
  makeRegimeConfig,
  Regime,
  type RegimeConfig,
  type RegimeFeatures,
  regimeConfigToJson,
  type ToxicityVerdict,
} from "./regime-classifier.js";

/**
 * What the policy needs from a position sizer (the risk layer's AutoSizer
 * fits): quantities per level for a grid shape and a risk budget.
 */
export interface GridSizer {
  compute(inputs: {
    readonly equity: Decimal;
    readonly ddBudget: Decimal;
    readonly adverseMove: Decimal;
    readonly gridShape: {
      readonly levels: number;
      readonly stepBps: number;
      readonly topK: number;
    };
    readonly price: Decimal;
  }): { readonly qtyPerLevel: readonly Decimal[] };
}

export interface AdaptiveGridConfig {
  /** Step floor in bps (default 5). */
  readonly stepMinBps: number;
  /** Step volatility multiplier x100 (default 30 = 0.30). */
  readonly stepAlpha: number;
  /** Stress horizon in minutes (default 60). */
  readonly horizonMinutes: number;
  /** Bar interval of the NATR in minutes (default 1). */
  readonly barIntervalMinutes: number;
  /** Tail multiplier x100 (default 200 = 2.00). */
  readonly kTail: number;
  /** Width floor in bps (default 20). */
  readonly xMinBps: number;
  /** Width cap in bps (default 500). */
  readonly xCapBps: number;
  /** Levels per side, lower clamp (default 2). */
  readonly levelsMin: number;
  /** Levels per side, upper clamp (default 20). */
  readonly levelsMax: number;
  /** Step multiplier in VOL_SHOCK x100 (default 150). */
  readonly volShockStepMult: number;
  /** Step multiplier in THIN_BOOK / TOXIC x100 (default 200). */
  readonly thinBookStepMult: number;
  /** Width multiplier on the against-trend side x100 (default 130). */
  readonly trendWidthMult: number;
  /** Base quantity per level without auto-sizing (default 0.01). */
  readonly sizePerLevel: Decimal;
  readonly regimeConfig: RegimeConfig;
  /** Size levels from the risk budget (default false). */
  readonly autoSizingEnabled: boolean;
  /** Account equity for auto-sizing. */
  readonly equity: Decimal | null;
  /** Drawdown budget fraction for auto-sizing (e.g. a DdAllocator allocation). */
  readonly ddBudget: Decimal | null;
  /** Worst-case adverse move fraction for auto-sizing. */
  readonly adverseMove: Decimal | null;
  /** The sizer used when auto-sizing (required when autoSizingEnabled). */
  readonly autoSizer: GridSizer | null;
  /**
   * Opt-in fix (not in the reference): classify the regime from features
   * that lack `ts` / `symbol`, as FeatureSnapshot.toPolicyFeatures() does.
   * Default false reproduces the reference (regime stays RANGE).
   */
  readonly regimeFromPolicyFeatures: boolean;
}

export function makeAdaptiveGridConfig(p: Partial<AdaptiveGridConfig> = {}): AdaptiveGridConfig {
  const c: AdaptiveGridConfig = {
    stepMinBps: 5,
    stepAlpha: 30,
    horizonMinutes: 60,
    barIntervalMinutes: 1,
    kTail: 200,
    xMinBps: 20,
    xCapBps: 500,
    levelsMin: 2,
    levelsMax: 20,
    volShockStepMult: 150,
    thinBookStepMult: 200,
    trendWidthMult: 130,
    sizePerLevel: Decimal.parse("0.01"),
    regimeConfig: makeRegimeConfig(),
    autoSizingEnabled: false,
    equity: null,
    ddBudget: null,
    adverseMove: null,
    autoSizer: null,
    regimeFromPolicyFeatures: false,
    ...p,
  };
  if (c.autoSizingEnabled && c.autoSizer === null) {
    throw new ConfigError("adaptive policy: auto-sizing is enabled but no sizer was given");
  }
  if (c.barIntervalMinutes === 0)
    throw new ConfigError("adaptive policy: bar_interval_minutes must not be 0");
  return Object.freeze(c);
}

/** The reference's config dict (equity, dd_budget, adverse_move null when unset or zero). */
export function adaptiveGridConfigToJson(c: AdaptiveGridConfig): JsonValue {
  const opt = (x: Decimal | null): string | null =>
    x === null || x.isZero() ? null : x.toString();
  return {
    step_min_bps: c.stepMinBps,
    step_alpha: c.stepAlpha,
    horizon_minutes: c.horizonMinutes,
    bar_interval_minutes: c.barIntervalMinutes,
    k_tail: c.kTail,
    x_min_bps: c.xMinBps,
    x_cap_bps: c.xCapBps,
    levels_min: c.levelsMin,
    levels_max: c.levelsMax,
    vol_shock_step_mult: c.volShockStepMult,
    thin_book_step_mult: c.thinBookStepMult,
    trend_width_mult: c.trendWidthMult,
    size_per_level: c.sizePerLevel.toString(),
    regime_config: regimeConfigToJson(c.regimeConfig),
    auto_sizing_enabled: c.autoSizingEnabled,
    equity: opt(c.equity),
    dd_budget: opt(c.ddBudget),
    adverse_move: opt(c.adverseMove),
  };
}

/** Python floor division for integers. */
function floorDiv(a: number, b: number): number {
  const r = a % b;
  const q = (a - r) / b;
  return r !== 0 && r < 0 !== b < 0 ? q - 1 : q;
}

/** Grid step in bps: max(step_min, alpha * natr * regime multiplier / 10000). */
export function computeStepBps(
  natrBps: number,
  regime: Regime,
  config: AdaptiveGridConfig,
): number {
  let mult = 100;
  if (regime === Regime.VOL_SHOCK) mult = config.volShockStepMult;
  else if (regime === Regime.THIN_BOOK || regime === Regime.TOXIC) mult = config.thinBookStepMult;
  const raw = floorDiv(config.stepAlpha * natrBps * mult, 10000);
  return Math.max(config.stepMinBps, raw);
}

/** Grid width (up, down) in bps: the clamped stress move, widened on the against-trend side. */
export function computeWidthBps(
  natrBps: number,
  regime: Regime,
  config: AdaptiveGridConfig,
): readonly [widthUp: number, widthDown: number] {
  let n = floorDiv(config.horizonMinutes, config.barIntervalMinutes);
  if (n <= 0) n = 1;
  const sqrtNScaled = Math.trunc(Math.sqrt(n) * 100);
  const sigmaH = floorDiv(natrBps * sqrtNScaled, 100);
  const xBase = floorDiv(config.kTail * sigmaH, 100);
  const x = Math.max(config.xMinBps, Math.min(config.xCapBps, xBase));
  if (regime === Regime.TREND_UP) return [floorDiv(x * config.trendWidthMult, 100), x];
  if (regime === Regime.TREND_DOWN) return [x, floorDiv(x * config.trendWidthMult, 100)];
  return [x, x];
}

/** Levels per side: ceil(width / step) clamped to [levels_min, levels_max]. */
export function computeLevels(
  widthUpBps: number,
  widthDownBps: number,
  stepBps: number,
  config: AdaptiveGridConfig,
): readonly [levelsUp: number, levelsDown: number] {
  const step = stepBps <= 0 ? config.stepMinBps : stepBps;
  if (step === 0)
    throw new ConfigError("adaptive policy: grid step is 0 (step_min_bps must be positive)");
  const clamp = (v: number): number => Math.max(config.levelsMin, Math.min(config.levelsMax, v));
  return [
    clamp(floorDiv(widthUpBps + step - 1, step)),
    clamp(floorDiv(widthDownBps + step - 1, step)),
  ];
}

/** Features the policy reads; only midPrice is required (FeatureSnapshot.toPolicyFeatures() fits). */
export interface AdaptivePolicyFeatures {
  readonly midPrice: Decimal;
  readonly ts?: number;
  readonly symbol?: string;
  readonly spreadBps?: number;
  readonly imbalanceL1Bps?: number;
  readonly thinL1?: Decimal;
  readonly natrBps?: number;
  readonly atr?: Decimal | null;
  readonly sumAbsReturnsBps?: number;
  readonly netReturnBps?: number;
  readonly rangeScore?: number;
  readonly warmupBars?: number;
}

export interface AdaptiveEvaluateOptions {
  /** Kill switch state (default false). */
  readonly killSwitchActive?: boolean;
  /** The toxicity gate's verdict for this tick (default none). */
  readonly toxicityResult?: ToxicityVerdict | null;
}

/** Controller regimes to the plan's market regime: pause-like regimes show as THIN_BOOK. */
function toMarketRegime(r: Regime): MarketRegime {
  switch (r) {
    case Regime.RANGE:
      return MarketRegime.RANGE;
    case Regime.TREND_UP:
      return MarketRegime.TREND_UP;
    case Regime.TREND_DOWN:
      return MarketRegime.TREND_DOWN;
    case Regime.VOL_SHOCK:
      return MarketRegime.VOL_SHOCK;
    default:
      return MarketRegime.THIN_BOOK;
  }
}

const DEFAULT_THIN_L1 = Decimal.parse("1.0");

export class AdaptiveGridPolicy {
  readonly name = "ADAPTIVE_GRID";
  readonly config: AdaptiveGridConfig;

  constructor(config: AdaptiveGridConfig = makeAdaptiveGridConfig()) {
    this.config = config;
  }

  evaluate(features: AdaptivePolicyFeatures, opts: AdaptiveEvaluateOptions = {}): GridPlan {
    const midPrice = features.midPrice;
    if (midPrice === undefined || midPrice === null) {
      throw new InvalidInputError("adaptive policy: mid_price is required in features");
    }
    const natrBps = features.natrBps ?? 0;
    const warmupBars = features.warmupBars ?? 0;

    const decision = classifyRegime(
      this.regimeFeatures(features),
      opts.killSwitchActive ?? false,
      opts.toxicityResult ?? null,
      this.config.regimeConfig,
    );
    const regime = decision.regime;

    if (regime === Regime.EMERGENCY || regime === Regime.TOXIC || regime === Regime.PAUSED) {
      return makeGridPlan({
        mode: GridMode.BILATERAL,
        centerPrice: midPrice,
        spacingBps: this.config.stepMinBps,
        levelsUp: 0,
        levelsDown: 0,
        sizeSchedule: [],
        skewBps: 0,
        regime: toMarketRegime(regime),
        widthBps: 0,
        resetAction: ResetAction.HARD,
        reasonCodes: [`REGIME_${regime}`],
      });
    }

    const stepBps = computeStepBps(natrBps, regime, this.config);
    const [widthUp, widthDown] = computeWidthBps(natrBps, regime, this.config);
    const [levelsUp, levelsDown] = computeLevels(widthUp, widthDown, stepBps, this.config);
    const avgWidth = floorDiv(widthUp + widthDown, 2);
    const sizeSchedule = this.sizeSchedule(Math.max(levelsUp, levelsDown), stepBps, midPrice);

    const reasonCodes = [`REGIME_${regime}`];
    if (warmupBars < WARMUP_BARS_REQUIRED) reasonCodes.push("WARMUP_INCOMPLETE");
    if (regime === Regime.TREND_UP || regime === Regime.TREND_DOWN)
      reasonCodes.push("ASYMMETRIC_GRID");

    return makeGridPlan({
      mode: GridMode.BILATERAL,
      centerPrice: midPrice,
      spacingBps: stepBps,
      levelsUp,
      levelsDown,
      sizeSchedule,
      skewBps: 0,
      regime: toMarketRegime(regime),
      widthBps: avgWidth,
      resetAction: ResetAction.NONE,
      reasonCodes,
    });
  }

  /** Active when the feature engine supplies NATR. */
  shouldActivate(features: AdaptivePolicyFeatures): boolean {
    return features.natrBps !== undefined;
  }

  /** The classifier's view of the features, or null when the required fields are missing. */
  private regimeFeatures(f: AdaptivePolicyFeatures): RegimeFeatures | null {
    const hasMarket = f.spreadBps !== undefined && f.natrBps !== undefined;
    const hasIdentity = f.ts !== undefined && f.symbol !== undefined;
    if (!hasMarket || (!hasIdentity && !this.config.regimeFromPolicyFeatures)) return null;
    return {
      thinL1: f.thinL1 ?? DEFAULT_THIN_L1,
      spreadBps: f.spreadBps ?? 0,
      natrBps: f.natrBps ?? 0,
      netReturnBps: f.netReturnBps ?? 0,
      rangeScore: f.rangeScore ?? 10,
      warmupBars: f.warmupBars ?? 0,
    };
  }

  private sizeSchedule(maxLevels: number, stepBps: number, price: Decimal): Decimal[] {
    const c = this.config;
    const legacy = (): Decimal[] => new Array<Decimal>(maxLevels).fill(c.sizePerLevel);
    if (!c.autoSizingEnabled || c.autoSizer === null) return legacy();
    if (c.equity === null || c.ddBudget === null || c.adverseMove === null) return legacy();
    const schedule = c.autoSizer.compute({
      equity: c.equity,
      ddBudget: c.ddBudget,
      adverseMove: c.adverseMove,
      gridShape: { levels: maxLevels, stepBps, topK: 0 },
      price,
    });
    return [...schedule.qtyPerLevel];
  }
}
