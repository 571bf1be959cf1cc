/**
 * Every option of `grinder live`: the process options of `live-options.ts`
 * (symbols, duration, metrics port and host, source) plus those of the
 * trading loop: mode (read_only, paper, or live_trade, which
 * `live-options.ts` does not know), engine options file, journal, state
 * directory, fixture replay speed, Binance endpoints and the live_trade
 * settings (confirmation, stray cancelling, fill polling). One parser
 * (src/argv/args.ts) reads every flag; `--cancel-strays` takes no value.
 */

import { basename, join } from "node:path";
import {
  boolFlag,
  FlagErrors,
  type Options,
  parseFlags,
  stringFlag,
  stringsFlag,
} from "../../argv/args.js";
import { InvalidInputError } from "../../core/errors.js";
import type { Profile } from "../../kernel/kernel-options.js";
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

/** Markets of `grinder live --market`: spot, or um (Binance USD-M perpetual futures). */
export const LIVE_MARKETS = ["spot", "um"] as const;
export type LiveMarket = (typeof LIVE_MARKETS)[number];

export interface LiveRunOptions extends Omit<LiveOptions, "mode"> {
  readonly mode: LiveRunMode;
  /** Engine options file (JSON object, validated strictly). */
  readonly configPath: string | undefined;
  /** --profile: the engine profile over the options file (default: realistic, or the file's). */
  readonly profile: Profile | undefined;
  /** Journal file; undefined = `<stateDir>/journal-<mode>-<source>-<symbols>.jsonl`. */
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
  /** --market: spot (default) or um (USD-M: futures endpoints, feed and venue). */
  readonly market: LiveMarket;
  /** --allow-host (repeatable): host names allowed besides the testnets, with GRINDER_ALLOW_HOSTS. */
  readonly allowHosts: readonly string[];
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
  profile: { type: "string" },
  journal: { type: "string" },
  "state-dir": { type: "string" },
  speed: { type: "string" },
  "rest-url": { type: "string" },
  "ws-url": { type: "string" },
  confirm: { type: "string" },
  "cancel-strays": { type: "boolean" },
  "poll-ms": { type: "string" },
  market: { type: "string" },
  "allow-host": { type: "string", multiple: true },
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
  "             [--symbols BTCUSDT,ETHUSDT] [--config FILE] [--profile realistic|reference]",
  "             [--journal FILE] [--state-dir DIR]",
  "             [--speed X] [--rest-url URL] [--ws-url URL] [--confirm TESTNET] [--cancel-strays]",
  "             [--poll-ms 1000] [--market spot|um] [--allow-host HOST [--allow-host HOST ...]]",
  "             [--user-stream on|off]",
  "             [--ws-api-url URL] [--backstop-ms 30000] [--exchange-info FILE] [--duration-s N]",
  "             [--metrics-port 9090] [--metrics-host 127.0.0.1]",
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
  "  --profile       realistic (default: simulated venue in paper, the exchange's filters,",
  "                  fees, spot balances) or reference (the reference engine); over --config",
  "  --journal       JSONL journal of every processed snapshot, decision, fill and PnL",
  "                  (default <state-dir>/journal-<mode>-<source>-<symbols>.jsonl, e.g.",
  "                  journal-paper-binance-BTCUSDT_ETHUSDT.jsonl); an instance that starts",
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
  "  --market        spot, or um: Binance USD-M perpetual futures (the futures testnet, the",
  "                  USD-M bookTicker feed; live_trade trades one-way positions with the",
  '                  engine\'s leverage, needs market: "um" in --config, refuses hedge mode)',
  "                  (default spot)",
  "  --allow-host    a host name the REST/WebSocket URLs may use besides the Binance testnet",
  "                  and demo hosts and loopback (repeatable; adds to GRINDER_ALLOW_HOSTS);",
  "                  never an IP address or a Binance production host",
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
  "  --metrics-host  address to bind (default 127.0.0.1: this host only; 0.0.0.0 for every",
  "                  interface, as in a container)",
  "",
  "Environment: GRINDER_HA_ENABLED, GRINDER_REDIS_URL, GRINDER_HA_LOCK_TTL_MS,",
  "             GRINDER_HA_RENEW_INTERVAL_MS, GRINDER_HA_INSTANCE_ID, GRINDER_BINANCE_WS_URL,",
  "             GRINDER_BINANCE_REST_URL, GRINDER_BINANCE_WS_API_URL, GRINDER_ALLOW_HOSTS;",
  "             live_trade: ARMED, ALLOW_TESTNET_TRADE, BINANCE_API_KEY, BINANCE_API_SECRET",
  "             (never printed)",
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

function parseProfile(v: string): Profile {
  if (v === "reference" || v === "realistic") return v;
  throw new InvalidInputError(
    `--profile: expected reference or realistic, got ${JSON.stringify(v)}`,
  );
}

function parseMode(v: string): LiveRunMode {
  const m = LIVE_RUN_MODES.find((x) => x === v);
  if (m === undefined)
    throw new InvalidInputError(
      `--mode: expected read_only, paper or live_trade, got ${JSON.stringify(v)}`,
    );
  return m;
}

function parseMarket(v: string): LiveMarket {
  const m = LIVE_MARKETS.find((x) => x === v);
  if (m === undefined)
    throw new InvalidInputError(`--market: expected spot or um, got ${JSON.stringify(v)}`);
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
  const market = flag("market");
  const profileFlag = flag("profile");
  const userStream = flag("user-stream");
  const backstopMs = flag("backstop-ms");
  const o: LiveRunOptions = {
    ...base,
    mode: mode === undefined ? base.mode : errors.value(base.mode, () => parseMode(mode)),
    configPath: text("config"),
    profile:
      profileFlag === undefined
        ? undefined
        : errors.value(undefined, () => parseProfile(profileFlag)),
    journalPath: text("journal"),
    stateDir: text("state-dir") ?? DEFAULT_STATE_DIR,
    speed: speed === undefined ? 1 : errors.value(1, () => parseSpeed(speed)),
    symbolsGiven: args.values.symbols !== undefined,
    restUrl: text("rest-url")?.trim(),
    wsUrl: text("ws-url")?.trim(),
    confirmTestnet: confirm !== undefined,
    cancelStrays: boolFlag(args, "cancel-strays"),
    pollMs: pollMs === undefined ? DEFAULT_POLL_MS : errors.value(0, () => parsePollMs(pollMs)),
    market: market === undefined ? "spot" : errors.value("spot", () => parseMarket(market)),
    allowHosts: stringsFlag(args, "allow-host") ?? [],
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

/** A file-name part: letters, digits, `.`, `_` and `-` kept, anything else `_`. */
function fileNamePart(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[._]+/, "");
  return clean === "" ? "_" : clean;
}

/** Longest default journal name part for the symbols (longer lists are cut and hashed). */
const MAX_SYMBOLS_PART = 80;

/** A short, stable hash of a text (FNV-1a, 8 hex digits) for names cut short. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/**
 * The default journal's file name: `journal-<mode>-<source>-<symbols>.jsonl`,
 * where the source is `binance` or `fixture-<directory name>` and the symbols
 * are joined with `_` (`all` for every symbol of a fixture), sanitised for a
 * file name. Runs of another mode, source or symbols get journals of their own.
 */
export function defaultJournalName(o: {
  readonly mode: LiveRunMode;
  readonly source: LiveOptions["source"];
  readonly symbols: readonly string[];
  readonly symbolsGiven: boolean;
}): string {
  const source =
    o.source.kind === "binance"
      ? "binance"
      : `fixture-${fileNamePart(basename(o.source.dir.replace(/[/\\]+$/, "")))}`;
  const all = o.source.kind === "fixture" && !o.symbolsGiven;
  let symbols = all ? "all" : fileNamePart(o.symbols.join("_"));
  if (symbols.length > MAX_SYMBOLS_PART)
    symbols = `${symbols.slice(0, MAX_SYMBOLS_PART)}-${shortHash(symbols)}`;
  return `journal-${o.mode}-${source}-${symbols}.jsonl`;
}

/** Where the journal of a run goes: --journal, else the default name under --state-dir. */
export function liveJournalPath(o: {
  readonly journalPath: string | undefined;
  readonly stateDir: string;
  readonly mode: LiveRunMode;
  readonly source: LiveOptions["source"];
  readonly symbols: readonly string[];
  readonly symbolsGiven: boolean;
}): string {
  return o.journalPath ?? join(o.stateDir, defaultJournalName(o));
}

/** Run options for process options parsed without the trading-loop flags (defaults). */
export function withRunDefaults(o: LiveOptions | LiveRunOptions): LiveRunOptions {
  if ("stateDir" in o) return o;
  return {
    ...o,
    configPath: undefined,
    profile: undefined,
    journalPath: undefined,
    stateDir: DEFAULT_STATE_DIR,
    speed: 1,
    symbolsGiven: true,
    restUrl: undefined,
    wsUrl: undefined,
    confirmTestnet: false,
    cancelStrays: false,
    pollMs: DEFAULT_POLL_MS,
    market: "spot",
    allowHosts: [],
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
