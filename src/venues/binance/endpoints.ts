/**
 * The Binance endpoints of a command: the REST and WebSocket base URLs come
 * from the command line (`--rest-url`, `--ws-url`), else from the
 * environment (GRINDER_BINANCE_REST_URL, GRINDER_BINANCE_WS_URL), else they
 * are the market's testnet. The mainnet guard checks the URL finally chosen,
 * and a refusal names where that URL came from.
 */

import { ConfigError, errorMessage } from "../../core/errors.js";
import {
  type BinanceMarket,
  ENV_REST_URL,
  ENV_WS_URL,
  type Env,
  resolveRestUrl,
  resolveWsUrl,
} from "./binance-urls.js";

export type EndpointSource = "flag" | "env" | "default";

export interface ResolvedEndpoint {
  readonly url: string;
  /** Where the URL came from. */
  readonly source: EndpointSource;
}

export interface BinanceEndpoints {
  readonly rest: ResolvedEndpoint;
  readonly ws: ResolvedEndpoint;
}

/** The URLs given on the command line (undefined = not given). */
export interface EndpointFlags {
  readonly restUrl?: string | undefined;
  readonly wsUrl?: string | undefined;
}

function sourceOf(flag: string | undefined, env: Env, envName: string): EndpointSource {
  if (flag !== undefined) return "flag";
  const v = env[envName];
  return v !== undefined && v.trim() !== "" ? "env" : "default";
}

function origin(source: EndpointSource, flagName: string, envName: string, env: Env): string {
  if (source === "flag") return flagName;
  if (source === "env") return `${envName}=${JSON.stringify(env[envName]?.trim() ?? "")}`;
  return "the default endpoint";
}

function schemeOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return "";
  }
}

function resolveOne(
  flag: string | undefined,
  env: Env,
  flagName: string,
  envName: string,
  schemes: readonly string[],
  resolve: (option: string | undefined) => string,
): ResolvedEndpoint {
  if (flag !== undefined && flag.trim() === "") throw new ConfigError(`${flagName}: empty value`);
  const source = sourceOf(flag, env, envName);
  let url: string;
  try {
    url = resolve(flag?.trim());
  } catch (e) {
    throw new ConfigError(`${origin(source, flagName, envName, env)}: ${errorMessage(e)}`);
  }
  const scheme = schemeOf(url);
  if (!schemes.includes(scheme))
    throw new ConfigError(
      `${origin(source, flagName, envName, env)}: expected a ${schemes.join(" or ")} URL, got ${JSON.stringify(url)}`,
    );
  return { url, source };
}

/**
 * Resolve and guard both endpoints of `market`. Throws ConfigError naming the
 * flag or variable for a malformed URL, a wrong scheme or a production host.
 */
export function resolveBinanceEndpoints(
  market: BinanceMarket,
  flags: EndpointFlags,
  env: Env,
): BinanceEndpoints {
  return {
    rest: resolveOne(flags.restUrl, env, "--rest-url", ENV_REST_URL, ["http:", "https:"], (o) =>
      resolveRestUrl(market, o, env),
    ),
    ws: resolveOne(flags.wsUrl, env, "--ws-url", ENV_WS_URL, ["ws:", "wss:"], (o) =>
      resolveWsUrl(market, o, env),
    ),
  };
}
