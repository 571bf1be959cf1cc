/**
 * The smart-grid stages the paper engine calls when they are enabled
 * (feature engine, adaptive grid policy, Top-K v1), behind one interface so
 * the engine's pipeline reads the same with or without them.
 */

import type { JsonValue } from "../core/canonical-json.js";
import type { GridPlan } from "../domain/grid-plan.js";
import type { Snapshot } from "../domain/snapshot.js";
import type { GatingResult } from "../risk/gating/gating-result.js";
import type { ToxicityGate } from "../risk/gating/toxicity-gate.js";

/** Features computed for one snapshot. */
export interface FeatureOutput {
  /** The `features` record of the output (schema v1). */
  readonly json: JsonValue;
  /** Opaque handle the adaptive policy reads. */
  readonly snapshot: unknown;
}

export interface TopKV1Selection {
  readonly selected: readonly string[];
  readonly k: number;
  readonly ranks: ReadonlyMap<string, number>;
  readonly scoresJson: JsonValue;
  readonly gateExcluded: number;
}

export interface SmartGridHooks {
  /** Feed a snapshot to the feature engine during the selection pass. */
  warmUp(s: Snapshot): void;
  /** Feed a snapshot to the feature engine and return its features. */
  features(s: Snapshot): FeatureOutput | undefined;
  /** Top-K v1 over the feature engine's latest features and the toxicity state. */
  selectTopK(toxicity: ToxicityGate): TopKV1Selection;
  /** The adaptive policy's plan for a snapshot. */
  adaptivePlan(
    s: Snapshot,
    features: FeatureOutput | undefined,
    killSwitchActive: boolean,
    toxicity: GatingResult,
  ): GridPlan;
}
