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

export const ENV_REST_URL = "GRINDER_BINANCE_REST_URL";
export const ENV_WS_URL = "GRINDER_BINANCE_WS_URL";

export type Env = Readonly<Record<string, string | undefined>>;

/** Hosts of production (real money / production data) Binance services. */
function isMainnetHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, "");
  if (h === "binance.com" || h.endsWith(".binance.com")) return true;
  if (h === "binance.us" || h.endsWith(".binance.us")) return true;
  // Production market-data mirrors.
  if (h === "data-api.binance.vision" || h === "data-stream.binance.vision") return true;
  return false;
}

/**
 * Throw unless `url` is a well-formed http(s)/ws(s) URL whose host is not a
 * Binance production host. The check uses the parsed host, so userinfo or
 * path tricks ("https://testnet.binance.vision@api.binance.com") are caught.
 */
export function assertNotMainnet(url: string, what = "URL"): void {
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
  if (isMainnetHost(parsed.hostname))
    throw new ConnectorNonRetryableError(
      `Mainnet is forbidden: ${what} host ${parsed.hostname} is a Binance production endpoint; use a testnet URL`,
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
  assertNotMainnet(url, "REST base URL");
  return url;
}

/**
 * WebSocket stream URL: option, else env GRINDER_BINANCE_WS_URL, else the
 * market's testnet. Guarded unless `allowMainnet` (read-only market data).
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
  if (allowMainnet) {
    try {
      new URL(url);
    } catch {
      throw new ConfigError(`WebSocket URL: not a valid URL: ${JSON.stringify(url)}`);
    }
  } else assertNotMainnet(url, "WebSocket URL");
  return url;
}

/** REST path prefix of the market ("/api/v3" or "/fapi/v1"). */
export function restApiPrefix(market: BinanceMarket): string {
  return market === "spot" ? "/api/v3" : "/fapi/v1";
}
