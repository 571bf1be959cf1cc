/**
 * Binance endpoints and the mainnet guard. Defaults are the testnets; a URL
 * can be overridden by an option or by GRINDER_BINANCE_REST_URL /
 * GRINDER_BINANCE_WS_URL, and the guard checks the URL that is finally used.
 */

import { ConfigError } from "../../core/errors.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";

/** Spot or USD-M futures. */
export type BinanceMarket = "spot" | "usdm";

export const BINANCE_SPOT_TESTNET_REST_URL = "https://testnet.binance.vision";
export const BINANCE_USDM_TESTNET_REST_URL = "https://testnet.binancefuture.com";
export const BINANCE_SPOT_TESTNET_WS_URL = "wss://stream.testnet.binance.vision/stream";
export const BINANCE_USDM_TESTNET_WS_URL = "wss://fstream.binancefuture.com/stream";

/** Spot WebSocket API (requests and the user data stream). */
export const BINANCE_SPOT_TESTNET_WS_API_URL = "wss://ws-api.testnet.binance.vision/ws-api/v3";

export const ENV_REST_URL = "GRINDER_BINANCE_REST_URL";
export const ENV_WS_API_URL = "GRINDER_BINANCE_WS_API_URL";
export const ENV_WS_URL = "GRINDER_BINANCE_WS_URL";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Hosts grinder may trade on: the spot and USD-M testnets and Binance's demo
 * trading (REST, WebSocket API, streams). Anything else is refused before any
 * connection, unless it is loopback or named by the operator
 * (`--allow-host`, GRINDER_ALLOW_HOSTS: host names only); Binance production
 * hosts never are, nor is any IP literal other than loopback.
 */
export const TRADING_HOSTS: readonly string[] = [
  "testnet.binance.vision",
  "ws-api.testnet.binance.vision",
  "stream.testnet.binance.vision",
  "testnet.binancefuture.com",
  "fstream.binancefuture.com",
  "demo-api.binance.com",
  "demo-ws-api.binance.com",
  "demo-stream.binance.com",
  "demo-fapi.binance.com",
];

/** Production hosts of public market data (read-only streams, no keys). */
export const MARKET_DATA_HOSTS: readonly string[] = [
  "stream.binance.com",
  "fstream.binance.com",
  "data-stream.binance.vision",
];

/** Extra hosts the operator allows (comma-separated). */
export const ENV_ALLOW_HOSTS = "GRINDER_ALLOW_HOSTS";

/** A host name as compared: lower case, one trailing dot (a fully qualified name) dropped. */
function normalHost(host: string): string {
  const h = host.toLowerCase();
  return h.endsWith(".") && !h.endsWith("..") ? h.slice(0, -1) : h;
}

/**
 * An IP literal, as the URL parser leaves it: every IPv4 form (decimal,
 * hex, octal, fewer parts) is normalised to a dotted quad, IPv6 is bracketed.
 */
function isIpLiteral(host: string): boolean {
  return host.startsWith("[") || /^\d+\.\d+\.\d+\.\d+$/.test(host);
}

/** Loopback by the parsed host (the URL parser has already normalised IPv4 forms). */
function isLoopback(host: string): boolean {
  if (host === "localhost" || host === "[::1]") return true;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  return m !== null && m[1] === "127";
}

/** A name with an empty label ("a..b", ".a", "a.."): no real host, refused. */
function hasEmptyLabel(host: string): boolean {
  return normalHost(host)
    .split(".")
    .some((label) => label === "");
}

/** Binance production: binance.com (demo hosts excepted), binance.us, the vision data mirrors. */
function isProduction(host: string): boolean {
  const h = host.replace(/\.+$/, "");
  if (TRADING_HOSTS.includes(h)) return false;
  return (
    h === "binance.com" ||
    h.endsWith(".binance.com") ||
    h === "binance.us" ||
    h.endsWith(".binance.us") ||
    h === "data-api.binance.vision" ||
    h === "data-stream.binance.vision"
  );
}

/**
 * One host the operator allows (`--allow-host`, GRINDER_ALLOW_HOSTS), checked:
 * a DNS name only (no scheme, port, path or user), never an IP literal (loopback
 * needs no naming) and never a Binance production host. `where` names the source.
 */
