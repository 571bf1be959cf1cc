/**
 * Every option of `grinder live`: the process options of `live-options.ts`
 * (symbols, duration, metrics port and host, source) plus those of the
 * trading loop: mode (read_only, paper, or live_trade, which
 * `live-options.ts` does not know), engine options file, journal, state
 * directory, fixture replay speed, Binance endpoints and the live_trade
 * settings (confirmation, stray cancelling, fill polling). One parser
 * (src/argv/args.ts) reads every flag; `--cancel-strays` takes no value.
 */

import { join } from "node:path";
import { boolFlag, FlagErrors, type Options, parseFlags, stringFlag } from "../../argv/args.js";
import { InvalidInputError } from "../../core/errors.js";
import {
  LIVE_OPTION_SPEC,
  type LiveMode,
  type LiveOptions,
  resolveLiveOptions,
} from "./live-options.js";

/** Modes of `grinder live`: those of the process options, plus live_trade (real orders). */
export const LIVE_RUN_MODES = ["read_only", "paper", "live_trade"] as const;
export type LiveRunMode = (typeof LIVE_RUN_MODES)[number];

export const DEFAULT_POLL_MS = 1000;

export interface LiveRunOptions extends Omit<LiveOptions, "mode"> {
  readonly mode: LiveRunMode;
  /** Engine options file (JSON object, validated strictly). */
  readonly configPath: string | undefined;
  /** Journal file; undefined = `<stateDir>/journal-<mode>.jsonl`. */
  readonly journalPath: string | undefined;
  readonly stateDir: string;
  /** Fixture replay speed factor; 0 = as fast as possible. */
  readonly speed: number;
  /** Whether --symbols was given (a fixture source then keeps only those symbols). */
  readonly symbolsGiven: boolean;
  /** --rest-url (undefined: GRINDER_BINANCE_REST_URL, else the testnet). */
  readonly restUrl: string | undefined;
  /** --ws-url (undefined: GRINDER_BINANCE_WS_URL, else the testnet). */
  readonly wsUrl: string | undefined;
  /** --confirm TESTNET was given (live_trade needs it, with ARMED=1 and ALLOW_TESTNET_TRADE=1). */
  readonly confirmTestnet: boolean;
  /** live_trade: cancel our-prefix exchange orders the engine does not hold at start. */
  readonly cancelStrays: boolean;
  /** live_trade: how often the exchange's open orders are polled for fills, in ms. */
  readonly pollMs: number;
  /** live_trade: the account's user data stream (WebSocket API) is used (--user-stream on). */
  readonly userStream: boolean;
  /** --ws-api-url (undefined: GRINDER_BINANCE_WS_API_URL, else the spot testnet). */
  readonly wsApiUrl: string | undefined;
  /** live_trade with the stream: the REST backstop's interval, in ms. */
  readonly backstopMs: number;
  /** live_trade: --exchange-info FILE (the kernel's filters; else fetched per journal). */
  readonly exchangeInfoPath: string | undefined;
}

export const DEFAULT_BACKSTOP_MS = 30_000;

export const DEFAULT_STATE_DIR = "state";

/** Every flag `grinder live` accepts: the process flags, then the trading-loop ones. */
const LIVE_RUN_SPEC = {
  ...LIVE_OPTION_SPEC,
  config: { type: "string" },
  journal: { type: "string" },
  "state-dir": { type: "string" },
  speed: { type: "string" },
  "rest-url": { type: "string" },
  "ws-url": { type: "string" },
  confirm: { type: "string" },
  "cancel-strays": { type: "boolean" },
  "poll-ms": { type: "string" },
  "user-stream": { type: "string" },
  "ws-api-url": { type: "string" },
  "backstop-ms": { type: "string" },
  "exchange-info": { type: "string" },
} as const satisfies Options;

/** Flags that only make sense with --mode live_trade. */
const LIVE_TRADE_FLAGS: readonly string[] = [
  "confirm",
  "cancel-strays",
  "poll-ms",
  "user-stream",
  "ws-api-url",
  "backstop-ms",
  "exchange-info",
];

/** Every flag `grinder live` accepts. */
export const LIVE_RUN_FLAGS: readonly string[] = Object.keys(LIVE_RUN_SPEC).map((f) => `--${f}`);

