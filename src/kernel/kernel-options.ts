/**
 * Kernel options: every option of the reference PaperEngine under its name,
 * plus the simulation models of the realistic profile, with their defaults
 * and types, validated from config.json or a --config file (zod schemas,
 * every error reported at once). Decimal options accept decimal strings or
 * JSON numbers; float options accept numbers; integer options accept
 * integral numbers; booleans only booleans.
 *
 * Profiles: `reference` (the default of fixtures, replay and paper) is the
 * reference engine's behaviour byte for byte; `realistic` (the default of
 * data backtests and live) turns every `fix_*` correction on and sets the
 * simulation models' defaults (`REALISTIC_DEFAULTS`). Explicit options win
 * over the profile's defaults.
 */

import { z } from "zod";
import { Decimal } from "../core/decimal.js";
import { ConfigError } from "../core/errors.js";
import { closestName } from "../core/strings.js";

/**
 * "number": an integer option used only in comparisons and arithmetic, where
 * the reference also accepts a float (e.g. a threshold of 150.0 bps).
 */
type OptionKind =
  | "float"
  | "int"
  | "number"
  | "decimal"
  | "decimal_or_null"
  | "number_or_null"
  | "bool"
  | "fill_mode"
  | "profile"
  | "fill_model"
  | "market"
  | "object"
  | "symbol_overrides";

interface OptionSpec {
  readonly kind: OptionKind;
  readonly def: number | boolean | string | Decimal | null;
  /** Numbers: the least value ("float": exclusive). Decimals: see minDecimal. */
  readonly min?: number;
  /** Numbers: the greatest value (inclusive). */
  readonly max?: number;
  /** Decimals: the least value, inclusive ("0") or exclusive (">0"). */
  readonly minDecimal?: "0" | ">0";
  /** Decimals: the greatest value, exclusive. */
  readonly belowDecimal?: string;
  readonly doc: string;
}

const D = (s: string): Decimal => Decimal.parse(s);

