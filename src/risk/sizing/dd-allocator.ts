/**
 * DdAllocator v1: splits a portfolio drawdown budget across symbols.
 *
 *   risk_weight_i = weight_i / tier_factor(tier_i)   (LOW 1.0, MED 1.5, HIGH 2.0)
 *   usd_i         = budget_usd * risk_weight_i / sum(risk_weight), rounded DOWN
 *                   to budget_precision places; below min_budget_usd -> 0
 *   residual      = budget_usd - sum(usd_i)          (kept, not redistributed)
 *   fraction_i    = usd_i / equity
 *
 * Disabled symbols get nothing. Symbols are processed in sorted order. Pure
 * and deterministic.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { GrinderError } from "../../core/errors.js";

/** Invalid allocation inputs or configuration (not retryable). */
export class AllocationError extends GrinderError {
  constructor(message: string) {
    super("ALLOCATION", message);
  }
}

export const RiskTier = { LOW: "low", MED: "med", HIGH: "high" } as const;
export type RiskTier = (typeof RiskTier)[keyof typeof RiskTier];

/** Higher factor = riskier = smaller share. */
export const DEFAULT_TIER_FACTORS: Readonly<Record<RiskTier, Decimal>> = Object.freeze({
  low: Decimal.parse("1.0"),
  med: Decimal.parse("1.5"),
  high: Decimal.parse("2.0"),
});

export interface SymbolCandidate {
  readonly symbol: string;
  /** Default MED. */
  readonly tier: RiskTier;
  /** Priority weight >= 0 (default 1.0). */
  readonly weight: Decimal;
  /** Default true. */
  readonly enabled: boolean;
}

export function makeSymbolCandidate(p: {
  symbol: string;
  tier?: RiskTier;
  weight?: Decimal;
  enabled?: boolean;
}): SymbolCandidate {
  const c: SymbolCandidate = {
    symbol: p.symbol,
    tier: p.tier ?? RiskTier.MED,
    weight: p.weight ?? Decimal.parse("1.0"),
    enabled: p.enabled ?? true,
  };
  if (!c.symbol) throw new AllocationError("symbol cannot be empty");
  if (c.weight.isNegative())
    throw new AllocationError(`weight must be >= 0, got ${c.weight.toString()}`);
  return Object.freeze(c);
}

export interface AllocationResult {
  /** symbol -> dd budget as a fraction of equity (sorted symbol order). */
  readonly allocations: ReadonlyMap<string, Decimal>;
  /** symbol -> budget in quote currency. */
  readonly allocationsUsd: ReadonlyMap<string, Decimal>;
  /** Budget left unallocated by rounding and the minimum. */
  readonly residualUsd: Decimal;
  readonly totalAllocatedUsd: Decimal;
  readonly portfolioBudgetUsd: Decimal;
  readonly enabledCount: number;
}

export function allocationResultToJson(r: AllocationResult): JsonValue {
  const strMap = (m: ReadonlyMap<string, Decimal>): Record<string, string> => {
    const o: Record<string, string> = {};
    for (const [k, v] of m) o[k] = v.toString();
    return o;
  };
  return {
    allocations: strMap(r.allocations),
    allocations_usd: strMap(r.allocationsUsd),
    residual_usd: r.residualUsd.toString(),
    total_allocated_usd: r.totalAllocatedUsd.toString(),
    portfolio_budget_usd: r.portfolioBudgetUsd.toString(),
    enabled_count: r.enabledCount,
  };
}

export interface DdAllocatorConfig {
  readonly tierFactors: Readonly<Partial<Record<RiskTier, Decimal>>>;
  /** Decimal places of each USD budget (default 2). */
  readonly budgetPrecision: number;
  /** Budgets below this become 0 (default 1.0). */
  readonly minBudgetUsd: Decimal;
}

