/**
 * The realistic profile's order rules, before an order is sent:
 * - prices on the instrument's tick (BUY down, SELL up), quantities down to
 *   its step, sized from a notional per level when one is set;
 * - the exchange's filters: an order under the minimum quantity or notional
 *   is not sent (FILTER_MIN_QTY, FILTER_MIN_NOTIONAL);
 * - exposure limits on what is really at risk: |position| x mark plus the
 *   open orders' notional, per symbol and in total (MAX_NOTIONAL_EXCEEDED);
 * - spot balances: a SELL may not exceed the base held less what open SELLs
 *   reserve, a BUY not the quote balance less what open BUYs reserve
 *   (INSUFFICIENT_BALANCE).
 */

import { Decimal } from "../core/decimal.js";
import { OrderSide } from "../domain/enums.js";
import {
  filterProblem,
  type InstrumentSpec,
  roundPriceToTick,
  roundToStep,
} from "../domain/instrument.js";
import type {
  ExecutionState,
  LevelHold,
  LevelPricing,
  OrderAdmission,
} from "./execution-engine.js";
import type { InstrumentBook } from "./instruments.js";
import type { EngineOptions } from "./kernel-options.js";
import type { Portfolio } from "./portfolio.js";

/** Prices on the tick, quantities on the step (from a notional per level when given). */
export class InstrumentPricing implements LevelPricing {
  constructor(
    private readonly spec: InstrumentSpec,
    private readonly notionalPerLevel: Decimal | undefined,
  ) {}

  price(raw: Decimal, side: OrderSide): Decimal {
    return roundPriceToTick(raw, side, this.spec.tickSize);
  }

  quantity(scheduled: Decimal, price: Decimal): Decimal {
    const step = this.spec.stepSize;
    if (this.notionalPerLevel === undefined || !price.isPositive()) {
      return roundToStep(scheduled, step, false);
    }
    // A power-of-ten step (the usual case): one exact integer division.
    if (step.coef === 1n) return this.notionalPerLevel.divDownToExp(price, step.exp);
    return roundToStep(this.notionalPerLevel.div(price), step, false);
  }
}

/** What the admission reads of the account and the open orders, for one symbol. */
export interface AdmissionState {
  readonly spec: InstrumentSpec | undefined;
  /** |position| x mark plus open orders' notional of the symbol; total over symbols. */
  readonly symbolExposure: Decimal;
  readonly totalExposure: Decimal;
  readonly maxSymbolExposure: Decimal;
  readonly maxTotalExposure: Decimal;
  readonly checkExposure: boolean;
  /** Spot balances: the free quote and the free base of the symbol. */
  readonly checkBalances: boolean;
  readonly freeQuote: Decimal;
  readonly freeBase: Decimal;
  /** USD-M: initial margin (notional / leverage) against the available margin. */
  readonly checkMargin: boolean;
  readonly availableMargin: Decimal;
  readonly leverage: Decimal;
  /** USD-M: the signed position of the symbol (orders against it need no margin). */
  readonly position: Decimal;
}

export type AdmissionReason =
  | "FILTER_MIN_QTY"
  | "FILTER_MIN_NOTIONAL"
  | "MAX_NOTIONAL_EXCEEDED"
  | "INSUFFICIENT_BALANCE"
  | "INSUFFICIENT_MARGIN";

/**
 * Admission of the orders of one decision, in order: each admitted order
 * reserves its notional (and balance) for the ones after it.
 */
export class OrderAdmissionBatch {
  private symbolExposure: Decimal;
  private totalExposure: Decimal;
  private freeQuote: Decimal;
  private freeBase: Decimal;
  private availableMargin: Decimal;
  /** What of the position is still free to be reduced by orders of this decision. */
  private reducible: Decimal;

  constructor(
    private readonly st: AdmissionState,
    private readonly refuse: (reason: AdmissionReason) => void,
  ) {
    this.symbolExposure = st.symbolExposure;
    this.totalExposure = st.totalExposure;
    this.freeQuote = st.freeQuote;
    this.freeBase = st.freeBase;
    this.availableMargin = st.availableMargin;
    this.reducible = st.position.abs();
  }