/** The option table (name -> type, default, description). Public: docs are generated from it. */
export const OPTION_SPECS = {
  spacing_bps: { kind: "float", def: 10.0, min: 0, doc: "Grid spacing in basis points" },
  levels: { kind: "int", def: 5, min: 1, doc: "Grid levels on each side" },
  size_per_level: {
    kind: "decimal",
    def: D("100"),
    minDecimal: ">0",
    doc: "Order quantity per level (base asset)",
  },
  price_precision: {
    kind: "int",
    def: 2,
    min: 0,
    max: 18,
    doc: "Decimal places of order prices (rounded down)",
  },
  quantity_precision: {
    kind: "int",
    def: 3,
    min: 0,
    max: 18,
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
    minDecimal: "0",
    doc: "Risk gate: notional cap per symbol",
  },
  max_notional_total: {
    kind: "decimal",
    def: D("20000"),
    minDecimal: "0",
    doc: "Risk gate: total notional cap",
  },
  daily_loss_limit: {
    kind: "decimal",
    def: D("500"),
    minDecimal: "0",
    doc: "Risk gate: daily loss limit",
  },
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
  initial_capital: {
    kind: "decimal",
    def: D("10000"),
    minDecimal: ">0",
    doc: "Starting equity",
  },
  max_drawdown_pct: { kind: "float", def: 5.0, doc: "DrawdownGuard v0: kill-switch threshold (%)" },
  kill_switch_enabled: { kind: "bool", def: false, doc: "Enable DrawdownGuard v0 + KillSwitch" },
  fill_mode: { kind: "fill_mode", def: "crossing", doc: '"crossing" (touch model) or "instant"' },
  fill_after_ticks: { kind: "number", def: 0, min: 0, doc: "Tick-delay fills: 0 = at placement" },
  cycle_enabled: { kind: "bool", def: false, doc: "Enable CycleEngine (TP + replenish intents)" },
  cycle_step_pct: {
    kind: "decimal",
    def: D("0.001"),
    minDecimal: ">0",
    belowDecimal: "1",
    doc: "CycleEngine step as a fraction",
  },
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
  topk_v1_thin_l1_min: {
    kind: "decimal",
    def: D("1.0"),
    minDecimal: "0",
    doc: "Top-K v1: thin-book gate (depth)",
  },
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
  fix_exposure_limits: {
    kind: "bool",
    def: false,
    doc: "Notional limits on |position| + open orders (released on fill and cancel), per order",
  },
  fix_spot_balances: {
    kind: "bool",
    def: false,
    doc: "Spot: a SELL may not exceed the base held, a BUY not the free quote balance",
  },
  // The simulation models (docs/SIMULATION.md). The reference profile ignores them.
  profile: {
    kind: "profile",
    def: "reference",
    doc: '"reference" (the reference engine byte for byte) or "realistic" (fees, latency, ...)',
  },
  market: { kind: "market", def: "spot", doc: '"spot" or "um" (USD-M perpetual)' },
  fill_model: {
    kind: "fill_model",
    def: "auto",
    doc: '"cross" (L1 quotes), "trade_queue" (trades) or "auto" (by the data)',
  },
  order_latency_ms: { kind: "number", def: 0, min: 0, doc: "Submit to live on the book (ms)" },
  cancel_latency_ms: { kind: "number", def: 0, min: 0, doc: "Cancel to off the book (ms)" },
  l1_qty_limits_fills: {
    kind: "bool",
    def: false,
    doc: "Cap each fill by the opposite side's L1 quantity (partial fills)",
  },
  maker_fee_bps: {
    kind: "number_or_null",
    def: null,
    min: 0,
    doc: "Maker fee (bps); null: the market's regular rate",
  },
  taker_fee_bps: {
    kind: "number_or_null",
    def: null,
    min: 0,
    doc: "Taker fee (bps); null: the market's regular rate",
  },
  notional_per_level: {
    kind: "decimal_or_null",
    def: null,
    minDecimal: ">0",
    doc: "Order size per level in quote (realistic); null: 2 % of initial_capital",
  },
  leverage: {
    kind: "int",
    def: 1,
    min: 1,
    max: 125,
    doc: "USD-M: leverage (initial margin = notional / leverage)",
  },
  maintenance_margin_rate: {
    kind: "decimal",
    def: D("0.004"),
    minDecimal: "0",
    belowDecimal: "1",
    doc: "USD-M: maintenance margin as a fraction of notional (unless leverage brackets are given)",
  },
  liquidation_fee_rate: {
    kind: "decimal",
    def: D("0.0125"),
    minDecimal: "0",
    belowDecimal: "1",
    doc: "USD-M: fee of a liquidation, as a fraction of the notional closed",
  },
  funding_rate: {
    kind: "decimal",
    def: D("0.0001"),
    doc: "USD-M: funding rate per interval when no funding dump is given",
  },
  funding_interval_hours: {
    kind: "int",
    def: 8,
    min: 1,
    doc: "USD-M: hours between funding times (from 00:00 UTC) for funding_rate",
  },
  kill_switch_cancels: {
    kind: "bool",
    def: false,
    doc: "When the kill switch trips, cancel every open order (the reference leaves them)",
  },
  kill_switch_flatten: {
    kind: "bool",
    def: false,
    doc: "When the kill switch trips, also close every position with reduce-only market orders",
  },
  symbol_overrides: {
    kind: "symbol_overrides",
    def: null,
    doc: '{"SYM": {"notional_per_level": "50", "maker_fee_bps": 1, "taker_fee_bps": 4}}',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTION_SPECS;

/** Per-symbol overrides of the realistic profile's sizing and fees. */
export interface SymbolOverride {
  readonly notional_per_level?: Decimal;
  readonly maker_fee_bps?: number;
  readonly taker_fee_bps?: number;
}

export type Profile = "reference" | "realistic";
export type FillModel = "auto" | "cross" | "trade_queue";
export type Market = "spot" | "um";

type ValueOf<K extends OptionKind> = K extends "float" | "int" | "number"
  ? number
  : K extends "decimal"
    ? Decimal
    : K extends "decimal_or_null"
      ? Decimal | null
      : K extends "number_or_null"
        ? number | null
        : K extends "bool"
          ? boolean
          : K extends "fill_mode"
            ? "crossing" | "instant"
            : K extends "profile"
              ? Profile
              : K extends "fill_model"
                ? FillModel
                : K extends "market"
                  ? Market
                  : K extends "symbol_overrides"
                    ? Readonly<Record<string, SymbolOverride>> | null
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

/**
 * What the realistic profile sets, unless an option is given explicitly:
 * every correction on, the models at documented defaults (docs/SIMULATION.md).
 */
export const REALISTIC_DEFAULTS: Readonly<Partial<Record<OptionName, unknown>>> = {
  fix_daily_loss_limit: true,
  fix_fills_when_blocked: true,
  fix_rate_limit_when_placing: true,
  fix_adaptive_regime: true,
  fix_topk_v1_lookahead: true,
  fix_dd_guard_negative_equity: true,
  fix_exposure_limits: true,
  fix_spot_balances: true,
  order_latency_ms: 30,
  cancel_latency_ms: 30,
  l1_qty_limits_fills: true,
  kill_switch_cancels: true,
};

/** The defaults of a profile. */
export function defaultOptions(profile: Profile = "reference"): EngineOptions {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(OPTION_SPECS)) out[k] = spec.def;
  if (profile === "realistic") {
    Object.assign(out, REALISTIC_DEFAULTS);
    out.profile = "realistic";
  }
  return out as EngineOptions;
}

/** What a JSON value looks like in an error message. */
function shown(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

const decimalValue = z.unknown().transform((v, ctx): Decimal => {
  if (typeof v === "string") {
    const d = Decimal.tryParse(v);
    if (d === undefined)
      ctx.addIssue({ code: "custom", message: 'a decimal string such as "100"' });
    return d ?? Decimal.ZERO;
  }
  if (typeof v === "number" && Number.isFinite(v)) {
    return Number.isInteger(v) ? Decimal.fromInt(v) : Decimal.fromDoubleShortest(v);
  }
  ctx.addIssue({ code: "custom", message: "a decimal string or number" });
  return Decimal.ZERO;
});

/** A decimal within a range: `minimum` "0" (>= 0) or ">0"; `below` exclusive. */
function decimalInRange(minimum: "0" | ">0" | undefined, below?: string): z.ZodType {
  if (minimum === undefined && below === undefined) return decimalValue;
  const top = below === undefined ? undefined : Decimal.parse(below);
  const range = [
    minimum === undefined ? "" : minimum === "0" ? ">= 0" : "> 0",
    top === undefined ? "" : `< ${below}`,
  ]
    .filter((x) => x !== "")
    .join(" and ");
  return decimalValue.superRefine((d, ctx) => {
    const low = minimum === "0" ? d.isNegative() : minimum === ">0" ? !d.isPositive() : false;
    if (low || (top !== undefined && d.gte(top))) {
      ctx.addIssue({ code: "custom", message: `a decimal ${range}` });
    }
  });
}

function numberSchema(spec: OptionSpec, integer: boolean, exclusiveMin: boolean): z.ZodType {
  const what = integer ? "an integer" : "a number";
  return z.unknown().superRefine((v, ctx) => {
    const ok = typeof v === "number" && (integer ? Number.isSafeInteger(v) : Number.isFinite(v));
    if (!ok) {
      ctx.addIssue({ code: "custom", message: what });
      return;
    }
    const { min, max } = spec;
    const low = min !== undefined && (exclusiveMin ? v <= min : v < min);
    if (low || (max !== undefined && v > max)) {
      const bounds = [
        min === undefined ? "" : `${exclusiveMin ? ">" : ">="} ${min}`,
        max === undefined ? "" : `<= ${max}`,
      ];
      ctx.addIssue({
        code: "custom",
        message: `${what} ${bounds.filter((b) => b !== "").join(" and ")}`,
      });
    }
  });
}

function oneOf(values: readonly string[]): z.ZodType {
  const text = values.map((v) => JSON.stringify(v));
  const expected = text.length === 2 ? `${text[0]} or ${text[1]}` : `one of ${text.join(", ")}`;
  return z.unknown().superRefine((v, ctx) => {
    if (typeof v !== "string" || !values.includes(v)) {
      ctx.addIssue({ code: "custom", message: expected });
    }
  });
}

/** The "unknown key" issue of a nested object, with the closest known key. */
const UNKNOWN_KEY = "unknown key";

/**
 * A JSON object with exactly these optional fields (each validated by its
 * schema, keeping the raw value when `keepRaw`): unknown keys are issues at
 * their own path, with the closest known key suggested.
 */
function strictFields(fields: Readonly<Record<string, z.ZodType>>): z.ZodType {
  const names = Object.keys(fields);
  return z.unknown().transform((v, ctx) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      ctx.addIssue({ code: "custom", message: `an object with keys ${names.join(", ")}` });
      return z.NEVER;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const schema = fields[k];
      if (schema === undefined) {
        const near = closestName(k, names);
        ctx.addIssue({
          code: "custom",
          path: [k],
          message: `${UNKNOWN_KEY}${near === undefined ? ` (known: ${names.join(", ")})` : ` (did you mean ${near}?)`}`,
        });
        continue;
      }
      const r = schema.safeParse(x);
      if (r.success) out[k] = r.data;
      else for (const i of r.error.issues) ctx.addIssue({ ...i, path: [k, ...i.path] } as never);
    }
    return out;
  });
}

