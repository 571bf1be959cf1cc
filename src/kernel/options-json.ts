/**
 * Engine options as JSON, for the record of a run: every option under its
 * name, decimals as exact strings, numbers, booleans, strings and objects as
 * they are (a Decimal inside an object becomes its string too).
 */

import type { JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import type { EngineOptions } from "./kernel-options.js";

function jsonOf(v: unknown, name: string): JsonValue {
  if (v instanceof Decimal) return v.toString();
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new RangeError(`option ${name}: ${v} has no JSON form`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => jsonOf(x, `${name}[${i}]`));
  if (typeof v === "object") {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[k] = jsonOf(x, `${name}.${k}`);
    }
    return out;
  }
  throw new RangeError(`option ${name}: a ${typeof v} has no JSON form`);
}

/** The resolved options of a run, keys sorted. */
export function engineOptionsJson(o: EngineOptions): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const k of Object.keys(o).sort()) out[k] = jsonOf((o as Record<string, unknown>)[k], k);
  return out;
}
