/**
 * The USD-M margin metrics of the run summary, from the venue's margin
 * account at each equity point (docs/SIMULATION.md, "Summary metrics"):
 * the largest effective leverage and margin use, and per symbol the closest
 * the mark came to its liquidation price while a position was open. Memory:
 * one number per symbol.
 */

import { Decimal } from "../core/decimal.js";
import type { MarginState } from "../domain/margin-state.js";

const HUNDRED = Decimal.fromInt(100);

export interface MarginMetricsJson {
  /** null: no margin account (spot). */
  readonly max_effective_leverage: number | null;
  readonly max_margin_use_pct: number | null;
  /** Symbol -> minimum distance in % of the mark; null when never open. */
  readonly liquidation_distance_pct: Readonly<Record<string, number | null>>;
}

/** |mark - liquidation price| / mark x 100, for an open position (undefined otherwise). */
export function liquidationDistancePct(
  mark: Decimal,
  liquidationPrice: Decimal | undefined,
): number | undefined {
  if (liquidationPrice === undefined || !mark.isPositive()) return undefined;
  return mark.sub(liquidationPrice).abs().div(mark).mul(HUNDRED).toNumber();
}

/** Effective leverage and margin use of one point; undefined when the margin balance is <= 0. */
export function marginRatios(
  m: MarginState,
): { readonly leverage: number; readonly usePct: number } | undefined {
  if (!m.marginBalance.isPositive()) return undefined;
  return {
    leverage: m.positionNotional.div(m.marginBalance).toNumber(),
    usePct: m.initialMargin.div(m.marginBalance).mul(HUNDRED).toNumber(),
  };
}

export class MarginStats {
  private seen = false;
  private maxLeverage = 0;
  private maxUsePct = 0;
  private readonly distance = new Map<string, number | null>();

  push(m: MarginState): void {
    this.seen = true;
    const r = marginRatios(m);
    if (r !== undefined) {
      if (r.leverage > this.maxLeverage) this.maxLeverage = r.leverage;
      if (r.usePct > this.maxUsePct) this.maxUsePct = r.usePct;
    }
    for (const s of m.symbols) {
      const before = this.distance.get(s.symbol) ?? null;
      const d = s.position.isZero()
        ? undefined
        : liquidationDistancePct(s.mark, s.liquidationPrice);
      if (d === undefined) {
        if (!this.distance.has(s.symbol)) this.distance.set(s.symbol, null);
      } else if (before === null || d < before) this.distance.set(s.symbol, d);
    }
  }

  result(): MarginMetricsJson {
    const distances: Record<string, number | null> = {};
    for (const k of [...this.distance.keys()].sort()) {
      distances[k] = this.distance.get(k) ?? null;
    }
    return {
      max_effective_leverage: this.seen ? this.maxLeverage : null,
      max_margin_use_pct: this.seen ? this.maxUsePct : null,
      liquidation_distance_pct: distances,
    };
  }
}