/** A JSON object of symbol -> `value` (keys of Binance's symbol shape). */
function bySymbol(value: z.ZodType): z.ZodType {
  return z.unknown().transform((v, ctx) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      ctx.addIssue({ code: "custom", message: 'an object of symbols, e.g. {"BTCUSDT": ...}' });
      return z.NEVER;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!/^[A-Z0-9][A-Z0-9_]{0,31}$/.test(k)) {
        ctx.addIssue({ code: "custom", path: [k], message: "a symbol such as BTCUSDT as key" });
        continue;
      }
      const r = value.safeParse(x);
      if (r.success) out[k] = r.data;
      else for (const i of r.error.issues) ctx.addIssue({ ...i, path: [k, ...i.path] } as never);
    }
    return out;
  });
}

const feeBps = numberSchema({ kind: "number", def: 0, min: 0, doc: "" }, false, false);

const symbolOverride = strictFields({
  notional_per_level: decimalInRange(">0"),
  maker_fee_bps: feeBps,
  taker_fee_bps: feeBps,
});

/** dd_guard_v1_config: validated strictly, the raw object kept (the guard parses it). */
const ddGuardV1Config = z.unknown().superRefine((v, ctx) => {
  const r = strictFields({
    portfolio_dd_limit: decimalInRange(">0").superRefine((d, c) => {
      if ((d as Decimal).gt(Decimal.ONE)) {
        c.addIssue({ code: "custom", message: "a decimal > 0 and <= 1 (a fraction of equity)" });
      }
    }),
    symbol_dd_budgets: bySymbol(decimalInRange("0")),
  }).safeParse(v);
  if (!r.success) for (const i of r.error.issues) ctx.addIssue(i as never);
});

