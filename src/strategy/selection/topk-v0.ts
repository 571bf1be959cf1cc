/**
 * Top-K v0: pick the K most volatile symbols.
 *
 * Each symbol keeps its last `windowSize` mid prices. Its score is the sum of
 * |mid_i / mid_{i-1} - 1| over that window, times 10000, rounded half-even to
 * integer basis points (exact decimal arithmetic, so ranking is platform
 * independent). Ranking: higher score first, then symbol ascending.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import type { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { compareCodePoints } from "../../core/strings.js";
import { exactVolBps } from "../features/window-vol.js";

export interface SymbolScore {
  readonly symbol: string;
  /** Volatility score in integer basis points. */
  readonly scoreBps: number;
  /** Prices in the window when scored. */
  readonly eventCount: number;
}

export function symbolScoreToJson(s: SymbolScore): JsonValue {
  return { symbol: s.symbol, score_bps: s.scoreBps, event_count: s.eventCount };
}

export interface TopKResult {
  /** Selected symbols, best first. */
  readonly selected: readonly string[];
  /** Every scored symbol in ranking order. */
  readonly scores: readonly SymbolScore[];
  readonly k: number;
}

export function topKResultToJson(r: TopKResult): JsonValue {
  return { selected: [...r.selected], scores: r.scores.map(symbolScoreToJson), k: r.k };
}

export interface TopKSelectorConfig {
  /** Symbols to select (default 3). */
  readonly k: number;
  /** Prices kept per symbol (default 10). */
  readonly windowSize: number;
}

export const DEFAULT_TOPK_V0_CONFIG: TopKSelectorConfig = Object.freeze({ k: 3, windowSize: 10 });

/** End index of the slice `[:k]` of a list of length n (a negative k counts from the end). */
function headEnd(k: number, n: number): number {
  return k >= 0 ? Math.min(k, n) : Math.max(0, n + k);
}

interface PricePoint {
  readonly ts: number;
  readonly mid: Decimal;
}

export class TopKSelector {
  readonly k: number;
  readonly windowSize: number;
  /** Insertion-ordered per-symbol windows. */
  private readonly history = new Map<string, PricePoint[]>();

  constructor(config: Partial<TopKSelectorConfig> = {}) {
    this.k = config.k ?? DEFAULT_TOPK_V0_CONFIG.k;
    this.windowSize = config.windowSize ?? DEFAULT_TOPK_V0_CONFIG.windowSize;
  }

  private getHistory(symbol: string): PricePoint[] {
    let h = this.history.get(symbol);
    if (h === undefined) {
      if (!Number.isSafeInteger(this.windowSize) || this.windowSize < 0) {
        throw new ConfigError(
          `top-K window_size must be a non-negative integer, got ${this.windowSize}`,
        );
      }
      h = [];
      this.history.set(symbol, h);
    }
    return h;
  }

  recordPrice(ts: number, symbol: string, midPrice: Decimal): void {
    const h = this.getHistory(symbol);
    h.push({ ts, mid: midPrice });
    while (h.length > this.windowSize) h.shift();
  }

  private score(symbol: string, h: readonly PricePoint[]): SymbolScore {
    if (h.length < 2) return Object.freeze({ symbol, scoreBps: 0, eventCount: h.length });
    const scoreBps = exactVolBps(h);
    return Object.freeze({ symbol, scoreBps, eventCount: h.length });
  }

  /** Score every recorded symbol and take the best K. */
  select(): TopKResult {
    const scores: SymbolScore[] = [];
    for (const [symbol, h] of this.history) scores.push(this.score(symbol, h));
    scores.sort((a, b) =>
      a.scoreBps !== b.scoreBps ? b.scoreBps - a.scoreBps : compareCodePoints(a.symbol, b.symbol),
    );
    const selected = scores.slice(0, headEnd(this.k, scores.length)).map((s) => s.symbol);
    return Object.freeze({ selected, scores, k: this.k });
  }

  /** Symbols in first-recorded order. */
  getAllSymbols(): string[] {
    return [...this.history.keys()];
  }

  reset(): void {
    this.history.clear();
  }
}
