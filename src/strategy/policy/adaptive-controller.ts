/**
 * Adaptive controller v0: a rule-based spacing adjuster.
 *
 * Per symbol it keeps the last `windowSize` (mid price, spread) observations
 * and derives two integer metrics:
 * - vol_bps: the sum of |mid_i / mid_{i-1} - 1| over the window, times
 *   10000, rounded half-even to an integer (exact decimal arithmetic);
 * - spread_bps_max: the largest spread, each truncated to whole bps on record.
 *
 * Rules, first match wins: spread_bps_max > spreadPauseBps -> PAUSE;
 * vol_bps > volWidenBps -> WIDEN; vol_bps < volTightenBps -> TIGHTEN;
 * otherwise BASE.
 */

import { Decimal } from "../../core/decimal.js";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import { type ControllerDecision, ControllerMode, ControllerReason } from "./controller-types.js";

const TEN_THOUSAND = Decimal.fromInt(10000);

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

interface Observation {
  readonly ts: number;
  readonly mid: Decimal;
  readonly spreadBps: number;
  /**
   * |mid / previous mid - 1| against the observation recorded just before
   * this one (undefined for a first observation or a non-positive previous
   * price). Computed once at record time; the window's sum reuses it.
   */
  readonly absReturn: Decimal | undefined;
}

/** Truncate a float toward zero to an integer, as int(float) does. */
function truncToInt(x: number): number {
  if (!Number.isFinite(x)) throw new InvalidInputError(`spread_bps is not finite: ${x}`);
  const t = Math.trunc(x);
  return t === 0 ? 0 : t;
}

/** |curr - prev| / prev, or undefined when the step is skipped (non-positive previous price). */
function absReturn(prev: Decimal | undefined, curr: Decimal): Decimal | undefined {
  if (prev === undefined || !prev.isPositive()) return undefined;
  return curr.sub(prev).div(prev).abs();
}

/**
 * Sum of absolute relative changes over the window, left to right from 0,
 * skipping steps from a non-positive price (the window's first observation
 * has no step inside the window).
 */
function sumAbsReturns(window: readonly Observation[]): Decimal {
  let total = Decimal.ZERO;
  for (let i = 1; i < window.length; i++) {
    const r = (window[i] as Observation).absReturn;
    if (r !== undefined) total = total.add(r);
  }
  return total;
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
    const prev = h.length > 0 ? (h[h.length - 1] as Observation).mid : undefined;
    h.push({ ts, mid: midPrice, spreadBps: spread, absReturn: absReturn(prev, midPrice) });
    while (h.length > this.config.windowSize) h.shift();
  }

  private metrics(symbol: string): { volBps: number; spreadBpsMax: number; windowSize: number } {
    const h = this.getHistory(symbol);
    if (h.length < 2) return { volBps: 0, spreadBpsMax: 0, windowSize: h.length };
    const total = sumAbsReturns(h);
    const volBps = Number(total.mul(TEN_THOUSAND).quantize(0, "ROUND_HALF_EVEN").toIntTrunc());
    let spreadBpsMax = h[0]?.spreadBps ?? 0;
    for (const o of h) if (o.spreadBps > spreadBpsMax) spreadBpsMax = o.spreadBps;
    return { volBps, spreadBpsMax, windowSize: h.length };
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
