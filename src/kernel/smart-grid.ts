/**
 * The smart-grid stages for the options that enable them: FeatureEngine v1
 * (feature_engine_enabled), AdaptiveGridPolicy v1 (adaptive_policy_enabled)
 * and Top-K v1 (topk_v1_enabled), behind the engine's SmartGridHooks.
 */

import type { ToxicityGate } from "../risk/gating/toxicity-gate.js";
import { FeatureEngine, makeFeatureEngineConfig } from "../strategy/features/feature-engine.js";
import type { FeatureSnapshot } from "../strategy/features/feature-snapshot.js";
import {
  AdaptiveGridPolicy,
  makeAdaptiveGridConfig,
} from "../strategy/policy/adaptive-grid-policy.js";
import type { SelectionCandidate } from "../strategy/selection/topk-v1.js";
import {
  makeTopKConfigV1,
  selectTopKV1,
  symbolScoreV1ToJson,
} from "../strategy/selection/topk-v1.js";
import type { EngineOptions } from "./kernel-options.js";
import type { FeatureOutput, SmartGridHooks, TopKV1Selection } from "./smart-grid-hooks.js";

export interface SmartGridFixes {
  /** Classify the adaptive policy's regime from the features (the reference always sees RANGE). */
  readonly regimeFromFeatures?: boolean;
}

export function createSmartGridHooks(
  o: EngineOptions,
  fixes: SmartGridFixes = {},
): SmartGridHooks | undefined {
  if (!o.feature_engine_enabled && !o.adaptive_policy_enabled && !o.topk_v1_enabled) {
    return undefined;
  }
  const features = o.feature_engine_enabled
    ? new FeatureEngine(
        makeFeatureEngineConfig({
          barIntervalMs: o.feature_bar_interval_ms,
          atrPeriod: o.feature_atr_period,
          rangeHorizon: o.feature_range_horizon,
          maxBars: o.feature_max_bars,
        }),
      )
    : undefined;
  const adaptive = o.adaptive_policy_enabled
    ? new AdaptiveGridPolicy(
        makeAdaptiveGridConfig({
          sizePerLevel: o.size_per_level,
          regimeFromPolicyFeatures: fixes.regimeFromFeatures === true,
        }),
      )
    : undefined;
  const topkConfig = makeTopKConfigV1({
    k: o.topk_v1_k,
    spreadMaxBps: o.topk_v1_spread_max_bps,
    thinL1Min: o.topk_v1_thin_l1_min,
    warmupMin: o.topk_v1_warmup_min,
  });

  return {
    warmUp(s) {
      features?.processSnapshot(s);
    },
    features(s): FeatureOutput | undefined {
      if (features === undefined) return undefined;
      const fs = features.processSnapshot(s);
      return { json: fs.toDict(), snapshot: fs };
    },
    selectTopK(toxicity: ToxicityGate): TopKV1Selection {
      const candidates: SelectionCandidate[] = [];
      if (features !== undefined) {
        for (const [symbol, fs] of features.getAllLatestSnapshots()) {
          let blocked = false;
          if (fs.midPrice.isPositive()) {
            blocked = !toxicity.check(fs.ts, symbol, fs.spreadBps, fs.midPrice).allowed;
          }
          candidates.push({
            symbol,
            rangeScore: fs.rangeScore,
            spreadBps: fs.spreadBps,
            thinL1: fs.thinL1,
            netReturnBps: fs.netReturnBps,
            warmupBars: fs.warmupBars,
            toxicityBlocked: blocked,
          });
        }
      }
      const r = selectTopKV1(candidates, topkConfig);
      const ranks = new Map<string, number>();
      for (const sc of r.scores) if (sc.selected) ranks.set(sc.symbol, sc.rank);
      return {
        selected: r.selected,
        k: r.k,
        ranks,
        scoresJson: r.scores.map(symbolScoreV1ToJson),
        gateExcluded: r.gateExcluded,
      };
    },
    adaptivePlan(s, feat, killSwitchActive, toxicity) {
      if (adaptive === undefined) throw new Error("adaptive policy is not enabled");
      const fs = feat?.snapshot as FeatureSnapshot | undefined;
      const input = fs !== undefined ? fs.toPolicyFeatures() : { midPrice: s.midPrice };
      return adaptive.evaluate(input, { killSwitchActive, toxicityResult: toxicity });
    },
  };
}