  admit(side: OrderSide, price: Decimal, quantity: Decimal): boolean {
    const st = this.st;
    if (quantity.isZero()) return this.no("FILTER_MIN_QTY");
    if (st.spec !== undefined) {
      const problem = filterProblem(st.spec, price, quantity);
      if (problem !== undefined) return this.no(problem);
    }
    const notional = price.mul(quantity);
    if (st.checkExposure) {
      const sym = this.symbolExposure.add(notional);
      const total = this.totalExposure.add(notional);
      if (sym.gt(st.maxSymbolExposure) || total.gt(st.maxTotalExposure)) {
        return this.no("MAX_NOTIONAL_EXCEEDED");
      }
      this.symbolExposure = sym;
      this.totalExposure = total;
    }
    if (st.checkMargin) {
      // An order against the position (up to its size) reduces risk: no margin.
      const against = side === OrderSide.BUY ? st.position.isNegative() : st.position.isPositive();
      const reducing = against ? quantity.min(this.reducible) : Decimal.ZERO;
      const opening = quantity.sub(reducing);
      const margin = opening.mul(price).div(st.leverage);
      if (margin.gt(this.availableMargin)) return this.no("INSUFFICIENT_MARGIN");
      this.availableMargin = this.availableMargin.sub(margin);
      this.reducible = this.reducible.sub(reducing);
    }
    if (st.checkBalances) {
      if (side === OrderSide.BUY) {
        if (notional.gt(this.freeQuote)) return this.no("INSUFFICIENT_BALANCE");
        this.freeQuote = this.freeQuote.sub(notional);
      } else {
        if (quantity.gt(this.freeBase)) return this.no("INSUFFICIENT_BALANCE");
        this.freeBase = this.freeBase.sub(quantity);
      }
    }
    return true;
  }

  private no(reason: AdmissionReason): false {
    this.refuse(reason);
    return false;
  }
}

/** Exposure (|position| x mark + open orders) of a symbol and in total. */
export interface Exposures {
  readonly symbol: Decimal;
  readonly total: Decimal;
}

/** What the order rules read of the kernel. */
export interface OrderRulesContext {
  readonly notionalPerLevel: (symbol: string) => Decimal | undefined;
  readonly instruments: InstrumentBook;
  readonly portfolio: Portfolio;
  readonly states: ReadonlyMap<string, ExecutionState>;
  /** Apply prices/sizes of the instruments (the realistic profile). */
  readonly useInstruments: boolean;
  readonly checkExposure: boolean;
  readonly checkBalances: boolean;
  /** USD-M margin: capital for equity, and the leverage. */
  readonly checkMargin: boolean;
  readonly capital: Decimal;
  readonly leverage: Decimal;
  readonly maxSymbolExposure: Decimal;
  readonly maxTotalExposure: Decimal;
  /** Changes whenever an order leaves the book or fills (balances may have moved). */
  readonly accountVersion: () => number;
  /** The same, counting only the symbol's own orders (its base balance may have moved). */
  readonly symbolVersion: (symbol: string) => number;
}

/** When a level was refused, and which version its refusal waits on. */
interface RefusedAt {
  readonly ownBase: boolean;
  readonly version: number;
}

/** Refusals that stand until the account changes (the balances or the filters). */
const STANDING: ReadonlySet<AdmissionReason> = new Set([
  "FILTER_MIN_QTY",
  "FILTER_MIN_NOTIONAL",
  "INSUFFICIENT_BALANCE",
  "INSUFFICIENT_MARGIN",
]);

/** The realistic order rules over the kernel's state. */
export class OrderRules {
  private readonly pricings = new Map<string, InstrumentPricing>();
  private readonly pricingSpecs = new Map<string, InstrumentSpec>();
  /**
   * symbol -> signed level (+SELL, -BUY) -> the version when it was refused:
   * the symbol's own for a spot SELL short of base (only the symbol's fills
   * and orders change its base), else the account's.
   */
  private readonly refused = new Map<string, Map<number, RefusedAt>>();

  constructor(private readonly c: OrderRulesContext) {}

  /**
   * Whether a level's placement waits: its last attempt was refused for a
   * reason that stands until the account changes, and it has not changed.
   */
  holds(symbol: string): LevelHold | undefined {
    const levels = this.refused.get(symbol);
    if (levels === undefined || levels.size === 0) return undefined;
    const account = this.c.accountVersion();
    const own = this.c.symbolVersion(symbol);
    return (side, levelId) => {
      const at = levels.get(side === OrderSide.SELL ? levelId : -levelId);
      return at !== undefined && at.version === (at.ownBase ? own : account);
    };
  }

  /** Any rule in force (else the reference path runs untouched). */
  get active(): boolean {
    return (
      this.c.useInstruments || this.c.checkExposure || this.c.checkBalances || this.c.checkMargin
    );
  }

  /** Equity less the initial margin of positions and open orders (notional / leverage). */
  private availableMargin(): Decimal {
    const pf = this.c.portfolio;
    let used = pf.positionNotional();
    for (const st of this.c.states.values()) used = used.add(st.openSummary().notional);
    return pf.equity(this.c.capital).sub(used.div(this.c.leverage));
  }

  /** The level pricing of a symbol, or undefined for the reference's rounding. */
  pricing(symbol: string): LevelPricing | undefined {
    if (!this.c.useInstruments) return undefined;
    const spec = this.c.instruments.spec(symbol);
    if (spec === undefined) return undefined;
    let p = this.pricings.get(symbol);
    if (p === undefined || this.pricingSpecs.get(symbol) !== spec) {
      p = new InstrumentPricing(spec, this.c.notionalPerLevel(symbol));
      this.pricings.set(symbol, p);
      this.pricingSpecs.set(symbol, spec);
    }
    return p;
  }

