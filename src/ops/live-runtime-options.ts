/**
 * Every option of `grinder live`: the process options of `live-options.ts`
 * (symbols, duration, metrics port and host, source, mode) plus those of the
 * trading loop: engine options file, journal, state directory and fixture
 * replay speed. Same syntax: `--flag value` or `--flag=value`.
 */

import { join } from "node:path";
import { InvalidInputError } from "../core/errors.js";
import { LIVE_FLAGS, type LiveMode, type LiveOptions, parseLiveArgs } from "./live-options.js";

export interface LiveRunOptions extends LiveOptions {
  /** Engine options file (JSON object, validated strictly). */
  readonly configPath: string | undefined;
  /** Journal file; undefined = `<stateDir>/journal-<mode>.jsonl`. */
  readonly journalPath: string | undefined;
  readonly stateDir: string;
  /** Fixture replay speed factor; 0 = as fast as possible. */
  readonly speed: number;
  /** Whether --symbols was given (a fixture source then keeps only those symbols). */
  readonly symbolsGiven: boolean;
}

export const DEFAULT_STATE_DIR = "state";

const RUN_FLAGS = ["--config", "--journal", "--state-dir", "--speed"] as const;

/** Every flag `grinder live` accepts. */
export const LIVE_RUN_FLAGS: readonly string[] = [...LIVE_FLAGS, ...RUN_FLAGS];

export const LIVE_RUN_USAGE = [
  "grinder live [--source fixture:DIR|binance] [--mode read_only|paper] [--symbols BTCUSDT,ETHUSDT]",
  "             [--config FILE] [--journal FILE] [--state-dir DIR] [--speed X]",
  "             [--duration-s N] [--metrics-port 9090] [--metrics-host 0.0.0.0]",
  "",
  "  --source        market data: fixture:DIR (a fixture replayed in real time) or binance",
  "                  (bookTicker WebSocket, testnet unless GRINDER_BINANCE_WS_URL) (default binance)",
  "  --mode          read_only (decisions journaled, nothing placed) or paper (simulated orders",
  "                  and fills) (default read_only)",
  "  --symbols       comma-separated symbols (default BTCUSDT,ETHUSDT); with a fixture source,",
  "                  only given ones are kept (default: all of the fixture's)",
  "  --config        engine options file (JSON, as for grinder paper; unknown keys are errors);",
  "                  a fixture's config.json applies first",
  "  --journal       JSONL journal of every processed snapshot, decision, fill and PnL",
  "                  (default <state-dir>/journal-<mode>.jsonl); an instance that starts",
  "                  trading continues from it",
  "  --state-dir     directory of the default journal (default state)",
  "  --speed         fixture replay speed: 1 = real time, 10 = ten times faster,",
  "                  0 = as fast as possible (default 1)",
  "  --duration-s    stop after N seconds; 0 runs until SIGINT/SIGTERM or the end of a fixture",
  "                  (default 0)",
  "  --metrics-port  port of /healthz, /readyz and /metrics (default 9090; 0 picks a free one)",
  "  --metrics-host  address to bind (default 0.0.0.0)",
  "",
  "Environment: GRINDER_HA_ENABLED, GRINDER_REDIS_URL, GRINDER_HA_LOCK_TTL_MS,",
  "             GRINDER_HA_RENEW_INTERVAL_MS, GRINDER_HA_INSTANCE_ID, GRINDER_BINANCE_WS_URL",
].join("\n");

function nonEmpty(flag: string, v: string): string {
  if (v.trim() === "") throw new InvalidInputError(`${flag}: empty value`);
  return v;
}

function parseSpeed(v: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v))
    throw new InvalidInputError(
      `--speed: expected a number >= 0 such as 1 or 60, got ${JSON.stringify(v)}`,
    );
  const n = Number(v);
  if (!(n <= 1_000_000)) throw new InvalidInputError(`--speed: must be at most 1000000, got ${v}`);
  return n;
}

/** Parse `grinder live` arguments (without the subcommand name). */
export function parseLiveRunArgs(argv: readonly string[]): LiveRunOptions {
  const rest: string[] = [];
  const own = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      rest.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    if (!LIVE_RUN_FLAGS.includes(flag))
      throw new InvalidInputError(`unknown option ${flag} (options: ${LIVE_RUN_FLAGS.join(", ")})`);
    if (!(RUN_FLAGS as readonly string[]).includes(flag)) {
      rest.push(arg);
      const next = argv[i + 1];
      if (eq < 0 && next !== undefined && !next.startsWith("--")) {
        rest.push(next);
        i++;
      }
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--"))
        throw new InvalidInputError(`${flag}: missing value`);
      value = next;
      i++;
    }
    if (own.has(flag)) throw new InvalidInputError(`${flag}: given twice`);
    own.set(flag, value);
  }
  const base = parseLiveArgs(rest);
  const config = own.get("--config");
  const journal = own.get("--journal");
  const stateDir = own.get("--state-dir");
  const speed = own.get("--speed");
  return {
    ...base,
    configPath: config === undefined ? undefined : nonEmpty("--config", config),
    journalPath: journal === undefined ? undefined : nonEmpty("--journal", journal),
    stateDir: stateDir === undefined ? DEFAULT_STATE_DIR : nonEmpty("--state-dir", stateDir),
    speed: speed === undefined ? 1 : parseSpeed(speed),
    symbolsGiven: rest.some((a) => a === "--symbols" || a.startsWith("--symbols=")),
  };
}

/** Where the journal of a run goes. */
export function liveJournalPath(o: {
  readonly journalPath: string | undefined;
  readonly stateDir: string;
  readonly mode: LiveMode;
}): string {
  return o.journalPath ?? join(o.stateDir, `journal-${o.mode}.jsonl`);
}

/** Run options for process options parsed without the trading-loop flags (defaults). */
export function withRunDefaults(o: LiveOptions | LiveRunOptions): LiveRunOptions {
  if ("stateDir" in o) return o;
  return {
    ...o,
    configPath: undefined,
    journalPath: undefined,
    stateDir: DEFAULT_STATE_DIR,
    speed: 1,
    symbolsGiven: true,
  };
}