/** `inner`, or null (the inner schema's messages, with "or null"). */
function orNull(inner: z.ZodType): z.ZodType {
  return z.unknown().transform((v, ctx) => {
    if (v === null) return null;
    const r = inner.safeParse(v);
    if (r.success) return r.data;
    for (const i of r.error.issues)
      ctx.addIssue({ code: "custom", message: `${i.message} or null` });
    return null;
  });
}

/** The schema of one option (its messages say what was expected). */
function schemaOf(spec: OptionSpec): z.ZodType {
  switch (spec.kind) {
    case "bool":
      return z.unknown().superRefine((v, ctx) => {
        if (typeof v !== "boolean") ctx.addIssue({ code: "custom", message: "true or false" });
      });
    case "int":
      return numberSchema(spec, true, false);
    case "number":
      return numberSchema(spec, false, false);
    case "float":
      return numberSchema(spec, false, true);
    case "number_or_null":
      return orNull(numberSchema(spec, false, false));
    case "decimal":
      return decimalInRange(spec.minDecimal, spec.belowDecimal);
    case "decimal_or_null":
      return orNull(decimalInRange(spec.minDecimal, spec.belowDecimal));
    case "fill_mode":
      return oneOf(["crossing", "instant"]);
    case "profile":
      return oneOf(["reference", "realistic"]);
    case "fill_model":
      return oneOf(["auto", "cross", "trade_queue"]);
    case "market":
      return oneOf(["spot", "um"]);
    case "object":
      return ddGuardV1Config;
    case "symbol_overrides":
      return bySymbol(symbolOverride);
  }
}

const SCHEMAS = new Map<string, z.ZodType>(
  Object.entries(OPTION_SPECS).map(([k, spec]) => [k, schemaOf(spec)]),
);

