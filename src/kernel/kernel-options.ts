/**
 * Engine options: every option of the reference PaperEngine under its name,
 * with its default and type, validated from config.json or a --config file.
 * Decimal options accept decimal strings or JSON numbers; float options accept
 * numbers; integer options accept integral numbers; booleans only booleans.
 */

import { Decimal } from "../core/decimal.js";
import { ConfigError } from "../core/errors.js";

/**
 * "number": an integer option used only in comparisons and arithmetic, where
 * the reference also accepts a float (e.g. a threshold of 150.0 bps).
 */
type OptionKind = "float" | "int" | "number" | "decimal" | "bool" | "fill_mode" | "object";

interface OptionSpec {
  readonly kind: OptionKind;
  readonly def: number | boolean | string | Decimal | null;
  readonly min?: number;
  readonly doc: string;
}

const D = (s: string): Decimal => Decimal.parse(s);

/** The option table (name -> type, default, description). Public: docs are generated from it. */
export const OPTION_SPECS = {
  spacing_bps: { kind: "float", def: 10.0, min: 0, doc: "Grid spacing in basis points" },
  levels: { kind: "int", def: 5, min: 1, doc: "Grid levels on each side" },
  size_per_level: { kind: "decimal", def: D("100"), doc: "Order quantity per level (base asset)" },
  price_precision: {
    kind: "int",
    def: 2,
    min: 0,
    doc: "Decimal places of order prices (rounded down)",
  },
  quantity_precision: {
    kind: "int",
    def: 3,
    min: 0,
    doc: "Decimal places of quantities (rounded down)",
  },
  max_orders_per_minute: {
    kind: "number",
    def: 60,
    min: 0,
    doc: "Rate limiter: orders per sliding minute",
  },
  cooldown_ms: { kind: "number", def: 100, min: 0, doc: "Rate limiter: minimum ms between orders" },
  max_notional_per_symbol: {
    kind: "decimal",
    def: D("5000"),
    doc: "Risk gate: notional cap per symbol",
  },
  max_notional_total: { kind: "decimal", def: D("20000"), doc: "Risk gate: total notional cap" },
  daily_loss_limit: { kind: "decimal", def: D("500"), doc: "Risk gate: daily loss limit" },
  max_spread_bps: { kind: "float", def: 50.0, doc: "Toxicity gate: spread spike threshold (bps)" },
  max_price_impact_bps: {
    kind: "float",
    def: 500.0,
    doc: "Toxicity gate: price move threshold (bps)",
  },
  toxicity_lookback_ms: {
    kind: "number",
    def: 5000,
    min: 0,
    doc: "Toxicity gate: price-move lookback",
  },
  topk_k: { kind: "int", def: 3, min: 0, doc: "Top-K v0: symbols kept" },
  topk_window_size: { kind: "int", def: 10, min: 1, doc: "Top-K v0: returns window" },
  controller_enabled: { kind: "bool", def: false, doc: "Enable Adaptive Controller v0" },
  controller_window_size: { kind: "int", def: 10, min: 1, doc: "Controller: metrics window" },
  controller_spread_pause_bps: {
    kind: "number",
    def: 50,
    doc: "Controller: PAUSE when spread above",
  },
  controller_vol_widen_bps: { kind: "number", def: 300, doc: "Controller: WIDEN when vol above" },
  controller_vol_tighten_bps: {
    kind: "number",
    def: 50,
    doc: "Controller: TIGHTEN when vol below",
  },
  controller_widen_multiplier: { kind: "float", def: 1.5, doc: "Controller: WIDEN spacing factor" },
  controller_tighten_multiplier: {
    kind: "float",
    def: 0.8,
    doc: "Controller: TIGHTEN spacing factor",
  },
  initial_capital: { kind: "decimal", def: D("10000"), doc: "Starting equity" },
  max_drawdown_pct: { kind: "float", def: 5.0, doc: "DrawdownGuard v0: kill-switch threshold (%)" },
  kill_switch_enabled: { kind: "bool", def: false, doc: "Enable DrawdownGuard v0 + KillSwitch" },
  fill_mode: { kind: "fill_mode", def: "crossing", doc: '"crossing" (touch model) or "instant"' },
  fill_after_ticks: { kind: "number", def: 0, min: 0, doc: "Tick-delay fills: 0 = at placement" },
  cycle_enabled: { kind: "bool", def: false, doc: "Enable CycleEngine (TP + replenish intents)" },
  cycle_step_pct: { kind: "decimal", def: D("0.001"), doc: "CycleEngine step as a fraction" },
  feature_engine_enabled: { kind: "bool", def: false, doc: "Enable FeatureEngine v1" },
  feature_bar_interval_ms: { kind: "int", def: 60_000, min: 1, doc: "FeatureEngine bar interval" },
  feature_atr_period: { kind: "int", def: 14, min: 1, doc: "FeatureEngine ATR period" },
  feature_range_horizon: { kind: "int", def: 14, min: 1, doc: "FeatureEngine range horizon" },
  feature_max_bars: { kind: "int", def: 1000, min: 1, doc: "FeatureEngine bars kept per symbol" },
  adaptive_policy_enabled: { kind: "bool", def: false, doc: "Enable AdaptiveGridPolicy v1" },
  topk_v1_enabled: {
    kind: "bool",
    def: false,
    doc: "Enable Top-K v1 (turns the feature engine on)",
  },
  topk_v1_k: { kind: "int", def: 3, min: 0, doc: "Top-K v1: symbols kept" },
  topk_v1_spread_max_bps: { kind: "float", def: 100, doc: "Top-K v1: spread gate (bps)" },
  topk_v1_thin_l1_min: { kind: "decimal", def: D("1.0"), doc: "Top-K v1: thin-book gate (depth)" },
  topk_v1_warmup_min: { kind: "number", def: 10, min: 0, doc: "Top-K v1: bars needed" },
  dd_guard_v1_enabled: { kind: "bool", def: false, doc: "Enable DrawdownGuardV1" },
  dd_guard_v1_config: {
    kind: "object",
    def: null,
    doc: '{"portfolio_dd_limit": "0.2", "symbol_dd_budgets": {"SYM": "40"}}',
  },
  // Corrections of the reference's defects (docs/REFERENCE_BEHAVIOURS.md). Off by default,
  // so that the default run stays identical to the reference.
  fix_daily_loss_limit: {
    kind: "bool",
    def: false,
    doc: "Feed realized and unrealized PnL to the risk gate so daily_loss_limit binds",
  },
  fix_fills_when_blocked: {
    kind: "bool",
    def: false,
    doc: "Check resting orders for fills on events blocked by gating, PAUSE or a guard",
  },
  fix_rate_limit_when_placing: {
    kind: "bool",
    def: false,
    doc: "Consult the rate limiter only when the reconcile would place orders",
  },
  fix_adaptive_regime: {
    kind: "bool",
    def: false,
    doc: "Adaptive policy classifies its regime from the features (not always RANGE)",
  },
  fix_topk_v1_lookahead: {
    kind: "bool",
    def: false,
    doc: "Top-K v1 selects once, from the first topk_v1_selection_ms of data only",
  },
  topk_v1_selection_ms: {
    kind: "int",
    def: 600_000,
    min: 0,
    doc: "With fix_topk_v1_lookahead: warm-up span before the selection is made",
  },
  fix_dd_guard_negative_equity: {
    kind: "bool",
    def: false,
    doc: "DrawdownGuardV1 sees negative equity as 0 instead of failing the event",
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

type ValueOf<K extends OptionKind> = K extends "float" | "int" | "number"
  ? number
  : K extends "decimal"
    ? Decimal
    : K extends "bool"
      ? boolean
      : K extends "fill_mode"
        ? "crossing" | "instant"
        : Readonly<Record<string, unknown>> | null;

export type EngineOptions = {
  readonly [K in OptionName]: ValueOf<(typeof OPTION_SPECS)[K]["kind"]>;
};

/** Keys of config.json that replay applies (the rest are paper's or informational). */
export const REPLAY_OPTION_NAMES: readonly OptionName[] = [
  "spacing_bps",
  "levels",
  "size_per_level",
  "price_precision",
  "quantity_precision",
];

export function defaultOptions(): EngineOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(OPTION_SPECS)) out[k] = spec.def;
  return out as EngineOptions;
}

