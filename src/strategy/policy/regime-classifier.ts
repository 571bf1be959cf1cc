/**
 * Regime classifier v1: a first-match precedence over the features and the
 * gating state.
 *
 *   1. kill switch active                      -> EMERGENCY
 *   2. toxicity gate blocked                   -> TOXIC
 *   (no features                               -> RANGE, reason WARMUP)
 *   3. thin_l1 < thin_l1_qty                   -> THIN_BOOK (THIN_LIQUIDITY)
 *      spread_bps > spread_thin_bps            -> THIN_BOOK (WIDE_SPREAD)
 *   4. natr_bps > vol_shock_natr_bps           -> VOL_SHOCK
 *   5. |net_return_bps| > trend_net_return_bps
 *      and range_score <= trend_range_score_max -> TREND_UP / TREND_DOWN by sign
 *   6. otherwise                               -> RANGE
 *
 * The feature engine's net_return_bps is an absolute value, so with its
 * features a trend is always classified TREND_UP (as in the reference).
 */

import { Float, type JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { MarketRegime } from "../../domain/enums.js";
import { WARMUP_BARS_REQUIRED } from "../features/feature-snapshot.js";

/** The market regimes of the domain, plus EMERGENCY (kill switch), which only the classifier reports. */
export const Regime = { ...MarketRegime, EMERGENCY: "EMERGENCY" } as const;
export type Regime = (typeof Regime)[keyof typeof Regime];

export const RegimeReason = {
  DEFAULT: "DEFAULT",
  KILL_SWITCH: "KILL_SWITCH",
  SPREAD_SPIKE: "SPREAD_SPIKE",
  PRICE_IMPACT: "PRICE_IMPACT",
  THIN_LIQUIDITY: "THIN_LIQUIDITY",
  WIDE_SPREAD: "WIDE_SPREAD",
  HIGH_VOLATILITY: "HIGH_VOLATILITY",
  TREND_DETECTED: "TREND_DETECTED",
  WARMUP: "WARMUP",
} as const;
export type RegimeReason = (typeof RegimeReason)[keyof typeof RegimeReason];

export interface RegimeConfig {
  /** Minimum thin-side L1 quantity (base asset); below it the book is thin. Default 0.1. */
  readonly thinL1Qty: Decimal;
  /** Spread above this (integer bps) is a thin book. Default 100. */
  readonly spreadThinBps: number;
  /** NATR above this (integer bps) is a volatility shock. Default 500. */
  readonly volShockNatrBps: number;
  /** |net return| above this (bps) can be a trend. Default 200. */
  readonly trendNetReturnBps: number;
  /** A trend needs range_score at most this. Default 3. */
  readonly trendRangeScoreMax: number;
}

export function makeRegimeConfig(p: Partial<RegimeConfig> = {}): RegimeConfig {
  return Object.freeze({
    thinL1Qty: Decimal.parse("0.1"),
    spreadThinBps: 100,
    volShockNatrBps: 500,
    trendNetReturnBps: 200,
    trendRangeScoreMax: 3,
    ...p,
  });
}

export function regimeConfigToJson(c: RegimeConfig): JsonValue {
  return {
    thin_l1_qty: c.thinL1Qty.toString(),
    spread_thin_bps: c.spreadThinBps,
    vol_shock_natr_bps: c.volShockNatrBps,
    trend_net_return_bps: c.trendNetReturnBps,
    trend_range_score_max: c.trendRangeScoreMax,
  };
}

/** The features the classifier reads (a FeatureSnapshot has them all). */
export interface RegimeFeatures {
  readonly thinL1: Decimal;
  readonly spreadBps: number;
  readonly natrBps: number;
  readonly netReturnBps: number;
  readonly rangeScore: number;
  readonly warmupBars: number;
}

/**
 * The toxicity gate's verdict, structurally: any gating result with these
 * fields fits. `reason` is the gate reason's value ("SPREAD_SPIKE",
 * "PRICE_IMPACT_HIGH", ...).
 */
export interface ToxicityVerdict {
  readonly allowed: boolean;
  readonly reason: string;
  readonly details?: unknown;
}

export interface RegimeDecision {
  readonly regime: Regime;
  readonly reason: RegimeReason;
  /** 0-100. */
  readonly confidence: number;
  readonly featuresUsed: Readonly<Record<string, JsonValue>>;
}

export function regimeDecisionToJson(r: RegimeDecision): JsonValue {
  return {
    regime: r.regime,
    reason: r.reason,
    confidence: r.confidence,
    features_used: { ...r.featuresUsed },
  };
}

/** Best-effort JSON form of gate details (decimals become strings). */
function detailsToJson(x: unknown): JsonValue {
  if (x === null || x === undefined) return null;
  if (typeof x === "boolean" || typeof x === "number" || typeof x === "string") return x;
  if (x instanceof Float) return x;
  if (x instanceof Decimal) return x.toString();
  if (Array.isArray(x)) return x.map(detailsToJson);
  if (typeof x === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = detailsToJson(v);
    return out;
  }
  return String(x);
}

function decision(
  regime: Regime,
  reason: RegimeReason,
  confidence: number,
  featuresUsed: Record<string, JsonValue>,
): RegimeDecision {
  return Object.freeze({ regime, reason, confidence, featuresUsed: Object.freeze(featuresUsed) });
}

/** Classify the market regime (see the precedence above). */
export function classifyRegime(
  features: RegimeFeatures | null,
  killSwitchActive: boolean,
  toxicityResult: ToxicityVerdict | null,
  config: RegimeConfig = makeRegimeConfig(),
): RegimeDecision {
  if (killSwitchActive) {
    return decision(Regime.EMERGENCY, RegimeReason.KILL_SWITCH, 100, { kill_switch_active: true });
  }

  if (toxicityResult !== null && !toxicityResult.allowed) {
    const reasonStr = toxicityResult.reason;
    // PRICE_IMPACT_HIGH maps to PRICE_IMPACT; every other toxic reason to SPREAD_SPIKE.
    const reason =
      reasonStr === "PRICE_IMPACT_HIGH" ? RegimeReason.PRICE_IMPACT : RegimeReason.SPREAD_SPIKE;
    return decision(Regime.TOXIC, reason, 100, {
      toxicity_blocked: true,
      toxicity_reason: reasonStr,
      toxicity_details: detailsToJson(toxicityResult.details),
    });
  }

  if (features === null) {
    return decision(Regime.RANGE, RegimeReason.WARMUP, 50, { has_features: false });
  }

  if (features.thinL1.lt(config.thinL1Qty)) {
    return decision(Regime.THIN_BOOK, RegimeReason.THIN_LIQUIDITY, 90, {
      thin_l1: features.thinL1.toString(),
      threshold: config.thinL1Qty.toString(),
    });
  }

  if (features.spreadBps > config.spreadThinBps) {
    return decision(Regime.THIN_BOOK, RegimeReason.WIDE_SPREAD, 90, {
      spread_bps: features.spreadBps,
      threshold: config.spreadThinBps,
    });
  }

  if (features.natrBps > config.volShockNatrBps) {
    return decision(Regime.VOL_SHOCK, RegimeReason.HIGH_VOLATILITY, 85, {
      natr_bps: features.natrBps,
      threshold: config.volShockNatrBps,
    });
  }

  if (
    Math.abs(features.netReturnBps) > config.trendNetReturnBps &&
    features.rangeScore <= config.trendRangeScoreMax
  ) {
    return decision(
      features.netReturnBps > 0 ? Regime.TREND_UP : Regime.TREND_DOWN,
      RegimeReason.TREND_DETECTED,
      75,
      {
        net_return_bps: features.netReturnBps,
        range_score: features.rangeScore,
        trend_threshold: config.trendNetReturnBps,
        range_threshold: config.trendRangeScoreMax,
      },
    );
  }

  const warmedUp = features.warmupBars >= WARMUP_BARS_REQUIRED;
  return decision(Regime.RANGE, RegimeReason.DEFAULT, warmedUp ? 80 : 60, {
    natr_bps: features.natrBps,
    spread_bps: features.spreadBps,
    thin_l1: features.thinL1.toString(),
    range_score: features.rangeScore,
    net_return_bps: features.netReturnBps,
    is_warmed_up: warmedUp,
  });
}
