/**
 * The instruments the kernel trades: filters from an exchange's listing
 * (exchangeInfo) when given, else derived from the market data itself: the
 * tick is the finest price increment printed in a symbol's first events
 * (trailing zeros of padded trade prices ignored), the step the finest
 * quantity increment (the tick never coarser than 1, the step never coarser
 * than 0.001: klines and synthetic quotes carry no real quantity), the minimum
 * quantity one step, and no minimum notional.
 * A derived tick only ever gets finer as events are seen, so orders placed
 * early stay on the grid.
 */

import { Decimal } from "../core/decimal.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import type { Snapshot } from "../domain/snapshot.js";

/** Events of a symbol looked at to derive its increments. */
const DERIVE_EVENTS = 100;

/** 10^exp of the finest increment of `d` (its last non-zero digit), or undefined for zero. */
function incrementExp(d: Decimal): number | undefined {
  let c = d.coef;
  if (c === 0n) return undefined;
  let e = d.exp;
  while (c % 10n === 0n) {
    c /= 10n;
    e++;
  }
  return e;
}

function finer(current: number | undefined, d: Decimal, keepZeros: boolean): number | undefined {
  const e = keepZeros ? (d.coef === 0n ? undefined : d.exp) : incrementExp(d);
  if (e === undefined) return current;
  return current === undefined ? e : Math.min(current, e);
}

interface Derivation {
  seen: number;
  priceExp: number | undefined;
  qtyExp: number | undefined;
  spec: InstrumentSpec | undefined;
}

export class InstrumentBook {
  private readonly listed: ReadonlyMap<string, InstrumentSpec>;
  private readonly derived = new Map<string, Derivation>();

  constructor(listed: ReadonlyMap<string, InstrumentSpec> = new Map()) {
    this.listed = listed;
  }

  /** Learn from a market event (no-op for a listed symbol or after the first events). */
  observe(s: Snapshot): void {
    if (this.listed.has(s.symbol)) return;
    let d = this.derived.get(s.symbol);
    if (d === undefined) {
      d = { seen: 0, priceExp: undefined, qtyExp: undefined, spec: undefined };
      this.derived.set(s.symbol, d);
    }
    if (d.seen >= DERIVE_EVENTS) return;
    d.seen++;
    const trade = s.lastQty.isPositive();
    // Quotes print their tick (keep trailing zeros); trade dumps pad prices with zeros.
    if (trade) {
      d.priceExp = finer(d.priceExp, s.lastPrice, false);
      d.qtyExp = finer(d.qtyExp, s.lastQty, false);
    } else {
      d.priceExp = finer(finer(d.priceExp, s.bidPrice, true), s.askPrice, true);
      d.qtyExp = finer(finer(d.qtyExp, s.bidQty, false), s.askQty, false);
    }
    // Never coarser than 1 (a round price printed early says little), nor a step
    // coarser than 0.001 (klines and synthetic quotes carry no real quantity).
    const tickExp = Math.min(0, d.priceExp ?? 0);
    const stepExp = Math.min(-3, d.qtyExp ?? -3);
    if (
      d.spec === undefined ||
      d.spec.tickSize.exp !== tickExp ||
      d.spec.stepSize.exp !== stepExp
    ) {
      const step = Decimal.fromParts(false, 1n, stepExp);
      d.spec = {
        symbol: s.symbol,
        tickSize: Decimal.fromParts(false, 1n, tickExp),
        stepSize: step,
        minQty: step,
        minNotional: Decimal.ZERO,
        source: "derived",
      };
    }
  }

  /** The symbol's filters, once listed or observed. */
  spec(symbol: string): InstrumentSpec | undefined {
    return this.listed.get(symbol) ?? this.derived.get(symbol)?.spec;
  }

  /** Every symbol whose filters were derived (for the run's notes). */
  derivedSpecs(): InstrumentSpec[] {
    const out: InstrumentSpec[] = [];
    for (const d of this.derived.values()) if (d.spec !== undefined) out.push(d.spec);
    return out;
  }
}