function convert(name: string, spec: OptionSpec, v: unknown, source: string): unknown {
  const bad = (expected: string): never => {
    throw new ConfigError(
      `${source}: option "${name}": expected ${expected}, got ${JSON.stringify(v)}`,
    );
  };
  switch (spec.kind) {
    case "bool":
      return typeof v === "boolean" ? v : bad("true or false");
    case "int":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) bad("an integer");
      if (spec.min !== undefined && (v as number) < spec.min) bad(`an integer >= ${spec.min}`);
      return v;
    case "number":
      if (typeof v !== "number" || !Number.isFinite(v)) bad("a number");
      if (spec.min !== undefined && (v as number) < spec.min) bad(`a number >= ${spec.min}`);
      return v;
    case "float":
      if (typeof v !== "number" || !Number.isFinite(v)) bad("a number");
      if (spec.min !== undefined && (v as number) <= spec.min) bad(`a number > ${spec.min}`);
      return v;
    case "decimal": {
      if (typeof v === "string")
        return Decimal.tryParse(v) ?? bad('a decimal string such as "100"');
      if (typeof v === "number" && Number.isFinite(v)) {
        return Number.isInteger(v) ? Decimal.fromInt(v) : Decimal.fromDoubleShortest(v);
      }
      return bad("a decimal string or number");
    }
    case "fill_mode":
      return v === "crossing" || v === "instant" ? v : bad('"crossing" or "instant"');
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v) ? v : bad("a JSON object");
  }
}

/**
 * Apply the option keys of `raw` over `base`. With `strict`, a key that is not
 * an option is an error (for --config files); otherwise such keys are
 * informational (fixture config.json: name, description, expected_*, ...).
 * `only` restricts which options are applied (replay takes five).
 */
export function applyOptions(
  base: EngineOptions,
  raw: Readonly<Record<string, unknown>>,
  source: string,
  opts: { strict?: boolean; only?: readonly OptionName[] } = {},
): EngineOptions {
  const out: Record<string, unknown> = { ...base };
  const specs = OPTION_SPECS as Record<string, OptionSpec>;
  for (const [k, v] of Object.entries(raw)) {
    const spec = specs[k];
    if (spec === undefined) {
      if (opts.strict) {
        throw new ConfigError(`${source}: unknown option "${k}" (see docs/CONFIG.md for the list)`);
      }
      continue;
    }
    if (opts.only !== undefined && !opts.only.includes(k as OptionName)) continue;
    out[k] = convert(k, spec, v, source);
  }
  if (out.topk_v1_enabled === true) out.feature_engine_enabled = true;
  return out as EngineOptions;
}
