/**
 * Process options of `grinder live`. Flags are parsed by the one parser
 * (src/argv/args.ts); a malformed value is an error naming the flag.
 */

import {
  FlagErrors,
  type Options,
  type ParsedArgs,
  parseFlags,
  stringFlag,
} from "../../argv/args.js";
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
  metricsHost: "127.0.0.1",
  source: { kind: "binance" },
  mode: "read_only",
};

export const LIVE_USAGE = [
  "grinder live [--symbols BTCUSDT,ETHUSDT] [--duration-s N] [--metrics-port 9090]",
  "             [--metrics-host 127.0.0.1] [--source fixture:DIR|binance] [--mode read_only|paper]",
  "",
  "  --symbols       comma-separated symbols (default BTCUSDT,ETHUSDT)",
  "  --duration-s    stop after N seconds; 0 runs until SIGINT/SIGTERM (default 0)",
  "  --metrics-port  port of /healthz, /readyz and /metrics (default 9090; 0 picks a free one)",
  "  --metrics-host  address to bind (default 127.0.0.1: this host only; 0.0.0.0 for every",
  "                  interface, as in a container)",
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

/** The process flags of `grinder live`, for the one parser (src/argv/args.ts). */
export const LIVE_OPTION_SPEC = {
  symbols: { type: "string" },
  "duration-s": { type: "string" },
  "metrics-port": { type: "string" },
  "metrics-host": { type: "string" },
  source: { type: "string" },
  mode: { type: "string" },
} as const satisfies Options;

function parseHost(v: string): string {
  if (v.trim() === "") throw new InvalidInputError("--metrics-host: empty address");
  return v.trim();
}

/**
 * The process options from parsed flags, every bad value recorded in
 * `errors`; `mode` is left at its default (each caller checks it its way).
 */
export function resolveLiveOptions(args: ParsedArgs, errors: FlagErrors): LiveOptions {
  const d = DEFAULT_LIVE_OPTIONS;
  const symbols = stringFlag(args, "symbols");
  const duration = stringFlag(args, "duration-s");
  const port = stringFlag(args, "metrics-port");
  const host = stringFlag(args, "metrics-host");
  const source = stringFlag(args, "source");
  return {
    ...d,
    symbols:
      symbols === undefined ? d.symbols : errors.value(d.symbols, () => parseSymbols(symbols)),
    durationS:
      duration === undefined
        ? d.durationS
        : errors.value(d.durationS, () => parseWhole("--duration-s", duration, 365 * 24 * 3600)),
    metricsPort:
      port === undefined
        ? d.metricsPort
        : errors.value(d.metricsPort, () => parseWhole("--metrics-port", port, 65535)),
    metricsHost:
      host === undefined ? d.metricsHost : errors.value(d.metricsHost, () => parseHost(host)),
    source: source === undefined ? d.source : errors.value(d.source, () => parseSource(source)),
  };
}

/** Parse `grinder live` process arguments (without the subcommand name). */
export function parseLiveArgs(argv: readonly string[]): LiveOptions {
  const args = parseFlags(argv, LIVE_OPTION_SPEC);
  const errors = new FlagErrors();
  const base = resolveLiveOptions(args, errors);
  const mode = stringFlag(args, "mode");
  const o =
    mode === undefined ? base : { ...base, mode: errors.value(base.mode, () => parseMode(mode)) };
  errors.check();
  return o;
}

/** `fixture:DIR` or `binance`, as given on the command line. */
export function formatLiveSource(s: LiveSource): string {
  return s.kind === "fixture" ? `fixture:${s.dir}` : "binance";
}
