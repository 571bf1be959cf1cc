/** What the live stack may do: read market data only (default), simulate orders, or trade. */

import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";

export const SafeMode = {
  READ_ONLY: "read_only",
  PAPER: "paper",
  LIVE_TRADE: "live_trade",
} as const;
export type SafeMode = (typeof SafeMode)[keyof typeof SafeMode];

const RANK: Record<SafeMode, number> = { read_only: 0, paper: 1, live_trade: 2 };

export function parseSafeMode(text: string): SafeMode {
  const t = text.trim().toLowerCase();
  if (t === "read_only" || t === "paper" || t === "live_trade") return t;
  throw new ConnectorNonRetryableError(
    `unknown safe mode ${JSON.stringify(text)} (expected read_only, paper or live_trade)`,
  );
}

/** Throws (non-retryable: a configuration problem, not a glitch) when `mode` is below `required`. */
export function assertMode(mode: SafeMode, required: SafeMode): void {
  if (RANK[mode] < RANK[required])
    throw new ConnectorNonRetryableError(
      `SafeMode violation: operation requires mode=${required}, but connector is in mode=${mode}`,
    );
}