/** One line per problem of a value: `option "x": expected ..., got ...` (nested paths too). */
function problemsOf(name: string, v: unknown, err: z.ZodError): string[] {
  return err.issues.map((i) => {
    const path = [name, ...i.path.map(String)].join(".");
    if (i.message.startsWith(UNKNOWN_KEY)) return `option "${path}": ${i.message}`;
    let value: unknown = v;
    for (const k of i.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[k];
    return `option "${path}": expected ${i.message}, got ${shown(value)}`;
  });
}

/** Keys of a fixture's config.json that describe it and are not options. */
const INFORMATIONAL_KEYS: ReadonlySet<string> = new Set([
  "name",
  "description",
  "symbols",
  "notes",
  "regimes",
  "generator",
  "schema_version",
  "duration_ms",
  "canonical_digest",
]);
/** Prefixes of informational keys (expected_replay_digest, generator_seed, ...). */
const INFORMATIONAL_PREFIXES = ["expected_", "generator_"];

/** Whether `key` of a fixture's config.json is informational (not an option). */
export function isInformationalKey(key: string): boolean {
  return INFORMATIONAL_KEYS.has(key) || INFORMATIONAL_PREFIXES.some((p) => key.startsWith(p));
}

function unknownOptionText(key: string): string {
  const near = closestName(key, Object.keys(OPTION_SPECS));
  const hint = near === undefined ? "see docs/CONFIG.md for the list" : `did you mean ${near}?`;
  return `unknown option "${key}" (${hint})`;
}

/**
 * The keys of a fixture's config.json that are neither options nor
 * informational, one note each naming the file and the closest option.
 */
export function unknownConfigKeys(
  raw: Readonly<Record<string, unknown>>,
  source: string,
): string[] {
  return Object.keys(raw)
    .filter((k) => !Object.hasOwn(OPTION_SPECS, k) && !isInformationalKey(k))
    .map((k) => `${source}: ${unknownOptionText(k)}`);
}

/**
 * Apply the option keys of `raw` over `base`. With `strict`, a key that is not
 * an option is an error (for --config files); otherwise such keys are
 * informational (fixture config.json: name, description, expected_*, ...).
 * `only` restricts which options are applied (replay takes five). Every
 * problem is reported, in one error. A `profile` key moves the options
 * still at the old profile's defaults to the new profile's.
 */
export function applyOptions(
  base: EngineOptions,
  raw: Readonly<Record<string, unknown>>,
  source: string,
  opts: { strict?: boolean; only?: readonly OptionName[] } = {},
): EngineOptions {
  const start: Record<string, unknown> = { ...base };
  const problems: string[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    const schema = SCHEMAS.get(k);
    if (schema === undefined) {
      if (opts.strict) problems.push(unknownOptionText(k));
      continue;
    }
    // Every option is validated; `only` limits which are applied.
    const r = schema.safeParse(v);
    if (!r.success) problems.push(...problemsOf(k, v, r.error));
    else if (opts.only === undefined || opts.only.includes(k as OptionName)) parsed[k] = r.data;
  }
  if (problems.length > 0) {
    throw new ConfigError(
      problems.length === 1
        ? `${source}: ${problems[0]}`
        : `${source}: ${problems.length} problems:\n  ${problems.join("\n  ")}`,
    );
  }
  if (parsed.profile !== undefined && parsed.profile !== base.profile) {
    // Options still at the old profile's default follow the new profile.
    const before = defaultOptions(base.profile);
    const after = defaultOptions(parsed.profile as Profile);
    for (const k of Object.keys(OPTION_SPECS) as OptionName[]) {
      if (optionText(start[k]) === optionText(before[k])) start[k] = after[k];
    }
  }
  const out: Record<string, unknown> = { ...start, ...parsed };
  if (out.topk_v1_enabled === true) out.feature_engine_enabled = true;
  return out as EngineOptions;
}

/**
 * The options that differ from the reference defaults, as JSON values
 * (decimals as strings): what a run prints first and records.
 */
export function nonDefaultOptions(o: EngineOptions): Record<string, unknown> {
  const ref = defaultOptions();
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(OPTION_SPECS) as OptionName[]) {
    if (optionText(o[k]) !== optionText(ref[k])) out[k] = optionJsonValue(o[k]);
  }
  return out;
}

/** Every option as a JSON value (decimals as strings), in table order. */
export function optionsJson(o: EngineOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(OPTION_SPECS) as OptionName[]) out[k] = optionJsonValue(o[k]);
  return out;
}

function optionJsonValue(v: unknown): unknown {
  if (v instanceof Decimal) return v.toString();
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = optionJsonValue(x);
    return out;
  }
  return v;
}

function optionText(v: unknown): string {
  return JSON.stringify(optionJsonValue(v));
}

/** One line: `Profile: realistic; options: a=1, b="x"` (or `defaults`). */
export function profileLine(o: EngineOptions): string {
  const nd = nonDefaultOptions(o);
  delete nd.profile;
  const parts = Object.entries(nd).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `Profile: ${o.profile}; options: ${parts.length === 0 ? "reference defaults" : parts.join(", ")}`;
}
