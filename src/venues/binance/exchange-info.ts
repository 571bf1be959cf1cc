/**
 * Instrument filters from a Binance exchangeInfo response (the JSON of
 * `GET /api/v3/exchangeInfo` or `GET /fapi/v1/exchangeInfo`): PRICE_FILTER
 * (tickSize), LOT_SIZE (stepSize, minQty), and the minimum notional of
 * NOTIONAL / MIN_NOTIONAL (spot: `minNotional`; USD-M: `notional`). Other
 * filters are ignored. Every problem is reported at once, with its JSON path.
 */

import { readFileSync } from "node:fs";
import { z } from "zod";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import type { InstrumentSpec } from "../../domain/instrument.js";

const decimalText = z
  .string()
  .refine((s) => Decimal.tryParse(s) !== undefined && !Decimal.parse(s).isNegative(), {
    message: "a non-negative decimal string",
  });

const filter = z.looseObject({ filterType: z.string() });

const symbolInfo = z.looseObject({
  symbol: z.string().min(1),
  status: z.string().optional(),
  filters: z.array(filter),
});

const exchangeInfo = z.looseObject({ symbols: z.array(symbolInfo) });

function field(
  f: Readonly<Record<string, unknown>>,
  key: string,
  where: string,
  problems: string[],
): Decimal | undefined {
  const r = decimalText.safeParse(f[key]);
  if (!r.success) {
    problems.push(
      `${where}.${key}: expected a non-negative decimal string, got ${JSON.stringify(f[key])}`,
    );
    return undefined;
  }
  return Decimal.parse(r.data);
}

/** The filters of every listed symbol (those without PRICE_FILTER and LOT_SIZE are an error). */
export function parseExchangeInfo(raw: unknown, source: string): Map<string, InstrumentSpec> {
  const parsed = exchangeInfo.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `${i.path.length === 0 ? "(top)" : i.path.join(".")}: ${i.message}`,
    );
    throw new ConfigError(
      `${source}: not a Binance exchangeInfo response (expected {"symbols": [{"symbol", "filters": [...]}]}):\n  ${lines.join("\n  ")}`,
    );
  }
  const problems: string[] = [];
  const out = new Map<string, InstrumentSpec>();
  parsed.data.symbols.forEach((s, i) => {
    const where = `symbols[${i}] (${s.symbol})`;
    let tick: Decimal | undefined;
    let step: Decimal | undefined;
    let minQty: Decimal | undefined;
    let minNotional = Decimal.ZERO;
    s.filters.forEach((f, j) => {
      const at = `${where}.filters[${j}]`;
      switch (f.filterType) {
        case "PRICE_FILTER":
          tick = field(f, "tickSize", at, problems);
          break;
        case "LOT_SIZE":
          step = field(f, "stepSize", at, problems);
          minQty = field(f, "minQty", at, problems);
          break;
        case "NOTIONAL":
        case "MIN_NOTIONAL": {
          const key = f.minNotional !== undefined ? "minNotional" : "notional";
          const v = field(f, key, at, problems);
          if (v?.gt(minNotional)) minNotional = v;
          break;
        }
        default:
          break;
      }
    });
    if (tick === undefined || step === undefined || minQty === undefined) {
      if (!s.filters.some((f) => f.filterType === "PRICE_FILTER"))
        problems.push(`${where}: no PRICE_FILTER`);
      if (!s.filters.some((f) => f.filterType === "LOT_SIZE"))
        problems.push(`${where}: no LOT_SIZE`);
      return;
    }
    out.set(s.symbol, {
      symbol: s.symbol,
      tickSize: tick,
      stepSize: step,
      minQty,
      minNotional,
      source: "exchangeInfo",
    });
  });
  if (problems.length > 0) {
    throw new ConfigError(`${source}: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
  }
  return out;
}

/** Read and parse an exchangeInfo file (`--exchange-info FILE`). */
export function readExchangeInfoFile(path: string): Map<string, InstrumentSpec> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read exchange info file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  return parseExchangeInfo(raw, path);
}
