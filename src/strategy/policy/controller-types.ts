/** Adaptive controller v0 contract: modes, reasons and the decision record. */

import type { JsonValue } from "../../core/canonical-json.js";
import { float } from "../../core/canonical-json.js";
import { InvalidInputError } from "../../core/errors.js";

/** Priority, highest first: PAUSE > WIDEN > TIGHTEN > BASE. */
export const ControllerMode = {
  BASE: "BASE",
  WIDEN: "WIDEN",
  TIGHTEN: "TIGHTEN",
  PAUSE: "PAUSE",
} as const;
export type ControllerMode = (typeof ControllerMode)[keyof typeof ControllerMode];

export const ControllerReason = {
  NORMAL: "NORMAL",
  LOW_VOL: "LOW_VOL",
  HIGH_VOL: "HIGH_VOL",
  WIDE_SPREAD: "WIDE_SPREAD",
} as const;
export type ControllerReason = (typeof ControllerReason)[keyof typeof ControllerReason];

export interface ControllerDecision {
  readonly mode: ControllerMode;
  readonly reason: ControllerReason;
  /** Factor on the base grid spacing (1.0 for BASE and PAUSE). A float. */
  readonly spacingMultiplier: number;
  /** Windowed volatility, integer basis points. */
  readonly volBps: number;
  /** Largest spread in the window, integer basis points. */
  readonly spreadBpsMax: number;
  /** Observations in the window. */
  readonly windowSize: number;
}

export function controllerDecisionToJson(d: ControllerDecision): JsonValue {
  return {
    mode: d.mode,
    reason: d.reason,
    spacing_multiplier: float(d.spacingMultiplier),
    vol_bps: d.volBps,
    spread_bps_max: d.spreadBpsMax,
    window_size: d.windowSize,
  };
}

function num(d: Readonly<Record<string, unknown>>, key: string, integer: boolean): number {
  const v = d[key];
  if (typeof v !== "number" || (integer && !Number.isSafeInteger(v))) {
    throw new InvalidInputError(
      `controller decision field ${JSON.stringify(key)}: expected ${integer ? "integer" : "number"}`,
    );
  }
  return v;
}

function member<T extends string>(values: Record<string, T>, v: unknown, key: string): T {
  for (const m of Object.values(values)) if (m === v) return m;
  throw new InvalidInputError(`controller decision field ${JSON.stringify(key)}: unknown value`);
}

/** Inverse of `controllerDecisionToJson`. */
export function controllerDecisionFromJson(
  d: Readonly<Record<string, unknown>>,
): ControllerDecision {
  return Object.freeze({
    mode: member(ControllerMode, d.mode, "mode"),
    reason: member(ControllerReason, d.reason, "reason"),
    spacingMultiplier: num(d, "spacing_multiplier", false),
    volBps: num(d, "vol_bps", true),
    spreadBpsMax: num(d, "spread_bps_max", true),
    windowSize: num(d, "window_size", true),
  });
}
