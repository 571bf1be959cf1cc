/** Snapshot from a fixture event object (the events.jsonl SNAPSHOT line shape). */

import { Decimal } from "../../src/core/decimal.js";
import { InvalidInputError } from "../../src/core/errors.js";
import { Snapshot } from "../../src/domain/snapshot.js";

/**
 * A price or quantity field: strings parse exactly (`Decimal.parse`); JSON
 * numbers become the exact value of the double, as the reference's
 * `Decimal(float)` does.
 */
function decimalField(event: Readonly<Record<string, unknown>>, name: string): Decimal {
  const v = event[name];
  if (typeof v === "string") return Decimal.parse(v);
  if (typeof v === "number" && Number.isFinite(v)) return Decimal.fromDoubleExact(v);
  if (v === undefined) throw new InvalidInputError(`missing field ${name}`);
  throw new InvalidInputError(`field ${name}: expected a decimal string, got ${JSON.stringify(v)}`);
}

export function snapshotFromFixtureEvent(event: Readonly<Record<string, unknown>>): Snapshot {
  const ts = event.ts;
  const symbol = event.symbol;
  if (typeof ts !== "number" || !Number.isInteger(ts))
    throw new InvalidInputError(`field ts: expected an integer, got ${JSON.stringify(ts)}`);
  if (typeof symbol !== "string")
    throw new InvalidInputError(`field symbol: expected a string, got ${JSON.stringify(symbol)}`);
  return new Snapshot({
    ts,
    symbol,
    bidPrice: decimalField(event, "bid_price"),
    askPrice: decimalField(event, "ask_price"),
    bidQty: decimalField(event, "bid_qty"),
    askQty: decimalField(event, "ask_qty"),
    lastPrice: decimalField(event, "last_price"),
    lastQty: decimalField(event, "last_qty"),
  });
}
