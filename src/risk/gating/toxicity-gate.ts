/**
 * Rule-based detection of adverse market conditions (toxicity v0):
 * a spread wider than a threshold (SPREAD_SPIKE), or a mid price that moved
 * too far from the oldest price still inside the lookback window
 * (PRICE_IMPACT_HIGH). Spreads and impacts are binary floats in basis points,
 * prices are exact Decimals.
 */

import { type Float, float } from "../../core/canonical-json.js";
import type { Decimal } from "../../core/decimal.js";
import { GateReason } from "./gate-codes.js";
import { GatingResult } from "./gating-result.js";
import { roundFloat } from "./py-round.js";

/** Price observations kept per symbol; recording more drops the oldest. */
const HISTORY_MAX = 100;

/**
 * A symbol's recorded prices, oldest first, in a ring of HISTORY_MAX slots:
 * dropping the oldest is a step of `head`, not a shift of the array (every
 * event drops one once the ring is full).
 */
class PriceHistory {
  private readonly ts: number[] = new Array<number>(HISTORY_MAX).fill(0);
  private readonly prices: (Decimal | undefined)[] = new Array<Decimal | undefined>(HISTORY_MAX);
  private head = 0;
  size = 0;

  push(ts: number, price: Decimal): void {
    if (this.size === HISTORY_MAX) this.dropOldest();
    const at = (this.head + this.size) % HISTORY_MAX;
    this.ts[at] = ts;
    this.prices[at] = price;
    this.size++;
  }

  dropOldest(): void {
    this.prices[this.head] = undefined;
    this.head = (this.head + 1) % HISTORY_MAX;
    this.size--;
  }

  oldestTs(): number {
    return this.ts[this.head] as number;
  }

  oldestPrice(): Decimal {
    return this.prices[this.head] as Decimal;
  }
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

  private readonly history = new Map<string, PriceHistory>();
  /** The thresholds as printed in every result (one object each, not one per event). */
  private readonly maxSpreadJson: Float;
  private readonly maxImpactJson: Float;

  constructor(options: ToxicityGateOptions = {}) {
    this.maxSpreadBps = options.maxSpreadBps ?? 50.0;
    this.maxPriceImpactBps = options.maxPriceImpactBps ?? 500.0;
    this.lookbackWindowMs = options.lookbackWindowMs ?? 5000;
    this.maxSpreadJson = float(this.maxSpreadBps);
    this.maxImpactJson = float(this.maxPriceImpactBps);
  }

  private historyOf(symbol: string): PriceHistory {
    let h = this.history.get(symbol);
    if (h === undefined) {
      h = new PriceHistory();
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
        max_spread_bps: this.maxSpreadJson,
        excess_bps: float(spreadBps - this.maxSpreadBps),
      });
    }

    const history = this.historyOf(symbol);
    if (history.size > 0) {
      const windowStart = ts - this.lookbackWindowMs;
      while (history.size > 0 && history.oldestTs() < windowStart) history.dropOldest();
      const oldestPrice = history.size > 0 ? history.oldestPrice() : undefined;
      if (
        oldestPrice !== undefined &&
        oldestPrice.sign() > 0 &&
        !this.clearlyCalm(midPrice, oldestPrice)
      ) {
        const ratio = midPrice.sub(oldestPrice).div(oldestPrice).toNumber();
        const priceChangeBps = Math.abs(ratio * 10000);
        if (priceChangeBps > this.maxPriceImpactBps) {
          return GatingResult.block(GateReason.PRICE_IMPACT_HIGH, {
            price_change_bps: float(roundFloat(priceChangeBps, 2)),
            max_price_impact_bps: this.maxImpactJson,
            oldest_price: oldestPrice.toString(),
            current_price: midPrice.toString(),
            window_ms: ts - history.oldestTs(),
          });
        }
      }
    }

    return GatingResult.allow({
      spread_bps: float(spreadBps),
      max_spread_bps: this.maxSpreadJson,
      prices_in_window: history.size,
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
    this.historyOf(symbol).push(ts, midPrice);
  }

  /** Forget all price history. */
  reset(): void {
    this.history.clear();
  }

  /** Prices currently held for `symbol` (as of the last pruning `check`). */
  pricesInWindow(symbol: string): number {
    return this.history.get(symbol)?.size ?? 0;
  }
}