export function checkAllowedHost(entry: string, where: string): string {
  const raw = entry.trim();
  let parsed: string;
  try {
    parsed = new URL(`http://${raw}/`).hostname;
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(raw)} is not a host name`);
  }
  const host = normalHost(parsed);
  if (isIpLiteral(host))
    throw new ConfigError(
      `${where}: ${JSON.stringify(raw)} is an IP address; only host names may be allowed ` +
        "(loopback is always allowed)",
    );
  if (raw === "" || parsed !== raw.toLowerCase())
    throw new ConfigError(
      `${where}: ${JSON.stringify(raw)} is not a bare host name (no scheme, port, path or user)`,
    );
  if (isProduction(host))
    throw new ConfigError(
      `${where}: ${JSON.stringify(raw)} is a Binance production host, which is never allowed`,
    );
  if (hasEmptyLabel(host))
    throw new ConfigError(`${where}: ${JSON.stringify(raw)} has an empty label`);
  return host;
}

/** The operator's extra hosts, from GRINDER_ALLOW_HOSTS (each checked by `checkAllowedHost`). */
export function allowedExtraHosts(env: Env): string[] {
  return (env[ENV_ALLOW_HOSTS] ?? "")
    .split(",")
    .filter((h) => h.trim() !== "")
    .map((h) => checkAllowedHost(h, ENV_ALLOW_HOSTS));
}

/**
 * The environment with the hosts of `--allow-host` added to GRINDER_ALLOW_HOSTS
 * (each checked now, naming the flag), so every connection of the command sees both.
 */
export function withAllowedHosts(env: Env, hosts: readonly string[]): Env {
  for (const h of hosts) checkAllowedHost(h, "--allow-host");
  allowedExtraHosts(env);
  if (hosts.length === 0) return env;
  const current = (env[ENV_ALLOW_HOSTS] ?? "").trim();
  return { ...env, [ENV_ALLOW_HOSTS]: [...(current === "" ? [] : [current]), ...hosts].join(",") };
}

/** What an endpoint is for: trading (keys, orders) or public market data. */
export type EndpointUse = "trading" | "market-data";

/**
 * Throw unless `url` is a well-formed http(s)/ws(s) URL whose host is on the
 * allowlist for its use. The parsed host is checked, so userinfo, path and
 * IP-literal tricks ("https://testnet.binance.vision@api.binance.com",
 * "http://2130706433") are seen for what they are.
 */
export function assertAllowedEndpoint(
  url: string,
  what = "URL",
  use: EndpointUse = "trading",
  env: Env = {},
): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${what}: not a valid URL: ${JSON.stringify(url)}`);
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(parsed.protocol))
    throw new ConfigError(
      `${what}: unsupported scheme ${parsed.protocol} in ${JSON.stringify(url)}`,
    );
  const host = normalHost(parsed.hostname);
  if (isLoopback(host) || TRADING_HOSTS.includes(host)) return;
  if (isIpLiteral(host))
    throw new ConnectorNonRetryableError(
      `${what}: host ${parsed.hostname} is an IP address; only loopback and allowed host names may be used`,
    );
  if (hasEmptyLabel(host) && !isProduction(host))
    throw new ConnectorNonRetryableError(
      `${what}: host ${parsed.hostname} has an empty label; not a host grinder may use`,
    );
  if (use === "market-data" && MARKET_DATA_HOSTS.includes(host)) return;
  if (isProduction(host)) {
    throw new ConnectorNonRetryableError(
      `Mainnet is forbidden: ${what} host ${parsed.hostname} is a Binance production endpoint; use a testnet or demo URL`,
    );
  }
  if (allowedExtraHosts(env).includes(host)) return;
  throw new ConnectorNonRetryableError(
    `${what}: host ${parsed.hostname} is not allowed (allowed: the Binance testnet and demo hosts, loopback, and hosts named in ${ENV_ALLOW_HOSTS})`,
  );
}

function pick(option: string | undefined, env: Env, envName: string, fallback: string): string {
  if (option !== undefined && option !== "") return option;
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv.trim() !== "") return fromEnv.trim();
  return fallback;
}

/** REST base URL: option, else env GRINDER_BINANCE_REST_URL, else the market's testnet. Guarded. */
export function resolveRestUrl(market: BinanceMarket, option?: string, env: Env = {}): string {
  const url = pick(
    option,
    env,
    ENV_REST_URL,
    market === "spot" ? BINANCE_SPOT_TESTNET_REST_URL : BINANCE_USDM_TESTNET_REST_URL,
  ).replace(/\/+$/, "");
  assertAllowedEndpoint(url, "REST base URL", "trading", env);
  return url;
}

/**
 * WebSocket stream URL: option, else env GRINDER_BINANCE_WS_URL, else the
 * market's testnet. Allowlisted for trading, or with `allowMainnet` for
 * public market data (production streams allowed too).
 */
export function resolveWsUrl(
  market: BinanceMarket,
  option?: string,
  env: Env = {},
  allowMainnet = false,
): string {
  const url = pick(
    option,
    env,
    ENV_WS_URL,
    market === "spot" ? BINANCE_SPOT_TESTNET_WS_URL : BINANCE_USDM_TESTNET_WS_URL,
  );
  assertAllowedEndpoint(url, "WebSocket URL", allowMainnet ? "market-data" : "trading", env);
  return url;
}

/**
 * Spot WebSocket API URL (the account's user data stream): option, else env
 * GRINDER_BINANCE_WS_API_URL, else the spot testnet. Allowlisted for trading.
 */
export function resolveWsApiUrl(option?: string, env: Env = {}): string {
  const url = pick(option, env, ENV_WS_API_URL, BINANCE_SPOT_TESTNET_WS_API_URL);
  assertAllowedEndpoint(url, "WebSocket API URL", "trading", env);
  return url;
}

/** REST path prefix of the market ("/api/v3" or "/fapi/v1"). */
export function restApiPrefix(market: BinanceMarket): string {
  return market === "spot" ? "/api/v3" : "/fapi/v1";
}
