/**
 * Options of `grinder live`. Flags take `--flag value` or `--flag=value`; an
 * unknown flag, a missing value or a malformed one is an error naming the flag.
 */

import { InvalidInputError } from "../../core/errors.js";

export type LiveSource =
  | { readonly kind: "fixture"; readonly dir: string }
  | { readonly kind: "binance" };

export const LIVE_MODES = ["read_only", "paper", "live_trade"] as const;
export type LiveMode = (typeof LIVE_MODES)[number];

export interface LiveOptions {
  readonly symbols: readonly string[];
  /** Seconds to run; 0 runs until SIGINT/SIGTERM. */
  readonly durationS: number;
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly source: LiveSource;
  readonly mode: LiveMode;
}

export const DEFAULT_LIVE_OPTIONS: LiveOptions = {
  symbols: ["BTCUSDT", "ETHUSDT"],
  durationS: 0,
  metricsPort: 9090,
  metricsHost: "0.0.0.0",
  source: { kind: "binance" },
  mode: "read_only",
};

/** Every flag `grinder live` accepts. */
export const LIVE_FLAGS = [
  "--symbols",
  "--duration-s",
  "--metrics-port",
  "--metrics-host",
  "--source",
  "--mode",
] as const;

export const LIVE_USAGE = [
  "grinder live [--symbols BTCUSDT,ETHUSDT] [--duration-s N] [--metrics-port 9090]",
  "             [--metrics-host 0.0.0.0] [--source fixture:DIR|binance] [--mode read_only|paper]",
  "",
  "  --symbols       comma-separated symbols (default BTCUSDT,ETHUSDT)",
  "  --duration-s    stop after N seconds; 0 runs until SIGINT/SIGTERM (default 0)",
  "  --metrics-port  port of /healthz, /readyz and /metrics (default 9090; 0 picks a free one)",
  "  --metrics-host  address to bind (default 0.0.0.0)",
  "  --source        market data: fixture:DIR (recorded events) or binance (default binance)",
  "  --mode          read_only (no orders) or paper (simulated orders) (default read_only)",
  "",
  "Environment: GRINDER_HA_ENABLED, GRINDER_REDIS_URL, GRINDER_HA_LOCK_TTL_MS,",
  "             GRINDER_HA_RENEW_INTERVAL_MS, GRINDER_HA_INSTANCE_ID",
].join("\n");

function parseSymbols(v: string): string[] {
  const out: string[] = [];
  for (const raw of v.split(",")) {
    const s = raw.trim().toUpperCase();
    if (s === "") continue;
    if (!/^[A-Z0-9]{2,30}$/.test(s)) {
      throw new InvalidInputError(`--symbols: ${JSON.stringify(raw.trim())} is not a symbol`);
    }
    if (!out.includes(s)) out.push(s);
  }
  if (out.length === 0) throw new InvalidInputError("--symbols: at least one symbol is needed");
  return out;
}

function parseWhole(flag: string, v: string, max: number): number {
  if (!/^[0-9]+$/.test(v))
    throw new InvalidInputError(`${flag}: expected a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n > max) {
    throw new InvalidInputError(`${flag}: must be between 0 and ${max}, got ${v}`);
  }
  return n;
}

function parseSource(v: string): LiveSource {
  if (v === "binance") return { kind: "binance" };
  if (v.startsWith("fixture:")) {
    const dir = v.slice("fixture:".length);
    if (dir === "") throw new InvalidInputError("--source: fixture:DIR needs a directory");
    return { kind: "fixture", dir };
  }
  throw new InvalidInputError(
    `--source: expected fixture:DIR or binance, got ${JSON.stringify(v)}`,
  );
}

function parseMode(v: string): LiveMode {
  const m = LIVE_MODES.find((x) => x === v);
  if (m === undefined) {
    throw new InvalidInputError(
      `--mode: expected ${LIVE_MODES.join(" or ")}, got ${JSON.stringify(v)}`,
    );
  }
  return m;
}

/** Parse `grinder live` arguments (without the subcommand name). */
export function parseLiveArgs(argv: readonly string[]): LiveOptions {
  let o: LiveOptions = DEFAULT_LIVE_OPTIONS;
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--"))
      throw new InvalidInputError(`unexpected argument ${JSON.stringify(arg)}`);
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!(LIVE_FLAGS as readonly string[]).includes(flag)) {
      throw new InvalidInputError(`unknown option ${flag} (options: ${LIVE_FLAGS.join(", ")})`);
    }
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw new InvalidInputError(`${flag}: missing value`);
      value = next;
      i++;
    }
    if (seen.has(flag)) throw new InvalidInputError(`${flag}: given twice`);
    seen.add(flag);
    switch (flag) {
      case "--symbols":
        o = { ...o, symbols: parseSymbols(value) };
        break;
      case "--duration-s":
        o = { ...o, durationS: parseWhole(flag, value, 365 * 24 * 3600) };
        break;
      case "--metrics-port":
        o = { ...o, metricsPort: parseWhole(flag, value, 65535) };
        break;
      case "--metrics-host":
        if (value.trim() === "") throw new InvalidInputError("--metrics-host: empty address");
        o = { ...o, metricsHost: value.trim() };
        break;
      case "--source":
        o = { ...o, source: parseSource(value) };
        break;
      default:
        o = { ...o, mode: parseMode(value) };
    }
  }
  return o;
}

/** `fixture:DIR` or `binance`, as given on the command line. */
export function formatLiveSource(s: LiveSource): string {
  return s.kind === "fixture" ? `fixture:${s.dir}` : "binance";
}
