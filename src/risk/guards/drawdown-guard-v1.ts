/**
 * Drawdown guard v1: portfolio drawdown (as a fraction of starting equity)
 * and per-symbol loss budgets (USD). Breaching either latches the DRAWDOWN
 * state, in which risk-increasing intents are blocked while reduce-risk and
 * cancel intents pass. Only `reset()` returns to NORMAL. All values are exact
 * Decimals and appear as strings in the output.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { GuardError } from "./guard-error.js";

export const GuardState = {
  NORMAL: "NORMAL",
  DRAWDOWN: "DRAWDOWN",
} as const;
export type GuardState = (typeof GuardState)[keyof typeof GuardState];

/** Classification of an order for risk evaluation (the reference's `OrderIntent` enum). */
export const RiskIntent = {
  INCREASE_RISK: "INCREASE_RISK",
  REDUCE_RISK: "REDUCE_RISK",
  CANCEL: "CANCEL",
} as const;
export type RiskIntent = (typeof RiskIntent)[keyof typeof RiskIntent];

/** Reason codes of allow/block decisions (stable, low cardinality). */
export const AllowReason = {
  NORMAL_STATE: "NORMAL_STATE",
  REDUCE_RISK_ALLOWED: "REDUCE_RISK_ALLOWED",
  CANCEL_ALWAYS_ALLOWED: "CANCEL_ALWAYS_ALLOWED",
  DD_PORTFOLIO_BREACH: "DD_PORTFOLIO_BREACH",
  DD_SYMBOL_BREACH: "DD_SYMBOL_BREACH",
} as const;
export type AllowReason = (typeof AllowReason)[keyof typeof AllowReason];

/** Per-symbol Decimal amounts, as a Map or a plain object (iteration order is kept). */
export type SymbolAmounts = ReadonlyMap<string, Decimal> | { readonly [symbol: string]: Decimal };

function toMap(amounts: SymbolAmounts | null | undefined): Map<string, Decimal> {
  if (amounts === null || amounts === undefined) return new Map();
  if (amounts instanceof Map) return new Map(amounts);
  return new Map(Object.entries(amounts as { readonly [symbol: string]: Decimal }));
}

function amountsToJson(m: ReadonlyMap<string, Decimal>): { [symbol: string]: string } {
  const out: { [symbol: string]: string } = {};
  for (const [k, v] of m) out[k] = v.toString();
  return out;
}

export type AllowDetails = { readonly [key: string]: JsonValue };

export class AllowDecision {
  readonly allowed: boolean;
  readonly reason: AllowReason;
  readonly state: GuardState;
  readonly details: AllowDetails | null;

  constructor(
    allowed: boolean,
    reason: AllowReason,
    state: GuardState,
    details: AllowDetails | null = null,
  ) {
    this.allowed = allowed;
    this.reason = reason;
    this.state = state;
    this.details = details;
  }

  /** Output form `{allowed, reason, state, details}`. */
  toJson(): {
    allowed: boolean;
    reason: AllowReason;
    state: GuardState;
    details: AllowDetails | null;
  } {
    return {
      allowed: this.allowed,
      reason: this.reason,
      state: this.state,
      details: this.details,
    };
  }
}

export class GuardSnapshot {
  readonly state: GuardState;
  /** Portfolio drawdown as a fraction (0.20 = 20%), never negative. */
  readonly portfolioDdPct: Decimal;
  readonly portfolioDdLimit: Decimal;
  readonly symbolLosses: ReadonlyMap<string, Decimal>;
  readonly symbolDdBudgets: ReadonlyMap<string, Decimal>;
  readonly breachedSymbols: readonly string[];
  readonly triggerReason: AllowReason | null;

  constructor(
    state: GuardState,
    portfolioDdPct: Decimal,
    portfolioDdLimit: Decimal,
    symbolLosses: ReadonlyMap<string, Decimal>,
    symbolDdBudgets: ReadonlyMap<string, Decimal>,
    breachedSymbols: readonly string[],
    triggerReason: AllowReason | null,
  ) {
    this.state = state;
    this.portfolioDdPct = portfolioDdPct;
    this.portfolioDdLimit = portfolioDdLimit;
    this.symbolLosses = symbolLosses;
    this.symbolDdBudgets = symbolDdBudgets;
    this.breachedSymbols = breachedSymbols;
    this.triggerReason = triggerReason;
  }

