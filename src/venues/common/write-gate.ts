/**
 * WriteGate: what an order command must pass before it may reach an
 * exchange, in this order: armed -> kill switch (a cancel passes: it only
 * reduces risk) -> symbol whitelist. The defaults block everything: a venue
 * arms its gate only after the operator armed the run.
 */

import type { OrderCommand } from "../../domain/orders.js";

export const BlockReason = {
  NOT_ARMED: "NOT_ARMED",
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  SYMBOL_NOT_WHITELISTED: "SYMBOL_NOT_WHITELISTED",
} as const;
export type BlockReason = (typeof BlockReason)[keyof typeof BlockReason];

export interface WriteGateConfig {
  /** Master switch; false (default) blocks every write. */
  readonly armed: boolean;
  /** Blocks submits, lets cancels through. */
  readonly killSwitchActive: boolean;
  /** Empty = all symbols. */
  readonly symbolWhitelist: readonly string[];
}

const SAFE_DEFAULTS: WriteGateConfig = Object.freeze({
  armed: false,
  killSwitchActive: false,
  symbolWhitelist: Object.freeze([]),
});

export class WriteGate {
  private cfg: WriteGateConfig;

  constructor(config: Partial<WriteGateConfig> = {}) {
    this.cfg = Object.freeze({ ...SAFE_DEFAULTS, ...config });
  }

  get config(): WriteGateConfig {
    return this.cfg;
  }

  /** Arm or disarm, raise or lower the kill switch, change the whitelist. */
  update(config: Partial<WriteGateConfig>): void {
    this.cfg = Object.freeze({ ...this.cfg, ...config });
  }

  /** Why `cmd` may not be sent, or undefined when it may. */
  check(cmd: OrderCommand): BlockReason | undefined {
    const c = this.cfg;
    if (!c.armed) return BlockReason.NOT_ARMED;
    if (c.killSwitchActive && cmd.kind === "SubmitOrder") return BlockReason.KILL_SWITCH_ACTIVE;
    if (c.symbolWhitelist.length > 0 && !c.symbolWhitelist.includes(cmd.symbol))
      return BlockReason.SYMBOL_NOT_WHITELISTED;
    return undefined;
  }
}
