/** FeatureSnapshot: every feature of one symbol at one tick, and its JSON forms. */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";

/** Completed bars needed before features count as warmed up (ATR(14) + 1). */
export const WARMUP_BARS_REQUIRED = 15;

export interface FeatureSnapshotFields {
  readonly ts: number;
  readonly symbol: string;
  readonly midPrice: Decimal;
  /** Spread in bps, truncated to an integer. */
  readonly spreadBps: number;
  /** L1 imbalance in integer bps, [-10000, 10000]. */
  readonly imbalanceL1Bps: number;
  /** min(bid qty, ask qty). */
  readonly thinL1: Decimal;
  /** Normalised ATR in integer bps (0 during warm-up). */
  readonly natrBps: number;
  /** ATR in price units (null during warm-up). */
  readonly atr: Decimal | null;
  readonly sumAbsReturnsBps: number;
  readonly netReturnBps: number;
  /** sum_abs / (net + 1): higher is choppier. */
  readonly rangeScore: number;
  /** Completed bars available. */
  readonly warmupBars: number;
}

/** The features a grid policy reads (to_policy_features): no ts, symbol or atr. */
export interface PolicyFeatureMap {
  readonly midPrice: Decimal;
  readonly spreadBps: number;
  readonly imbalanceL1Bps: number;
  readonly thinL1: Decimal;
  readonly natrBps: number;
  readonly sumAbsReturnsBps: number;
  readonly netReturnBps: number;
  readonly rangeScore: number;
  readonly warmupBars: number;
}

export class FeatureSnapshot implements FeatureSnapshotFields {
  readonly ts: number;
  readonly symbol: string;
  readonly midPrice: Decimal;
  readonly spreadBps: number;
  readonly imbalanceL1Bps: number;
  readonly thinL1: Decimal;
  readonly natrBps: number;
  readonly atr: Decimal | null;
  readonly sumAbsReturnsBps: number;
  readonly netReturnBps: number;
  readonly rangeScore: number;
  readonly warmupBars: number;

  constructor(f: FeatureSnapshotFields) {
    this.ts = f.ts;
    this.symbol = f.symbol;
    this.midPrice = f.midPrice;
    this.spreadBps = f.spreadBps;
    this.imbalanceL1Bps = f.imbalanceL1Bps;
    this.thinL1 = f.thinL1;
    this.natrBps = f.natrBps;
    this.atr = f.atr;
    this.sumAbsReturnsBps = f.sumAbsReturnsBps;
    this.netReturnBps = f.netReturnBps;
    this.rangeScore = f.rangeScore;
    this.warmupBars = f.warmupBars;
    Object.freeze(this);
  }

  /** True once at least 15 completed bars exist. */
  get isWarmedUp(): boolean {
    return this.warmupBars >= WARMUP_BARS_REQUIRED;
  }

  /** Output form (schema v1): decimals as strings, integers as numbers, atr null in warm-up. */
  toDict(): { readonly [key: string]: JsonValue } {
    return {
      ts: this.ts,
      symbol: this.symbol,
      mid_price: this.midPrice.toString(),
      spread_bps: this.spreadBps,
      imbalance_l1_bps: this.imbalanceL1Bps,
      thin_l1: this.thinL1.toString(),
      natr_bps: this.natrBps,
      atr: this.atr === null ? null : this.atr.toString(),
      sum_abs_returns_bps: this.sumAbsReturnsBps,
      net_return_bps: this.netReturnBps,
      range_score: this.rangeScore,
      warmup_bars: this.warmupBars,
    };
  }

  /** The flat feature map handed to a grid policy. */
  toPolicyFeatures(): PolicyFeatureMap {
    return {
      midPrice: this.midPrice,
      spreadBps: this.spreadBps,
      imbalanceL1Bps: this.imbalanceL1Bps,
      thinL1: this.thinL1,
      natrBps: this.natrBps,
      sumAbsReturnsBps: this.sumAbsReturnsBps,
      netReturnBps: this.netReturnBps,
      rangeScore: this.rangeScore,
      warmupBars: this.warmupBars,
    };
  }

  static fromDict(d: Readonly<Record<string, unknown>>): FeatureSnapshot {
    const int = (key: string): number => {
      const v = d[key];
      if (typeof v !== "number" || !Number.isSafeInteger(v)) {
        throw new InvalidInputError(
          `feature snapshot field ${key}: expected an integer, got ${JSON.stringify(v)}`,
        );
      }
      return v;
    };
    const decimal = (key: string): Decimal => {
      const v = d[key];
      if (typeof v !== "string") {
        throw new InvalidInputError(
          `feature snapshot field ${key}: expected a decimal string, got ${JSON.stringify(v)}`,
        );
      }
      return Decimal.parse(v);
    };
    const symbol = d.symbol;
    if (typeof symbol !== "string") {
      throw new InvalidInputError(
        `feature snapshot field symbol: expected a string, got ${JSON.stringify(symbol)}`,
      );
    }
    return new FeatureSnapshot({
      ts: int("ts"),
      symbol,
      midPrice: decimal("mid_price"),
      spreadBps: int("spread_bps"),
      imbalanceL1Bps: int("imbalance_l1_bps"),
      thinL1: decimal("thin_l1"),
      natrBps: int("natr_bps"),
      atr: d.atr === null || d.atr === undefined ? null : decimal("atr"),
      sumAbsReturnsBps: int("sum_abs_returns_bps"),
      netReturnBps: int("net_return_bps"),
      rangeScore: int("range_score"),
      warmupBars: int("warmup_bars"),
    });
  }
}
