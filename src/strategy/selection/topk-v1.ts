/**
 * Top-K v1 symbol selection from L1 features, integer-only.
 *
 *   score = range_score * w_range / 100
 *         + ilog10(int(thin_l1) + 1) * liq_scale * w_liquidity / 100
 *         - (toxicity blocked ? w_toxicity * 100 : 0)
 *         - |net_return_bps| * w_trend / 100
 *
 * (each term floored). Hard gates exclude a candidate before scoring:
 * TOXICITY_BLOCKED (when tox_blocked_exclude), SPREAD_TOO_WIDE
 * (spread_bps > spread_max_bps), THIN_BOOK (thin_l1 < thin_l1_min),
 * WARMUP_INSUFFICIENT (warmup_bars < warmup_min). Eligible candidates are
 * ordered by (-score, symbol) and the first K selected. Scores are listed
 * selected first by rank, then the rest by symbol.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { compareCodePoints } from "../../core/strings.js";

export interface TopKConfigV1 {
  /** Symbols to select (default 3). */
  readonly k: number;
  /** Widest eligible spread in bps (default 50). */
  readonly spreadMaxBps: number;
  /** Smallest eligible thin-side depth (default 1.0). */
  readonly thinL1Min: Decimal;
  /** Completed bars needed (default 15). */
  readonly warmupMin: number;
  /** Exclude toxicity-blocked symbols (default true). */
  readonly toxBlockedExclude: boolean;
  /** Weights x100 (100 = 1.0): range 100, liquidity 50, toxicity 200, trend 100. */
  readonly wRange: number;
  readonly wLiquidity: number;
  readonly wToxicity: number;
  readonly wTrend: number;
  /** Multiplier of ilog10(thin_l1 + 1) (default 1000). */
  readonly liqScale: number;
}

/** The class defaults (the backtest scripts use spread 100 and warm-up 10 instead). */
export function makeTopKConfigV1(p: Partial<TopKConfigV1> = {}): TopKConfigV1 {
  return Object.freeze({
    k: 3,
    spreadMaxBps: 50,
    thinL1Min: Decimal.parse("1.0"),
    warmupMin: 15,
    toxBlockedExclude: true,
    wRange: 100,
    wLiquidity: 50,
    wToxicity: 200,
    wTrend: 100,
    liqScale: 1000,
    ...p,
  });
}

export function topKConfigV1ToJson(c: TopKConfigV1): JsonValue {
  return {
    k: c.k,
    spread_max_bps: c.spreadMaxBps,
    thin_l1_min: c.thinL1Min.toString(),
    warmup_min: c.warmupMin,
    tox_blocked_exclude: c.toxBlockedExclude,
    w_range: c.wRange,
    w_liquidity: c.wLiquidity,
    w_toxicity: c.wToxicity,
    w_trend: c.wTrend,
    liq_scale: c.liqScale,
  };
}

export interface SelectionCandidate {
  readonly symbol: string;
  /** Higher = choppier = better for a grid. */
  readonly rangeScore: number;
  readonly spreadBps: number;
  /** Thin-side depth; truncated to an integer for the liquidity score. */
  readonly thinL1: Decimal;
  /** Trend strength is its absolute value. */
  readonly netReturnBps: number;
  readonly warmupBars: number;
  /** Default false. */
  readonly toxicityBlocked?: boolean;
}

export function selectionCandidateToJson(c: SelectionCandidate): JsonValue {
  return {
    symbol: c.symbol,
    range_score: c.rangeScore,
    spread_bps: c.spreadBps,
    thin_l1: c.thinL1.toString(),
    net_return_bps: c.netReturnBps,
    warmup_bars: c.warmupBars,
    toxicity_blocked: c.toxicityBlocked ?? false,
  };
}

export interface SymbolScoreV1 {
  readonly symbol: string;
  /** 0 when a gate failed. */
  readonly score: number;
  readonly rangeComponent: number;
  readonly liquidityComponent: number;
  readonly toxicityPenalty: number;
  readonly trendPenalty: number;
  readonly gatesFailed: readonly string[];
  readonly selected: boolean;
  /** 1-based rank among the selected; 0 otherwise. */
  readonly rank: number;
}

export function symbolScoreV1ToJson(s: SymbolScoreV1): JsonValue {
  return {
    symbol: s.symbol,
    score: s.score,
    range_component: s.rangeComponent,
    liquidity_component: s.liquidityComponent,
    toxicity_penalty: s.toxicityPenalty,
    trend_penalty: s.trendPenalty,
    gates_failed: [...s.gatesFailed],
    selected: s.selected,
    rank: s.rank,
  };
}

