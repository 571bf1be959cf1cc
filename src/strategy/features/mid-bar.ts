/** A completed OHLC bar of mid prices, and its JSON form. */

import type { JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";

export interface MidBar {
  /** Bar start in ms, a multiple of the bar interval. */
  readonly barTs: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly tickCount: number;
}

export function makeMidBar(b: MidBar): MidBar {
  return Object.freeze({ ...b });
}

export function midBarToJson(b: MidBar): JsonValue {
  return {
    bar_ts: b.barTs,
    open: b.open.toString(),
    high: b.high.toString(),
    low: b.low.toString(),
    close: b.close.toString(),
    tick_count: b.tickCount,
  };
}

function intField(d: Readonly<Record<string, unknown>>, key: string): number {
  const v = d[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new InvalidInputError(
      `mid bar field ${key}: expected an integer, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function decField(d: Readonly<Record<string, unknown>>, key: string): Decimal {
  const v = d[key];
  if (typeof v !== "string") {
    throw new InvalidInputError(
      `mid bar field ${key}: expected a decimal string, got ${JSON.stringify(v)}`,
    );
  }
  return Decimal.parse(v);
}

export function midBarFromJson(d: Readonly<Record<string, unknown>>): MidBar {
  return makeMidBar({
    barTs: intField(d, "bar_ts"),
    open: decField(d, "open"),
    high: decField(d, "high"),
    low: decField(d, "low"),
    close: decField(d, "close"),
    tickCount: intField(d, "tick_count"),
  });
}