  /** |position| x mark plus the open orders' notional of a symbol. */
  exposure(symbol: string): Decimal {
    const pf = this.c.portfolio;
    let total = Decimal.ZERO;
    const mark = pf.markOf(symbol);
    const pos = pf.position(symbol);
    if (mark !== undefined && !pos.isZero()) total = pos.abs().mul(mark);
    const st = this.c.states.get(symbol);
    return st === undefined ? total : total.add(st.openSummary().notional);
  }

  /** Exposure over every symbol: positions at their marks plus every open order. */
  totalExposure(): Decimal {
    let total = this.c.portfolio.positionNotional();
    for (const st of this.c.states.values()) total = total.add(st.openSummary().notional);
    return total;
  }

  /** Exposure of `symbol` and in total, measured once for a decision. */
  exposures(symbol: string): Exposures {
    return { symbol: this.exposure(symbol), total: this.totalExposure() };
  }

  /**
   * The admission of one decision's orders for `symbol`; refusals are
   * reported by reason. `measured`: the decision's exposures, when known.
   */
  admission(
    symbol: string,
    report: (reason: AdmissionReason) => void,
    measured?: Exposures,
  ): OrderAdmission {
    const account: RefusedAt = { ownBase: false, version: this.c.accountVersion() };
    const own: RefusedAt = { ownBase: true, version: this.c.symbolVersion(symbol) };
    let levels = this.refused.get(symbol);
    let level = 0;
    const refuse = (reason: AdmissionReason): void => {
      if (STANDING.has(reason)) {
        if (levels === undefined) {
          levels = new Map();
          this.refused.set(symbol, levels);
        }
        levels.set(level, reason === "INSUFFICIENT_BALANCE" && level > 0 ? own : account);
      }
      report(reason);
    };
    const pf = this.c.portfolio;
    let freeQuote = Decimal.ZERO;
    let freeBase = Decimal.ZERO;
    if (this.c.checkBalances) {
      freeQuote = pf.cash();
      for (const st of this.c.states.values())
        freeQuote = freeQuote.sub(st.openSummary().buyNotional);
      const held = pf.position(symbol);
      freeBase = held.isPositive() ? held : Decimal.ZERO;
      const st = this.c.states.get(symbol);
      if (st !== undefined) freeBase = freeBase.sub(st.openSummary().sellLeft);
    }
    const batch = new OrderAdmissionBatch(
      {
        spec: this.c.useInstruments ? this.c.instruments.spec(symbol) : undefined,
        symbolExposure: this.c.checkExposure
          ? (measured?.symbol ?? this.exposure(symbol))
          : Decimal.ZERO,
        totalExposure: this.c.checkExposure
          ? (measured?.total ?? this.totalExposure())
          : Decimal.ZERO,
        maxSymbolExposure: this.c.maxSymbolExposure,
        maxTotalExposure: this.c.maxTotalExposure,
        checkExposure: this.c.checkExposure,
        checkBalances: this.c.checkBalances,
        freeQuote,
        freeBase,
        checkMargin: this.c.checkMargin,
        availableMargin: this.c.checkMargin ? this.availableMargin() : Decimal.ZERO,
        leverage: this.c.leverage,
        position: this.c.portfolio.position(symbol),
      },
      refuse,
    );
    return (_sym, side, price, quantity, levelId) => {
      level = side === OrderSide.SELL ? levelId : -levelId;
      const ok = batch.admit(side, price, quantity);
      if (ok) levels?.delete(level);
      return ok;
    };
  }
}

const TWO_PERCENT = Decimal.parse("0.02");

/** The order rules an options set calls for (all off under the reference profile's defaults). */
export function orderRulesFor(
  o: EngineOptions,
  deps: Pick<
    OrderRulesContext,
    "instruments" | "portfolio" | "states" | "accountVersion" | "symbolVersion"
  >,
): OrderRules {
  const realistic = o.profile === "realistic";
  const perLevel = o.notional_per_level ?? o.initial_capital.mul(TWO_PERCENT);
  return new OrderRules({
    ...deps,
    notionalPerLevel: (sym) =>
      realistic ? (o.symbol_overrides?.[sym]?.notional_per_level ?? perLevel) : undefined,
    useInstruments: realistic,
    checkExposure: o.fix_exposure_limits,
    checkBalances: o.fix_spot_balances && o.market === "spot",
    checkMargin: realistic && o.market === "um",
    capital: o.initial_capital,
    leverage: Decimal.fromInt(o.leverage),
    maxSymbolExposure: o.max_notional_per_symbol,
    maxTotalExposure: o.max_notional_total,
  });
}
