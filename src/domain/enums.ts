/** Stable enumerations of the public contract (values appear in outputs and metrics). */

export const GridMode = {
  BILATERAL: "BILATERAL",
  UNI_LONG: "UNI_LONG",
  UNI_SHORT: "UNI_SHORT",
  THROTTLE: "THROTTLE",
  PAUSE: "PAUSE",
  EMERGENCY: "EMERGENCY",
} as const;
export type GridMode = (typeof GridMode)[keyof typeof GridMode];

export const OrderSide = { BUY: "BUY", SELL: "SELL" } as const;
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];

export const OrderState = {
  PENDING: "PENDING",
  OPEN: "OPEN",
  PARTIALLY_FILLED: "PARTIALLY_FILLED",
  FILLED: "FILLED",
  CANCELLED: "CANCELLED",
  REJECTED: "REJECTED",
  EXPIRED: "EXPIRED",
} as const;
export type OrderState = (typeof OrderState)[keyof typeof OrderState];

export const MarketRegime = {
  RANGE: "RANGE",
  TREND_UP: "TREND_UP",
  TREND_DOWN: "TREND_DOWN",
  VOL_SHOCK: "VOL_SHOCK",
  THIN_BOOK: "THIN_BOOK",
  TOXIC: "TOXIC",
  PAUSED: "PAUSED",
} as const;
export type MarketRegime = (typeof MarketRegime)[keyof typeof MarketRegime];

export const ResetAction = { NONE: "NONE", SOFT: "SOFT", HARD: "HARD" } as const;
export type ResetAction = (typeof ResetAction)[keyof typeof ResetAction];

export const DecisionReason = {
  PREFILTER_ALLOW: "PREFILTER_ALLOW",
  PREFILTER_BLOCK_VOLUME: "PREFILTER_BLOCK_VOLUME",
  PREFILTER_BLOCK_SPREAD: "PREFILTER_BLOCK_SPREAD",
  PREFILTER_BLOCK_TOXICITY: "PREFILTER_BLOCK_TOXICITY",
  POLICY_GRID_NORMAL: "POLICY_GRID_NORMAL",
  POLICY_GRID_THROTTLE: "POLICY_GRID_THROTTLE",
  POLICY_PAUSE: "POLICY_PAUSE",
  POLICY_EMERGENCY: "POLICY_EMERGENCY",
  RISK_OK: "RISK_OK",
  RISK_POSITION_LIMIT: "RISK_POSITION_LIMIT",
  RISK_DRAWDOWN_LIMIT: "RISK_DRAWDOWN_LIMIT",
  RISK_KILL_SWITCH: "RISK_KILL_SWITCH",
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];