export const LIVE_RUN_USAGE = [
  "grinder live [--source fixture:DIR|binance] [--mode read_only|paper|live_trade]",
  "             [--symbols BTCUSDT,ETHUSDT] [--config FILE] [--journal FILE] [--state-dir DIR]",
  "             [--speed X] [--rest-url URL] [--ws-url URL] [--confirm TESTNET] [--cancel-strays]",
  "             [--poll-ms 1000] [--user-stream on|off] [--ws-api-url URL] [--backstop-ms 30000]",
  "             [--exchange-info FILE] [--duration-s N] [--metrics-port 9090] [--metrics-host 0.0.0.0]",
  "",
  "  --source        market data: fixture:DIR (a fixture replayed in real time) or binance",
  "                  (bookTicker WebSocket, testnet unless --ws-url / GRINDER_BINANCE_WS_URL)",
  "                  (default binance)",
  "  --mode          read_only (decisions journaled, nothing placed), paper (simulated orders",
  "                  and fills) or live_trade (real orders on the Binance testnet REST API; needs",
  "                  --confirm TESTNET, ARMED=1, ALLOW_TESTNET_TRADE=1, BINANCE_API_KEY and",
  "                  BINANCE_API_SECRET) (default read_only)",
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
  "  --rest-url      Binance REST base URL (default GRINDER_BINANCE_REST_URL, else the spot",
  "                  testnet); production hosts are refused",
  "  --ws-url        Binance WebSocket URL (default GRINDER_BINANCE_WS_URL, else the spot",
  "                  testnet); production hosts are refused",
  "  --confirm       TESTNET: confirms that live_trade may place real (testnet) orders",
  "  --cancel-strays live_trade: at start, cancel exchange orders with our client-id prefix",
  "                  that the engine does not hold (default: report them)",
  "  --poll-ms       live_trade: how often the exchange is synced: pushed order updates applied,",
  "                  and without the user data stream open orders checked for fills (default 1000)",
  "  --user-stream   live_trade: on (default): order updates pushed by the account's user data",
  "                  stream (WebSocket API), REST as a backstop; off: REST polling only",
  "  --ws-api-url    live_trade: Binance WebSocket API URL (default GRINDER_BINANCE_WS_API_URL,",
  "                  else wss://ws-api.testnet.binance.vision/ws-api/v3); production refused",
  "  --backstop-ms   live_trade with the stream: REST check of open orders and trades every N ms",
  "                  and after every (re)connect (default 30000)",
  "  --exchange-info live_trade: exchange filters the engine rounds with (a Binance exchangeInfo",
  "                  reply); default: fetched when a journal starts, kept as",
  "                  <journal>.exchange-info.json for every later run of it",
  "  --duration-s    stop after N seconds; 0 runs until SIGINT/SIGTERM or the end of a fixture",
  "                  (default 0)",
  "  --metrics-port  port of /healthz, /readyz and /metrics (default 9090; 0 picks a free one)",
  "  --metrics-host  address to bind (default 0.0.0.0)",
  "",
  "Environment: GRINDER_HA_ENABLED, GRINDER_REDIS_URL, GRINDER_HA_LOCK_TTL_MS,",
  "             GRINDER_HA_RENEW_INTERVAL_MS, GRINDER_HA_INSTANCE_ID, GRINDER_BINANCE_WS_URL,",
  "             GRINDER_BINANCE_REST_URL, GRINDER_BINANCE_WS_API_URL; live_trade: ARMED, ALLOW_TESTNET_TRADE,",
  "             BINANCE_API_KEY, BINANCE_API_SECRET (never printed)",
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

function parseMode(v: string): LiveRunMode {
  const m = LIVE_RUN_MODES.find((x) => x === v);
  if (m === undefined)
    throw new InvalidInputError(
      `--mode: expected read_only, paper or live_trade, got ${JSON.stringify(v)}`,
    );
  return m;
}

function parsePollMs(v: string): number {
  if (!/^[0-9]+$/.test(v))
    throw new InvalidInputError(
      `--poll-ms: expected a whole number of ms, got ${JSON.stringify(v)}`,
    );
  const n = Number(v);
  if (n < 10 || n > 3_600_000)
    throw new InvalidInputError(`--poll-ms: must be between 10 and 3600000, got ${v}`);
  return n;
}

function parseBackstopMs(v: string): number {
  if (!/^[0-9]+$/.test(v))
    throw new InvalidInputError(
      `--backstop-ms: expected a whole number of ms, got ${JSON.stringify(v)}`,
    );
  const n = Number(v);
  if (n < 100 || n > 3_600_000)
    throw new InvalidInputError(`--backstop-ms: must be between 100 and 3600000, got ${v}`);
  return n;
}

function parseOnOff(flag: string, v: string): boolean {
  if (v === "on") return true;
  if (v === "off") return false;
  throw new InvalidInputError(`--${flag}: expected on or off, got ${JSON.stringify(v)}`);
}

/** Parse `grinder live` arguments (without the subcommand name); every bad flag at once. */
export function parseLiveRunArgs(argv: readonly string[]): LiveRunOptions {
  const args = parseFlags(argv, LIVE_RUN_SPEC);
  const errors = new FlagErrors();
  const base = resolveLiveOptions(args, errors);
  const flag = (name: string): string | undefined => stringFlag(args, name);
  const text = (name: string): string | undefined => {
    const v = flag(name);
    return v === undefined ? undefined : errors.value(v, () => nonEmpty(`--${name}`, v));
  };
  const mode = flag("mode");
  const speed = flag("speed");
  const confirm = flag("confirm");
  const pollMs = flag("poll-ms");
  const userStream = flag("user-stream");
  const backstopMs = flag("backstop-ms");
  const o: LiveRunOptions = {
    ...base,
    mode: mode === undefined ? base.mode : errors.value(base.mode, () => parseMode(mode)),
    configPath: text("config"),
    journalPath: text("journal"),
    stateDir: text("state-dir") ?? DEFAULT_STATE_DIR,
    speed: speed === undefined ? 1 : errors.value(1, () => parseSpeed(speed)),
    symbolsGiven: args.values.symbols !== undefined,
    restUrl: text("rest-url")?.trim(),
    wsUrl: text("ws-url")?.trim(),
    confirmTestnet: confirm !== undefined,
    cancelStrays: boolFlag(args, "cancel-strays"),
    pollMs: pollMs === undefined ? DEFAULT_POLL_MS : errors.value(0, () => parsePollMs(pollMs)),
    userStream:
      userStream === undefined
        ? true
        : errors.value(true, () => parseOnOff("user-stream", userStream)),
    wsApiUrl: text("ws-api-url")?.trim(),
    exchangeInfoPath: text("exchange-info"),
    backstopMs:
      backstopMs === undefined
        ? DEFAULT_BACKSTOP_MS
        : errors.value(0, () => parseBackstopMs(backstopMs)),
  };
  if (confirm !== undefined && confirm !== "TESTNET")
    errors.add(
      `--confirm: expected TESTNET (the only venue live_trade may trade), got ${JSON.stringify(confirm)}`,
    );
  if (o.mode !== "live_trade")
    for (const f of LIVE_TRADE_FLAGS)
      if (args.values[f] !== undefined) errors.add(`--${f}: only with --mode live_trade`);
  errors.check();
  return o;
}

/** Where the journal of a run goes. */
export function liveJournalPath(o: {
  readonly journalPath: string | undefined;
  readonly stateDir: string;
  readonly mode: LiveRunMode;
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
    restUrl: undefined,
    wsUrl: undefined,
    confirmTestnet: false,
    cancelStrays: false,
    pollMs: DEFAULT_POLL_MS,
    userStream: true,
    wsApiUrl: undefined,
    backstopMs: DEFAULT_BACKSTOP_MS,
    exchangeInfoPath: undefined,
  };
}

/**
 * The process options as `live-options.ts` types them, for the trading-loop
 * context. That type has no live_trade mode yet: a live_trade run shows as
 * "paper" there (both execute orders; the trading loop reads its real mode
 * from its own configuration).
 */
export function processOptionsOf(o: LiveRunOptions): LiveOptions {
  const mode: LiveMode = o.mode === "live_trade" ? "paper" : o.mode;
  return {
    symbols: o.symbols,
    durationS: o.durationS,
    metricsPort: o.metricsPort,
    metricsHost: o.metricsHost,
    source: o.source,
    mode,
  };
}
