/**
 * Which grid the strategy wants for an event: the Adaptive Controller's mode
 * (PAUSE, or a spacing multiplier) over the static grid policy, or the
 * adaptive grid policy when enabled.
 */

import type { Decimal } from "../core/decimal.js";
import type { GridPlan } from "../domain/grid-plan.js";
import type { Snapshot } from "../domain/snapshot.js";
import type { GatingResult } from "../risk/gating/gating-result.js";
import { AdaptiveController } from "../strategy/policy/adaptive-controller.js";
import { ControllerMode } from "../strategy/policy/controller-types.js";
import { StaticGridPolicy } from "../strategy/policy/static-grid-policy.js";
import type { EngineOptions } from "./kernel-options.js";
import type { FeatureOutput, SmartGridHooks } from "./smart-grid-hooks.js";

export class GridPlanner {
  readonly controller: AdaptiveController;
  private readonly policy: StaticGridPolicy;
  private readonly spaced = new Map<number, StaticGridPolicy>();

  constructor(
    private readonly o: EngineOptions,
    private readonly smart: SmartGridHooks | undefined,
  ) {
    this.policy = this.staticPolicy(o.spacing_bps);
    this.controller = new AdaptiveController({
      windowSize: o.controller_window_size,
      spreadPauseBps: o.controller_spread_pause_bps,
      volWidenBps: o.controller_vol_widen_bps,
      volTightenBps: o.controller_vol_tighten_bps,
      widenMultiplier: o.controller_widen_multiplier,
      tightenMultiplier: o.controller_tighten_multiplier,
    });
  }

  private staticPolicy(spacingBps: number): StaticGridPolicy {
    return new StaticGridPolicy({
      spacingBps,
      levels: this.o.levels,
      sizePerLevel: this.o.size_per_level,
    });
  }

  /** The controller's spacing multiplier for the event, or "PAUSE" (1 when it is off). */
  controllerSpacing(s: Snapshot): number | "PAUSE" {
    if (!this.o.controller_enabled) return 1;
    this.controller.record(s.ts, s.symbol, s.midPrice, s.spreadBps);
    const d = this.controller.decide(s.symbol);
    return d.mode === ControllerMode.PAUSE ? "PAUSE" : d.spacingMultiplier;
  }

  /**
   * The plan: the adaptive policy's (given the toxicity check it reads and
   * whether the kill switch tripped), else the static grid at the
   * controller's spacing.
   */
  plan(
    s: Snapshot,
    features: FeatureOutput | undefined,
    multiplier: number,
    adaptive: () => { readonly toxicity: GatingResult; readonly killSwitch: boolean },
  ): GridPlan {
    const mid: Decimal = s.midPrice;
    if (this.o.adaptive_policy_enabled && this.smart !== undefined) {
      const a = adaptive();
      return this.smart.adaptivePlan(s, features, a.killSwitch, a.toxicity);
    }
    const spacing = this.o.spacing_bps * multiplier;
    if (this.o.controller_enabled && spacing !== this.o.spacing_bps) {
      let p = this.spaced.get(spacing);
      if (p === undefined) {
        p = this.staticPolicy(spacing);
        this.spaced.set(spacing, p);
      }
      return p.evaluate(mid);
    }
    return this.policy.evaluate(mid);
  }
}
