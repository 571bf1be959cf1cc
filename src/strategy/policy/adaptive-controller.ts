/**
 * Adaptive controller v0: a rule-based spacing adjuster.
 *
 * Per symbol it keeps the last `windowSize` (mid price, spread) observations
 * and derives two integer metrics:
 * - vol_bps: the sum of |mid_i / mid_{i-1} - 1| over the window, times
 *   10000, rounded half-even to an integer (exact decimal arithmetic, see
 *   window-vol.ts);
 * - spread_bps_max: the largest spread, each truncated to whole bps on record.
 *
 * Rules, first match wins: spread_bps_max > spreadPauseBps -> PAUSE;
 * vol_bps > volWidenBps -> WIDEN; vol_bps < volTightenBps -> TIGHTEN;
 * otherwise BASE.
 */

import type { Decimal } from "../../core/decimal.js";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import { type VolPoint, volBps } from "../features/window-vol.js";
import { type ControllerDecision, ControllerMode, ControllerReason } from "./controller-types.js";

export interface AdaptiveControllerConfig {
  /** Observations kept per symbol (default 10). */
  readonly windowSize: number;
  /** PAUSE when the window's max spread exceeds this (default 50). */
  readonly spreadPauseBps: number;
  /** WIDEN when vol exceeds this (default 300). */
  readonly volWidenBps: number;
  /** TIGHTEN when vol is below this (default 50). */
  readonly volTightenBps: number;
  /** Spacing factor in WIDEN (default 1.5). */
  readonly widenMultiplier: number;
  /** Spacing factor in TIGHTEN (default 0.8). */
  readonly tightenMultiplier: number;
}

export const DEFAULT_ADAPTIVE_CONTROLLER_CONFIG: AdaptiveControllerConfig = Object.freeze({
  windowSize: 10,
  spreadPauseBps: 50,
  volWidenBps: 300,
  volTightenBps: 50,
  widenMultiplier: 1.5,
  tightenMultiplier: 0.8,
});

interface Observation extends VolPoint {
  readonly ts: number;
  readonly spreadBps: number;
}

/** Truncate a float toward zero to an integer, as int(float) does. */
function truncToInt(x: number): number {
  if (!Number.isFinite(x)) throw new InvalidInputError(`spread_bps is not finite: ${x}`);
  const t = Math.trunc(x);
  return t === 0 ? 0 : t;
}

export class AdaptiveController {
  readonly config: AdaptiveControllerConfig;
  /** Insertion-ordered: symbols appear in the order first recorded or queried. */
  private readonly history = new Map<string, Observation[]>();

  constructor(config: Partial<AdaptiveControllerConfig> = {}) {
    const d = DEFAULT_ADAPTIVE_CONTROLLER_CONFIG;
    this.config = Object.freeze({
      windowSize: config.windowSize ?? d.windowSize,
      spreadPauseBps: config.spreadPauseBps ?? d.spreadPauseBps,
      volWidenBps: config.volWidenBps ?? d.volWidenBps,
      volTightenBps: config.volTightenBps ?? d.volTightenBps,
      widenMultiplier: config.widenMultiplier ?? d.widenMultiplier,
      tightenMultiplier: config.tightenMultiplier ?? d.tightenMultiplier,
    });
  }

  private getHistory(symbol: string): Observation[] {
    let h = this.history.get(symbol);
    if (h === undefined) {
      const w = this.config.windowSize;
      if (!Number.isSafeInteger(w) || w < 0) {
        throw new ConfigError(`controller window_size must be a non-negative integer, got ${w}`);
      }
      h = [];
      this.history.set(symbol, h);
    }
    return h;
  }

  /** Add one observation; the spread is truncated to whole bps. */
  record(ts: number, symbol: string, midPrice: Decimal, spreadBps: number): void {
    const h = this.getHistory(symbol);
    const spread = truncToInt(spreadBps);
    h.push({ ts, mid: midPrice, midF: midPrice.toNumber(), spreadBps: spread });
    while (h.length > this.config.windowSize) h.shift();
  }

  private metrics(symbol: string): { volBps: number; spreadBpsMax: number; windowSize: number } {
    const h = this.getHistory(symbol);
    if (h.length < 2) return { volBps: 0, spreadBpsMax: 0, windowSize: h.length };
    const vol = volBps(h);
    let spreadBpsMax = h[0]?.spreadBps ?? 0;
    for (const o of h) if (o.spreadBps > spreadBpsMax) spreadBpsMax = o.spreadBps;
    return { volBps: vol, spreadBpsMax, windowSize: h.length };
  }

  /**
   * Decision from the current window. Like the reference, asking about a
   * symbol never recorded registers it (with an empty window).
   */
  decide(symbol: string): ControllerDecision {
    const m = this.metrics(symbol);
    const c = this.config;
    const make = (
      mode: ControllerMode,
      reason: ControllerReason,
      mult: number,
    ): ControllerDecision =>
      Object.freeze({
        mode,
        reason,
        spacingMultiplier: mult,
        volBps: m.volBps,
        spreadBpsMax: m.spreadBpsMax,
        windowSize: m.windowSize,
      });
    if (m.spreadBpsMax > c.spreadPauseBps)
      return make(ControllerMode.PAUSE, ControllerReason.WIDE_SPREAD, 1);
    if (m.volBps > c.volWidenBps)
      return make(ControllerMode.WIDEN, ControllerReason.HIGH_VOL, c.widenMultiplier);
    if (m.volBps < c.volTightenBps) {
      return make(ControllerMode.TIGHTEN, ControllerReason.LOW_VOL, c.tightenMultiplier);
    }
    return make(ControllerMode.BASE, ControllerReason.NORMAL, 1);
  }

  /** Symbols in first-seen order. */
  getAllSymbols(): string[] {
    return [...this.history.keys()];
  }

  reset(): void {
    this.history.clear();
  }
}
