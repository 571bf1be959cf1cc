/** Validation of one fixture event object into a Snapshot. */

import { Decimal } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { Snapshot } from "../domain/snapshot.js";
import {
  DECIMAL_EXPECTED,
  isMarketSymbol,
  isPlainDecimal,
  quoteProblem,
  SYMBOL_EXPECTED,
} from "./market-checks.js";

const DECIMAL_FIELDS = [
  ["bid_price", "bidPrice"],
  ["ask_price", "askPrice"],
  ["bid_qty", "bidQty"],
  ["ask_qty", "askQty"],
  ["last_price", "lastPrice"],
  ["last_qty", "lastQty"],
] as const;

/** Largest JSON number accepted as a price or quantity (1e18, exclusive). */
const MAX_NUMBER = 1e18;

/**
 * A decimal field: a plain decimal string (no exponent, at most 28 digits),
 * or a finite JSON number below 1e18 in size, converted exactly as the
 * reference does. With `anyDecimal` (grinder's own journal, written by
 * Decimal.toString) any decimal literal, exponent forms included.
 */
export function decimalField(
  v: unknown,
  where: string,
  field: string,
  anyDecimal = false,
): Decimal {
  if (typeof v === "string") {
    if (isPlainDecimal(v)) return Decimal.parse(v);
    const d = anyDecimal ? Decimal.tryParse(v) : undefined;
    if (d !== undefined) return d;
  } else if (typeof v === "number" && Number.isFinite(v) && Math.abs(v) < MAX_NUMBER) {
    return Number.isInteger(v) ? Decimal.fromInt(v) : Decimal.fromDoubleExact(v);
  }
  throw new InvalidInputError(
    `${where}: field "${field}": expected ${DECIMAL_EXPECTED}, got ${describe(v)}`,
  );
}

export function describe(v: unknown): string {
  if (v === undefined) return "nothing (field missing)";
  const s = JSON.stringify(v);
  return s.length > 60 ? s.slice(0, 57) + "..." : s;
}

/**
 * Build a Snapshot from a parsed SNAPSHOT event; `where` is "file:line" for
 * messages. `source` "market" (fixtures) applies the market data checks;
 * "journal" (grinder's own record of what it processed) reads back any
 * decimal Decimal.toString wrote and the snapshots as they were processed.
 */
export function snapshotFromEvent(
  obj: Record<string, unknown>,
  where: string,
  source: "market" | "journal" = "market",
): Snapshot {
  const market = source === "market";
  const ts = obj.ts;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) {
    throw new InvalidInputError(
      `${where}: field "ts": expected a non-negative integer (milliseconds), got ${describe(ts)}`,
    );
  }
  const symbol = obj.symbol;
  if (typeof symbol !== "string" || symbol.length === 0 || (market && !isMarketSymbol(symbol))) {
    throw new InvalidInputError(
      `${where}: field "symbol": expected ${SYMBOL_EXPECTED}, got ${describe(symbol)}`,
    );
  }
  const f: Record<string, Decimal> = {};
  for (const [key, name] of DECIMAL_FIELDS) f[name] = decimalField(obj[key], where, key, !market);
  const snapshot = new Snapshot({
    ts,
    symbol,
    bidPrice: f.bidPrice as Decimal,
    askPrice: f.askPrice as Decimal,
    bidQty: f.bidQty as Decimal,
    askQty: f.askQty as Decimal,
    lastPrice: f.lastPrice as Decimal,
    lastQty: f.lastQty as Decimal,
  });
  const problem = market ? quoteProblem(snapshot) : undefined;
  if (problem !== undefined) throw new InvalidInputError(`${where}: ${problem}`);
  return snapshot;
}
