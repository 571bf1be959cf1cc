/**
 * The kernel of a live run: the same TradingKernel and smart-grid hooks as
 * `grinder paper`, with options from the fixture's config.json (fixture
 * source) and a `--config FILE` (validated strictly), defaults otherwise.
 *
 * A live run cannot look ahead, so the two-pass Top-K selection of a paper
 * run is not made: every symbol of the feed trades, except with Top-K v1 and
 * `fix_topk_v1_lookahead`, whose selection is made from the first
 * `topk_v1_selection_ms` of data only (armed here with an empty first pass).
 */

import { createHash } from "node:crypto";
import { join } from "node:path";
import { canonicalJson, type JsonValue } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { readFixtureConfig } from "../../data/fixture-reader.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import {
  applyOptions,
  defaultOptions,
  type EngineOptions,
  OPTION_SPECS,
  type Profile,
  unknownConfigKeys,
} from "../../kernel/kernel-options.js";
import type { TradingKernel } from "../../kernel/trading-kernel.js";
import { readEngineConfigFile } from "../engine-config-file.js";
import { createKernel } from "../simulation.js";

export { readEngineConfigFile };

/**
 * Options of a live run: defaults, then the fixture's config.json (as `grinder
 * paper` reads it: an unknown key is a warning, given to `warn`, naming the
 * closest option), then `--config` (strict).
 */
export function liveEngineOptions(
  fixtureDir?: string,
  configPath?: string,
  profile?: Profile,
  warn: (line: string) => void = () => {},
): EngineOptions {
  // Live runs trade the market: the realistic profile unless an options file or --profile
  // says otherwise.
  let o = defaultOptions("realistic");
  if (fixtureDir !== undefined) {
    const path = join(fixtureDir, "config.json");
    const raw = readFixtureConfig(fixtureDir);
    for (const w of unknownConfigKeys(raw, path)) warn(`warning: ${w}`);
    o = applyOptions(o, raw, path);
  }
  if (configPath !== undefined) {
    o = applyOptions(o, readEngineConfigFile(configPath), configPath, { strict: true });
  }
  if (profile !== undefined) o = applyOptions(o, { profile }, "--profile", { strict: true });
  return o;
}

function optionJson(v: unknown): JsonValue {
  if (v instanceof Decimal) return v.toString();
  return v as JsonValue;
}

/**
 * Short hash of the mode and every engine option: a journal can only be
 * continued by an engine with the same fingerprint.
 */
export function engineFingerprint(o: EngineOptions, mode: string): string {
  const opts: Record<string, JsonValue> = {};
  for (const k of Object.keys(OPTION_SPECS)) opts[k] = optionJson(o[k as keyof EngineOptions]);
  const text = canonicalJson({ mode, options: opts });
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** A fresh kernel for live use (no look-ahead selection pass). */
export function createLiveKernel(
  o: EngineOptions,
  instruments?: ReadonlyMap<string, InstrumentSpec>,
): TradingKernel {
  const kernel = createKernel(o, instruments);
  if (o.topk_v1_enabled && o.fix_topk_v1_lookahead) kernel.selectionPass([]);
  return kernel;
}

/** Operator notes about options that behave differently live than in a paper run. */
export function liveEngineNotes(o: EngineOptions): string[] {
  const notes: string[] = [];
  if (o.topk_v1_enabled && !o.fix_topk_v1_lookahead) {
    notes.push(
      "Top-K v1 needs the whole run to select (look-ahead); live trades every symbol of the feed. " +
        "Set fix_topk_v1_lookahead for a selection from the first topk_v1_selection_ms of data.",
    );
  } else if (!o.topk_v1_enabled) {
    notes.push(
      "Top-K v0 selection needs the whole run (look-ahead); live trades every symbol of the feed.",
    );
  }
  return notes;
}

type Obj = { readonly [key: string]: unknown };

/** One log line with the positions and PnL of a kernel summary (`finish`). */
export function summaryLine(summary: Readonly<Record<string, unknown>>): string {
  const positions = summary.final_positions;
  const parts: string[] = [];
  if (typeof positions === "object" && positions !== null) {
    for (const [sym, p] of Object.entries(positions as Record<string, Obj>))
      parts.push(`${sym} ${String(p.quantity)} @ ${String(p.avg_entry_price)}`);
  }
  return (
    `positions: ${parts.length > 0 ? parts.join(", ") : "none"}; ` +
    `realized PnL ${String(summary.total_realized_pnl)}, ` +
    `unrealized PnL ${String(summary.total_unrealized_pnl)}, ` +
    `fills ${String(summary.total_fills)}, ` +
    `kill switch ${summary.kill_switch_triggered === true ? "TRIPPED" : "off"}`
  );
}