export function makeDdAllocatorConfig(p: Partial<DdAllocatorConfig> = {}): DdAllocatorConfig {
  const c: DdAllocatorConfig = {
    tierFactors: { ...DEFAULT_TIER_FACTORS },
    budgetPrecision: 2,
    minBudgetUsd: Decimal.parse("1.0"),
    ...p,
  };
  if (!Number.isInteger(c.budgetPrecision) || c.budgetPrecision < 0) {
    throw new AllocationError(`budget_precision must be >= 0, got ${c.budgetPrecision}`);
  }
  if (c.minBudgetUsd.isNegative()) {
    throw new AllocationError(`min_budget_usd must be >= 0, got ${c.minBudgetUsd.toString()}`);
  }
  for (const [tier, factor] of Object.entries(c.tierFactors)) {
    if (factor !== undefined && !factor.isPositive()) {
      throw new AllocationError(`tier_factor for ${tier} must be > 0, got ${factor.toString()}`);
    }
  }
  return Object.freeze(c);
}

export interface AllocationInputs {
  /** Account equity (> 0). */
  readonly equity: Decimal;
  /** Portfolio drawdown budget as a fraction, (0, 1]. */
  readonly portfolioDdBudget: Decimal;
  readonly candidates: readonly SymbolCandidate[];
}

/** Code-point order, as the reference's string sort. */
function compareSymbols(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const cx = (x[i] as string).codePointAt(0) as number;
    const cy = (y[i] as string).codePointAt(0) as number;
    if (cx !== cy) return cx - cy;
  }
  return x.length - y.length;
}

const ZERO = Decimal.parse("0");

export class DdAllocator {
  readonly config: DdAllocatorConfig;

  constructor(config: DdAllocatorConfig = makeDdAllocatorConfig()) {
    this.config = config;
  }

  allocate(inp: AllocationInputs): AllocationResult {
    const { equity, portfolioDdBudget, candidates } = inp;
    validate(equity, portfolioDdBudget, candidates);
    const portfolioBudgetUsd = equity.mul(portfolioDdBudget);
    const enabled = candidates.filter((c) => c.enabled);
    if (enabled.length === 0) {
      return Object.freeze({
        allocations: new Map(),
        allocationsUsd: new Map(),
        residualUsd: portfolioBudgetUsd,
        totalAllocatedUsd: ZERO,
        portfolioBudgetUsd,
        enabledCount: 0,
      });
    }
    enabled.sort((a, b) => compareSymbols(a.symbol, b.symbol));

    const raw = enabled.map((c) => {
      const factor = this.config.tierFactors[c.tier] ?? (DEFAULT_TIER_FACTORS.med as Decimal);
      return [c.symbol, c.weight.div(factor)] as const;
    });
    let totalWeight = Decimal.ZERO;
    for (const [, w] of raw) totalWeight = totalWeight.add(w);
    if (!totalWeight.isPositive()) throw new AllocationError("Total weight must be > 0");

    const allocationsUsd = new Map<string, Decimal>();
    for (const [symbol, w] of raw) {
      const usd = portfolioBudgetUsd
        .mul(w.div(totalWeight))
        .quantize(this.config.budgetPrecision, "ROUND_DOWN");
      allocationsUsd.set(symbol, usd.lt(this.config.minBudgetUsd) ? ZERO : usd);
    }
    let totalAllocatedUsd = ZERO;
    for (const v of allocationsUsd.values()) totalAllocatedUsd = totalAllocatedUsd.add(v);
    const residualUsd = portfolioBudgetUsd.sub(totalAllocatedUsd);

    const allocations = new Map<string, Decimal>();
    for (const [symbol, usd] of allocationsUsd) allocations.set(symbol, usd.div(equity));

    return Object.freeze({
      allocations,
      allocationsUsd,
      residualUsd,
      totalAllocatedUsd,
      portfolioBudgetUsd,
      enabledCount: enabled.length,
    });
  }
}

function validate(equity: Decimal, budget: Decimal, candidates: readonly SymbolCandidate[]): void {
  if (!equity.isPositive())
    throw new AllocationError(`equity must be > 0, got ${equity.toString()}`);
  if (!budget.isPositive())
    throw new AllocationError(`portfolio_dd_budget must be > 0, got ${budget.toString()}`);
  if (budget.gt(Decimal.ONE)) {
    throw new AllocationError(`portfolio_dd_budget must be <= 1.0, got ${budget.toString()}`);
  }
  if (candidates.length === 0) throw new AllocationError("candidates list cannot be empty");
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.symbol)) throw new AllocationError("duplicate symbols in candidates list");
    seen.add(c.symbol);
  }
}
