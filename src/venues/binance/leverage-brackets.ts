/**
 * Leverage brackets of USD-M symbols: the JSON of Binance's
 * `GET /fapi/v1/leverageBracket` (`[{"symbol", "brackets": [{"bracket",
 * "initialLeverage", "notionalCap", "notionalFloor", "maintMarginRatio",
 * "cum"}]}]`). The maintenance margin of a position of notional N in a
 * bracket is N x maintMarginRatio - cum. Every problem is reported at once.
 */

import { readFileSync } from "node:fs";
import { z } from "zod";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import type { LeverageBracket } from "../../domain/instrument.js";

const num = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const d = typeof v === "number" ? Decimal.fromDoubleShortest(v) : Decimal.tryParse(v);
  if (d === undefined || d.isNegative()) {
    ctx.addIssue({ code: "custom", message: "a non-negative number" });
    return Decimal.ZERO;
  }
  return d;
});

const bracket = z.looseObject({
  bracket: z.number().int().min(1),
  initialLeverage: z.number().int().min(1),
  notionalCap: num,
  notionalFloor: num,
  maintMarginRatio: num,
  cum: num,
});

const file = z.array(
  z.looseObject({ symbol: z.string().min(1), brackets: z.array(bracket).min(1) }),
);

export function parseLeverageBrackets(
  raw: unknown,
  source: string,
): Map<string, LeverageBracket[]> {
  const r = file.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
    throw new ConfigError(
      `${source}: not a Binance leverageBracket response (expected [{"symbol", "brackets": [...]}]):\n  ${lines.join("\n  ")}`,
    );
  }
  const out = new Map<string, LeverageBracket[]>();
  for (const s of r.data) {
    out.set(
      s.symbol,
      [...s.brackets]
        .sort((a, b) => a.bracket - b.bracket)
        .map((b) => ({
          notionalFloor: b.notionalFloor,
          notionalCap: b.notionalCap,
          maintMarginRatio: b.maintMarginRatio,
          cum: b.cum,
          initialLeverage: b.initialLeverage,
        })),
    );
  }
  return out;
}

export function readLeverageBracketsFile(path: string): Map<string, LeverageBracket[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`cannot read leverage brackets ${path}: ${(e as Error).message}`);
  }
  return parseLeverageBrackets(raw, path);
}
