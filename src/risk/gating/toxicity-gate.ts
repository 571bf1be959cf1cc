/**
 * Rule-based detection of adverse market conditions (toxicity v0):
 * a spread wider than a threshold (SPREAD_SPIKE), or a mid price that moved
 * too far from the oldest price still inside the lookback window
 * (PRICE_IMPACT_HIGH). Spreads and impacts are binary floats in basis points,
 * prices are exact Decimals.
 */

import { float } from "../../core/canonical-json.js";
import type { Decimal } from "../../core/decimal.js";
import { GateReason } from "./gate-codes.js";
import { GatingResult } from "./gating-result.js";
import { roundFloat } from "./py-round.js";

/** Price observations kept per symbol; recording more drops the oldest. */
const HISTORY_MAX = 100;

interface PricePoint {
  readonly ts: number;
  readonly price: Decimal;
}

export interface ToxicityGateOptions {
  /** Spread in bps above which trading is blocked (default 50.0). */
  readonly maxSpreadBps?: number;
  /** Price move in bps over the lookback above which trading is blocked (default 500.0). */
  readonly maxPriceImpactBps?: number;
  /** Lookback window for the price move, ms (default 5000). */
  readonly lookbackWindowMs?: number;
}

export class ToxicityGate {
  readonly maxSpreadBps: number;
  readonly maxPriceImpactBps: number;
  readonly lookbackWindowMs: number;

  private readonly history = new Map<string, PricePoint[]>();

  constructor(options: ToxicityGateOptions = {}) {
    this.maxSpreadBps = options.maxSpreadBps ?? 50.0;
    this.maxPriceImpactBps = options.maxPriceImpactBps ?? 500.0;
    this.lookbackWindowMs = options.lookbackWindowMs ?? 5000;
  }

  private historyOf(symbol: string): PricePoint[] {
    let h = this.history.get(symbol);
    if (h === undefined) {
      h = [];
      this.history.set(symbol, h);
    }
    return h;
  }

  /**
   * Check market conditions at `ts`. Does not record `midPrice`; it compares
   * it with the oldest recorded price of the symbol that is not older than
   * `ts - lookbackWindowMs`, discarding older records from the history.
   */
  check(ts: number, symbol: string, spreadBps: number, midPrice: Decimal): GatingResult {
    if (spreadBps > this.maxSpreadBps) {
      return GatingResult.block(GateReason.SPREAD_SPIKE, {
        spread_bps: float(spreadBps),
        max_spread_bps: float(this.maxSpreadBps),
        excess_bps: float(spreadBps - this.maxSpreadBps),
      });
    }

    const history = this.historyOf(symbol);
    if (history.length > 0) {
      const windowStart = ts - this.lookbackWindowMs;
      let drop = 0;
      while (drop < history.length && (history[drop] as PricePoint).ts < windowStart) drop++;
      if (drop > 0) history.splice(0, drop);

      const oldest = history[0];
      if (
        oldest !== undefined &&
        oldest.price.sign() > 0 &&
        !this.clearlyCalm(midPrice, oldest.price)
      ) {
        const ratio = midPrice.sub(oldest.price).div(oldest.price).toNumber();
        const priceChangeBps = Math.abs(ratio * 10000);
        if (priceChangeBps > this.maxPriceImpactBps) {
          return GatingResult.block(GateReason.PRICE_IMPACT_HIGH, {
            price_change_bps: float(roundFloat(priceChangeBps, 2)),
            max_price_impact_bps: float(this.maxPriceImpactBps),
            oldest_price: oldest.price.toString(),
            current_price: midPrice.toString(),
            window_ms: ts - oldest.ts,
          });
        }
      }
    }

    return GatingResult.allow({
      spread_bps: float(spreadBps),
      max_spread_bps: float(this.maxSpreadBps),
      prices_in_window: history.length,
    });
  }

  /**
   * Whether the move from `oldest` to `mid` is, in plain floats, so far below
   * the threshold that the exact ratio (a 28-digit division) cannot exceed it:
   * the float estimate is within about 1e-12 bps of it for any prices, and
   * the margin asked is 1e-6 bps. Only the blocking case needs the exact value.
   */
  private clearlyCalm(mid: Decimal, oldest: Decimal): boolean {
    const o = oldest.toNumber();
    const bps = Math.abs((mid.toNumber() - o) / o) * 10000;
    return bps < this.maxPriceImpactBps - 1e-6;
  }

  /** Record a mid price observation for `symbol` (keeps the latest 100). */
  recordPrice(ts: number, symbol: string, midPrice: Decimal): void {
    const history = this.historyOf(symbol);
    history.push({ ts, price: midPrice });
    if (history.length > HISTORY_MAX) history.splice(0, history.length - HISTORY_MAX);
  }

  /** Forget all price history. */
  reset(): void {
    this.history.clear();
  }

  /** Prices currently held for `symbol` (as of the last pruning `check`). */
  pricesInWindow(symbol: string): number {
    return this.history.get(symbol)?.length ?? 0;
  }
}
