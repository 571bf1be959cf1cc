/**
 * The summary rounded for people, as the CLI table and the HTML report show
 * it (the JSON keeps the exact values):
 *
 * - money: 2 decimal places (half-even); a non-zero amount that would show
 *   as 0.00 keeps 2 significant digits instead (0.0037);
 * - percentages (`*_pct`) and the fractions `win_rate` and `maker_share`
 *   (shown x 100): 2 decimal places and " %";
 * - Sharpe, Sortino, Calmar: 2 decimal places; leverage the same and "x";
 * - liquidation distances: "SYMBOL 12.34 %" each, "never open" for null;
 * - the drawdown duration: whole seconds, then hours and minutes;
 * - undefined ratios (null): "n/a".
 */

import { Decimal } from "../core/decimal.js";
import { type RunSummaryJson, SUMMARY_KEYS } from "./summary.js";

type Kind =
  | "money"
  | "pct"
  | "fraction"
  | "ratio"
  | "leverage"
  | "duration"
  | "count"
  | "reasons"
  | "distances";

const KINDS: Readonly<Record<keyof RunSummaryJson, Kind>> = {
  net_pnl: "money",
  gross_pnl: "money",
  fees: "money",
  funding: "money",
  return_pct: "pct",
  max_drawdown_pct: "pct",
  max_drawdown_duration_s: "duration",
  sharpe: "ratio",
  sortino: "ratio",
  calmar: "ratio",
  fills: "count",
  round_trips: "count",
  win_rate: "fraction",
  turnover: "money",
  maker_share: "fraction",
  time_in_market_pct: "pct",
  max_position_notional: "money",
  liquidations: "count",
  max_effective_leverage: "leverage",
  max_margin_use_pct: "pct",
  liquidation_distance_pct: "distances",
  orders_submitted: "count",
  orders_cancelled: "count",
  orders_rejected: "count",
  orders_filtered: "count",
  blocked_by_reason: "reasons",
};

/** Labels for people, in SUMMARY_KEYS order. */
export const SUMMARY_LABELS: Readonly<Record<keyof RunSummaryJson, string>> = {
  net_pnl: "Net PnL",
  gross_pnl: "Gross PnL",
  fees: "Fees",
  funding: "Funding",
  return_pct: "Return",
  max_drawdown_pct: "Max drawdown",
  max_drawdown_duration_s: "Max drawdown duration",
  sharpe: "Sharpe (hourly, annualised)",
  sortino: "Sortino (hourly, annualised)",
  calmar: "Calmar",
  fills: "Fills",
  round_trips: "Round trips",
  win_rate: "Win rate",
  turnover: "Turnover",
  maker_share: "Maker share (notional)",
  time_in_market_pct: "Time in market",
  max_position_notional: "Max position notional",
  liquidations: "Liquidations",
  max_effective_leverage: "Max effective leverage",
  max_margin_use_pct: "Max margin use",
  liquidation_distance_pct: "Closest to liquidation",
  orders_submitted: "Orders submitted",
  orders_cancelled: "Orders cancelled",
  orders_rejected: "Orders rejected",
  orders_filtered: "Orders filtered",
  blocked_by_reason: "Blocked by reason",
};

function fixed2(x: number): string {
  const s = x.toFixed(2);
  return s === "-0.00" ? "0.00" : s;
}

/** A money string rounded for display (see the file comment). */
export function formatMoney(text: string): string {
  const d = Decimal.parse(text);
  const r = d.quantize(2, "ROUND_HALF_EVEN");
  if (!r.isZero() || d.isZero()) return r.isZero() ? "0.00" : r.toPlainString();
  // Non-zero but under a cent: 2 significant digits.
  const exp = Math.floor(Math.log10(Math.abs(d.toNumber())));
  return d.quantize(1 - exp, "ROUND_HALF_EVEN").toPlainString();
}

/** "2h 40m" for 9600 seconds. */
function hoursMinutes(s: number): string {
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${Math.round(s % 60)}s`;
}

type ScalarKind = Exclude<Kind, "reasons" | "distances">;

/** A number or a decimal string of one kind, rounded (see the file comment). */
function formatScalar(kind: ScalarKind, v: number | string, unit: string): string {
  switch (kind) {
    case "money":
      return (
        formatMoney(typeof v === "string" ? v : Decimal.fromDoubleShortest(v).toPlainString()) +
        unit
      );
    case "pct":
      return `${fixed2(Number(v))} %`;
    case "fraction":
      return `${fixed2(Number(v) * 100)} %`;
    case "ratio":
      return fixed2(Number(v));
    case "leverage":
      return `${fixed2(Number(v))}x`;
    case "duration": {
      const secs = Math.round(Number(v));
      return secs < 60 ? `${secs} s` : `${secs} s (${hoursMinutes(secs)})`;
    }
    case "count":
      return String(v);
  }
}

/** One summary value as shown to people, with its unit (`quote`: the money unit). */
export function formatSummaryValue(
  key: keyof RunSummaryJson,
  s: RunSummaryJson,
  quote = "",
): string {
  const v = s[key];
  if (v === null) return "n/a";
  const unit = quote === "" ? "" : ` ${quote}`;
  const kind = KINDS[key];
  switch (kind) {
    case "reasons": {
      const e = Object.entries(v as Record<string, number>);
      return e.length === 0 ? "none" : e.map(([k, n]) => `${k}=${n}`).join(", ");
    }
    case "distances": {
      const e = Object.entries(v as Record<string, number | null>);
      if (e.length === 0) return "none";
      return e.map(([k, d]) => `${k} ${d === null ? "never open" : `${fixed2(d)} %`}`).join(", ");
    }
    default:
      return formatScalar(kind, v as number | string, unit);
  }
}

/**
 * A scalar run summary value (a number, or a decimal string for money) as
 * formatSummaryValue shows it; undefined when `key` is not a scalar summary
 * key (another name, blocked_by_reason or liquidation_distance_pct).
 */
export function formatSummaryScalar(
  key: string,
  v: number | string,
  quote = "",
): string | undefined {
  if (!Object.hasOwn(KINDS, key)) return undefined;
  const kind = KINDS[key as keyof RunSummaryJson];
  if (kind === "reasons" || kind === "distances") return undefined;
  return formatScalar(kind, v, quote === "" ? "" : ` ${quote}`);
}

/** Whether `key` is a run summary key in money (net_pnl, fees, ...). */
export function isMoneySummaryKey(key: string): boolean {
  return Object.hasOwn(KINDS, key) && KINDS[key as keyof RunSummaryJson] === "money";
}

/** The keys that only a USD-M run (a margin account) fills. */
const MARGIN_KEYS: ReadonlySet<keyof RunSummaryJson> = new Set([
  "liquidations",
  "max_effective_leverage",
  "max_margin_use_pct",
  "liquidation_distance_pct",
]);

/**
 * The keys shown to people, in SUMMARY_KEYS order: the margin keys only on
 * USD-M runs (on spot the JSON keeps them, with 0, null and {}).
 */
export function shownSummaryKeys(s: RunSummaryJson): (keyof RunSummaryJson)[] {
  const usdm = s.max_effective_leverage !== null;
  return SUMMARY_KEYS.filter((k) => usdm || !MARGIN_KEYS.has(k));
}

/** The summary as [label, value] rows, in SUMMARY_KEYS order (shownSummaryKeys). */
export function summaryRows(s: RunSummaryJson, quote = ""): [string, string][] {
  return shownSummaryKeys(s).map((k) => [SUMMARY_LABELS[k], formatSummaryValue(k, s, quote)]);
}