  toJson(): {
    state: GuardState;
    portfolio_dd_pct: string;
    portfolio_dd_limit: string;
    symbol_losses: { [symbol: string]: string };
    symbol_dd_budgets: { [symbol: string]: string };
    breached_symbols: string[];
    trigger_reason: AllowReason | null;
  } {
    return {
      state: this.state,
      portfolio_dd_pct: this.portfolioDdPct.toString(),
      portfolio_dd_limit: this.portfolioDdLimit.toString(),
      symbol_losses: amountsToJson(this.symbolLosses),
      symbol_dd_budgets: amountsToJson(this.symbolDdBudgets),
      breached_symbols: [...this.breachedSymbols],
      trigger_reason: this.triggerReason,
    };
  }
}

export interface DrawdownGuardV1ConfigOptions {
  /** Max portfolio drawdown as a fraction, in (0, 1] (default 0.20). */
  readonly portfolioDdLimit?: Decimal;
  /** Loss budget per symbol, USD, each >= 0 (default none). */
  readonly symbolDdBudgets?: SymbolAmounts;
}

export class DrawdownGuardV1Config {
  readonly portfolioDdLimit: Decimal;
  readonly symbolDdBudgets: ReadonlyMap<string, Decimal>;

  /** Throws GuardError when the limit is not in (0, 1] or a budget is negative. */
  constructor(options: DrawdownGuardV1ConfigOptions = {}) {
    this.portfolioDdLimit = options.portfolioDdLimit ?? Decimal.parse("0.20");
    this.symbolDdBudgets = toMap(options.symbolDdBudgets);
    if (this.portfolioDdLimit.sign() <= 0) {
      throw new GuardError(`portfolio_dd_limit must be > 0, got ${this.portfolioDdLimit}`);
    }
    if (this.portfolioDdLimit.gt(Decimal.ONE)) {
      throw new GuardError(`portfolio_dd_limit must be <= 1.0, got ${this.portfolioDdLimit}`);
    }
    for (const [symbol, budget] of this.symbolDdBudgets) {
      if (budget.isNegative()) {
        throw new GuardError(`symbol_dd_budget for ${symbol} must be >= 0, got ${budget}`);
      }
    }
  }
}

export interface DrawdownGuardV1Update {
  /** Current portfolio equity (>= 0). */
  readonly equityCurrent: Decimal;
  /** Session/day starting equity (> 0). */
  readonly equityStart: Decimal;
  /** Per-symbol losses in USD, positive = loss (each >= 0). */
  readonly symbolLosses?: SymbolAmounts | null;
}

export class DrawdownGuardV1 {
  readonly config: DrawdownGuardV1Config;
  private currentState: GuardState = GuardState.NORMAL;
  private triggerReason: AllowReason | null = null;
  private portfolioDdPct: Decimal = Decimal.ZERO;
  private symbolLosses = new Map<string, Decimal>();
  private breachedSymbols: string[] = [];

  constructor(config: DrawdownGuardV1Config | null = null) {
    this.config = config ?? new DrawdownGuardV1Config();
  }

  get state(): GuardState {
    return this.currentState;
  }

  get isDrawdown(): boolean {
    return this.currentState === GuardState.DRAWDOWN;
  }

  /**
   * Feed current equity and symbol losses. Validates inputs (GuardError),
   * recomputes the portfolio drawdown `(start - current) / start` (clamped at
   * 0), then, unless already latched in DRAWDOWN, enters DRAWDOWN when the
   * drawdown is >= the limit or some symbol's loss is >= its budget.
   */
  update(input: DrawdownGuardV1Update): GuardSnapshot {
    const { equityCurrent, equityStart } = input;
    if (equityStart.sign() <= 0) {
      throw new GuardError(`equity_start must be > 0, got ${equityStart}`);
    }
    if (equityCurrent.isNegative()) {
      throw new GuardError(`equity_current must be >= 0, got ${equityCurrent}`);
    }
    const losses = toMap(input.symbolLosses);
    for (const [symbol, loss] of losses) {
      if (loss.isNegative()) {
        throw new GuardError(`symbol_loss for ${symbol} must be >= 0 (loss), got ${loss}`);
      }
    }

    this.symbolLosses = losses;
    this.portfolioDdPct = equityStart.sub(equityCurrent).div(equityStart);
    if (this.portfolioDdPct.isNegative()) this.portfolioDdPct = Decimal.ZERO;

    if (this.currentState === GuardState.DRAWDOWN) return this.snapshot();

    if (this.portfolioDdPct.gte(this.config.portfolioDdLimit)) {
      this.currentState = GuardState.DRAWDOWN;
      this.triggerReason = AllowReason.DD_PORTFOLIO_BREACH;
      return this.snapshot();
    }

    this.breachedSymbols = [];
    for (const [symbol, loss] of losses) {
      const budget = this.config.symbolDdBudgets.get(symbol);
      if (budget !== undefined && loss.gte(budget)) this.breachedSymbols.push(symbol);
    }
    if (this.breachedSymbols.length > 0) {
      this.currentState = GuardState.DRAWDOWN;
      this.triggerReason = AllowReason.DD_SYMBOL_BREACH;
    }
    return this.snapshot();
  }

