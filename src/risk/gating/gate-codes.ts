/**
 * Stable identifiers of the gating layer. Their string values are metric
 * labels and appear in outputs, so renaming one is a breaking change (the
 * contract test in `gating-contracts.test.ts` pins them).
 */

/** Which gate made a decision (the `gate` metric label). */
export const GateName = {
  RATE_LIMITER: "rate_limiter",
  RISK_GATE: "risk_gate",
  TOXICITY_GATE: "toxicity_gate",
} as const;
export type GateName = (typeof GateName)[keyof typeof GateName];

/** Why a gating decision was made (the `reason` metric label and the result's `reason`). */
export const GateReason = {
  PASS: "PASS",
  RATE_LIMIT_EXCEEDED: "RATE_LIMIT_EXCEEDED",
  COOLDOWN_ACTIVE: "COOLDOWN_ACTIVE",
  MAX_NOTIONAL_EXCEEDED: "MAX_NOTIONAL_EXCEEDED",
  DAILY_LOSS_LIMIT_EXCEEDED: "DAILY_LOSS_LIMIT_EXCEEDED",
  MAX_ORDERS_EXCEEDED: "MAX_ORDERS_EXCEEDED",
  SPREAD_SPIKE: "SPREAD_SPIKE",
  PRICE_IMPACT_HIGH: "PRICE_IMPACT_HIGH",
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  DRAWDOWN_LIMIT_EXCEEDED: "DRAWDOWN_LIMIT_EXCEEDED",
} as const;
export type GateReason = (typeof GateReason)[keyof typeof GateReason];

/** Every gate name value. */
export const ALL_GATE_NAMES: ReadonlySet<string> = new Set<string>(Object.values(GateName));

/** Every gate reason value. */
export const ALL_GATE_REASONS: ReadonlySet<string> = new Set<string>(Object.values(GateReason));

/** Parse a reason code; undefined when it is not one of GateReason. */
export function parseGateReason(value: string): GateReason | undefined {
  return ALL_GATE_REASONS.has(value) ? (value as GateReason) : undefined;
}
