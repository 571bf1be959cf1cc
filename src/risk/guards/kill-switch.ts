/**
 * Emergency trading halt: a latch that, once tripped, stays tripped until an
 * explicit reset. Tripping again is a no-op that keeps the first reason,
 * timestamp and details.
 */

import type { JsonValue } from "../../core/canonical-json.js";

/** Why the kill switch was tripped (stable values for logs and metrics). */
export const KillSwitchReason = {
  DRAWDOWN_LIMIT: "DRAWDOWN_LIMIT",
  MANUAL: "MANUAL",
  ERROR: "ERROR",
} as const;
export type KillSwitchReason = (typeof KillSwitchReason)[keyof typeof KillSwitchReason];

export type KillSwitchDetails = { readonly [key: string]: JsonValue };

export class KillSwitchState {
  readonly triggered: boolean;
  readonly reason: KillSwitchReason | null;
  readonly triggeredAtTs: number | null;
  readonly details: KillSwitchDetails | null;

  constructor(
    triggered = false,
    reason: KillSwitchReason | null = null,
    triggeredAtTs: number | null = null,
    details: KillSwitchDetails | null = null,
  ) {
    this.triggered = triggered;
    this.reason = reason;
    this.triggeredAtTs = triggeredAtTs;
    this.details = details;
  }

  /** Output form `{triggered, reason, triggered_at_ts, details}`. */
  toJson(): {
    triggered: boolean;
    reason: KillSwitchReason | null;
    triggered_at_ts: number | null;
    details: KillSwitchDetails | null;
  } {
    return {
      triggered: this.triggered,
      reason: this.reason,
      triggered_at_ts: this.triggeredAtTs,
      details: this.details,
    };
  }
}

export class KillSwitch {
  private current = new KillSwitchState();

  get isTriggered(): boolean {
    return this.current.triggered;
  }

  get state(): KillSwitchState {
    return this.current;
  }

  /** Trip the switch at `ts`; returns the state (unchanged when already tripped). */
  trip(
    reason: KillSwitchReason,
    ts: number,
    details: KillSwitchDetails | null = null,
  ): KillSwitchState {
    if (this.current.triggered) return this.current;
    this.current = new KillSwitchState(true, reason, ts, details);
    return this.current;
  }

  /** Back to the untripped state (only for a fresh run). */
  reset(): void {
    this.current = new KillSwitchState();
  }
}