export interface SelectionResult {
  /** Selected symbols, best first. */
  readonly selected: readonly string[];
  readonly scores: readonly SymbolScoreV1[];
  readonly k: number;
  readonly totalCandidates: number;
  readonly gateExcluded: number;
}

export function selectionResultToJson(r: SelectionResult): JsonValue {
  return {
    selected: [...r.selected],
    scores: r.scores.map(symbolScoreV1ToJson),
    k: r.k,
    total_candidates: r.totalCandidates,
    gate_excluded: r.gateExcluded,
  };
}

/** Python floor division for integers. */
function floorDiv(a: number, b: number): number {
  const r = a % b;
  const q = (a - r) / b;
  return r !== 0 && r < 0 !== b < 0 ? q - 1 : q;
}

/** floor(log10(x)) by digit count for x >= 1; 0 for x <= 0. */
function ilog10(x: bigint): number {
  return x <= 0n ? 0 : x.toString().length - 1;
}

function gatesFailed(c: SelectionCandidate, cfg: TopKConfigV1): string[] {
  const failed: string[] = [];
  if (cfg.toxBlockedExclude && (c.toxicityBlocked ?? false)) failed.push("TOXICITY_BLOCKED");
  if (c.spreadBps > cfg.spreadMaxBps) failed.push("SPREAD_TOO_WIDE");
  if (c.thinL1.lt(cfg.thinL1Min)) failed.push("THIN_BOOK");
  if (c.warmupBars < cfg.warmupMin) failed.push("WARMUP_INSUFFICIENT");
  return failed;
}

function scoreOf(
  c: SelectionCandidate,
  cfg: TopKConfigV1,
): Omit<SymbolScoreV1, "gatesFailed" | "selected" | "rank"> {
  const rangeComponent = floorDiv(c.rangeScore * cfg.wRange, 100);
  const liqRaw = ilog10(c.thinL1.toIntTrunc() + 1n) * cfg.liqScale;
  const liquidityComponent = floorDiv(liqRaw * cfg.wLiquidity, 100);
  const toxicityPenalty = (c.toxicityBlocked ?? false) ? cfg.wToxicity * 100 : 0;
  const trendPenalty = floorDiv(Math.abs(c.netReturnBps) * cfg.wTrend, 100);
  return {
    symbol: c.symbol,
    score: rangeComponent + liquidityComponent - toxicityPenalty - trendPenalty,
    rangeComponent,
    liquidityComponent,
    toxicityPenalty,
    trendPenalty,
  };
}

/** Select the top K candidates (see the module comment). */
export function selectTopKV1(
  candidates: readonly SelectionCandidate[],
  config: TopKConfigV1 = makeTopKConfigV1(),
): SelectionResult {
  const scores: SymbolScoreV1[] = [];
  const eligible: SymbolScoreV1[] = [];
  let gateExcluded = 0;
  for (const c of candidates) {
    const failed = gatesFailed(c, config);
    if (failed.length > 0) {
      gateExcluded++;
      scores.push({
        symbol: c.symbol,
        score: 0,
        rangeComponent: 0,
        liquidityComponent: 0,
        toxicityPenalty: 0,
        trendPenalty: 0,
        gatesFailed: failed,
        selected: false,
        rank: 0,
      });
    } else {
      const s: SymbolScoreV1 = { ...scoreOf(c, config), gatesFailed: [], selected: false, rank: 0 };
      scores.push(s);
      eligible.push(s);
    }
  }

  // Stable sort by (-score, symbol).
  eligible.sort((a, b) =>
    a.score !== b.score ? b.score - a.score : compareCodePoints(a.symbol, b.symbol),
  );
  const selected: string[] = [];
  // slice() treats a negative k like the reference's list slice does.
  for (const s of eligible.slice(0, config.k)) selected.push(s.symbol);
  const rankOf = new Map<string, number>();
  // The first occurrence gives the rank (list.index), as in the reference.
  selected.forEach((sym, i) => {
    if (!rankOf.has(sym)) rankOf.set(sym, i + 1);
  });

  const finalScores = scores.map((s) => {
    const rank = rankOf.get(s.symbol);
    return Object.freeze(rank === undefined ? s : { ...s, selected: true, rank });
  });
  finalScores.sort((a, b) => {
    const ka = a.selected ? 0 : 1;
    const kb = b.selected ? 0 : 1;
    if (ka !== kb) return ka - kb;
    const ra = a.selected ? a.rank : 0;
    const rb = b.selected ? b.rank : 0;
    if (ra !== rb) return ra - rb;
    return compareCodePoints(a.symbol, b.symbol);
  });

  return Object.freeze({
    selected: Object.freeze(selected),
    scores: Object.freeze(finalScores),
    k: config.k,
    totalCandidates: candidates.length,
    gateExcluded,
  });
}