  /**
   * Decide an intent: CANCEL always passes; in NORMAL everything passes; in
   * DRAWDOWN REDUCE_RISK passes and INCREASE_RISK is blocked with the trigger
   * reason and details (drawdown, limit, and for a breached `symbol` its
   * budget and loss).
   */
  allow(intent: RiskIntent, symbol?: string | null): AllowDecision {
    if (intent === RiskIntent.CANCEL) {
      return new AllowDecision(true, AllowReason.CANCEL_ALWAYS_ALLOWED, this.currentState);
    }
    if (this.currentState === GuardState.NORMAL) {
      return new AllowDecision(true, AllowReason.NORMAL_STATE, this.currentState);
    }
    if (intent === RiskIntent.REDUCE_RISK) {
      return new AllowDecision(true, AllowReason.REDUCE_RISK_ALLOWED, this.currentState);
    }

    const details: { [key: string]: JsonValue } = {
      portfolio_dd_pct: this.portfolioDdPct.toString(),
      portfolio_dd_limit: this.config.portfolioDdLimit.toString(),
    };
    if (symbol) {
      details.symbol = symbol;
      if (this.breachedSymbols.includes(symbol)) {
        details.symbol_breached = true;
        const budget = this.config.symbolDdBudgets.get(symbol);
        const loss = this.symbolLosses.get(symbol) ?? Decimal.ZERO;
        // A missing or zero budget is reported as null.
        details.symbol_budget = budget !== undefined && !budget.isZero() ? budget.toString() : null;
        details.symbol_loss = loss.toString();
      }
    }
    return new AllowDecision(
      false,
      this.triggerReason ?? AllowReason.DD_PORTFOLIO_BREACH,
      this.currentState,
      details,
    );
  }

  /** Back to NORMAL with cleared drawdown and losses (new session/day only). */
  reset(): void {
    this.currentState = GuardState.NORMAL;
    this.triggerReason = null;
    this.portfolioDdPct = Decimal.ZERO;
    this.symbolLosses = new Map();
    this.breachedSymbols = [];
  }

  /** Current state snapshot (copies, safe to keep). */
  snapshot(): GuardSnapshot {
    return new GuardSnapshot(
      this.currentState,
      this.portfolioDdPct,
      this.config.portfolioDdLimit,
      new Map(this.symbolLosses),
      new Map(this.config.symbolDdBudgets),
      [...this.breachedSymbols],
      this.triggerReason,
    );
  }
}

/** The config of the `dd_guard_v1_config` option (null: the defaults). */
export function ddGuardV1ConfigFromOption(
  raw: Readonly<Record<string, unknown>> | null,
): DrawdownGuardV1Config {
  if (raw === null) return new DrawdownGuardV1Config();
  const toDec = (v: unknown, field: string): Decimal => {
    if (typeof v === "string") return Decimal.parse(v);
    if (typeof v === "number") return Decimal.fromDoubleShortest(v);
    throw new Error(`dd_guard_v1_config.${field}: expected a decimal string`);
  };
  const budgets = new Map<string, Decimal>();
  const rawBudgets = raw.symbol_dd_budgets;
  if (rawBudgets !== undefined && rawBudgets !== null) {
    if (typeof rawBudgets !== "object" || Array.isArray(rawBudgets)) {
      throw new Error("dd_guard_v1_config.symbol_dd_budgets: expected an object");
    }
    for (const [sym, v] of Object.entries(rawBudgets)) {
      budgets.set(sym, toDec(v, `symbol_dd_budgets.${sym}`));
    }
  }
  return new DrawdownGuardV1Config({
    ...(raw.portfolio_dd_limit !== undefined
      ? { portfolioDdLimit: toDec(raw.portfolio_dd_limit, "portfolio_dd_limit") }
      : {}),
    symbolDdBudgets: budgets,
  });
}
