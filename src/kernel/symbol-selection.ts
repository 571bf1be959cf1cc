/**
 * Which symbols trade: Top-K v0 (volatility proxy over the whole run), Top-K
 * v1 (features, over the whole run or, look-ahead free, over a warm-up span
 * of the trading pass), or every symbol before a selection is made. Keeps
 * the selection's result fields and each selected symbol's Top-K v1 rank.
 */

import type { JsonValue } from "../core/canonical-json.js";
import type { Snapshot } from "../domain/snapshot.js";
import type { ToxicityGate } from "../risk/gating/toxicity-gate.js";
import { symbolScoreToJson, TopKSelector } from "../strategy/selection/topk-v0.js";
import type { SmartGridHooks } from "./smart-grid-hooks.js";

export class SymbolSelection {
  private readonly topk: TopKSelector;
  /** Symbols that trade; undefined before a selection (every symbol trades). */
  private selected: ReadonlySet<string> | undefined;
  private readonly rankBySymbol = new Map<string, number>();
  /** Look-ahead-free Top-K v1: selection time (NaN until the first event), then undefined. */
  private warmUpUntil: number | undefined;
  private fields: Record<string, JsonValue> = {
    topk_selected_symbols: [],
    topk_k: 0,
    topk_scores: [],
    topk_v1_selected_symbols: [],
    topk_v1_scores: [],
    topk_v1_gate_excluded: 0,
  };

  constructor(k: number, windowSize: number) {
    this.topk = new TopKSelector({ k, windowSize });
  }

  /** Top-K v0 over every snapshot of the run, fed one at a time: begin, feed each, end. */
  beginV0(): void {
    this.topk.reset();
  }

  feedV0(s: Snapshot): void {
    this.topk.recordPrice(s.ts, s.symbol, s.midPrice);
  }

  endV0(): void {
    const r = this.topk.select();
    this.selected = new Set(r.selected);
    this.fields = {
      ...this.fields,
      topk_selected_symbols: [...r.selected],
      topk_k: r.k,
      topk_scores: r.scores.map(symbolScoreToJson),
    };
  }

  /** Top-K v1 from the features seen so far and the toxicity state. */
  selectV1(smart: SmartGridHooks, toxicity: ToxicityGate): void {
    const sel = smart.selectTopK(toxicity);
    this.selected = new Set(sel.selected);
    for (const [sym, rank] of sel.ranks) this.rankBySymbol.set(sym, rank);
    this.fields = {
      topk_selected_symbols: [...sel.selected],
      topk_k: sel.k,
      topk_scores: [],
      topk_v1_selected_symbols: [...sel.selected],
      topk_v1_scores: sel.scoresJson,
      topk_v1_gate_excluded: sel.gateExcluded,
    };
  }

  /** Select during the trading pass, `spanMs` after its first event (no look-ahead). */
  armWarmUp(): void {
    this.warmUpUntil = Number.NaN;
  }

  /**
   * During a look-ahead-free warm-up: "warming" while events are before the
   * selection time, "select" for the first event past it (the caller selects
   * now), "done" once selected or when there is no warm-up.
   */
  warmUpStep(ts: number, spanMs: number): "warming" | "select" | "done" {
    if (this.warmUpUntil === undefined) return "done";
    if (Number.isNaN(this.warmUpUntil)) this.warmUpUntil = ts + spanMs;
    if (ts < this.warmUpUntil) return "warming";
    this.warmUpUntil = undefined;
    return "select";
  }

  trades(symbol: string): boolean {
    return this.selected === undefined || this.selected.has(symbol);
  }

  /** Top-K v1 rank of the symbol, null when it has none. */
  rank(symbol: string): number | null {
    return this.rankBySymbol.get(symbol) ?? null;
  }

  /** The selection's fields of the run result. */
  resultFields(): Record<string, JsonValue> {
    return this.fields;
  }
}
