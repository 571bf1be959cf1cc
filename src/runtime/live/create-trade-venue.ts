/**
 * The exchange venue of a live_trade run: BinanceSpotVenue, or with
 * `--market um` BinanceUsdmVenue (leverage from the engine options, the
 * user-data stream on the WebSocket host of the resolved `--ws-url`). The
 * engine must simulate the market it trades: `--market um` needs the engine
 * option `market: "um"` (shorts, reduce-only flattening, margin) and the
 * spot venue needs `market: "spot"`; a mismatch is refused (ConfigError).
 */

import { ConfigError } from "../../core/errors.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceSpotVenue } from "../../venues/binance/binance-spot-venue.js";
import { BinanceUsdmVenue } from "../../venues/binance/binance-usdm-venue.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import type { LiveTradeVenue } from "./live-trade-venue.js";

/** `<scheme>://<host>` of a WebSocket URL: the user-data stream is `<that>/ws/<listenKey>`. */
export function userStreamBase(wsUrl: string): string {
  const u = new URL(wsUrl);
  return `${u.protocol}//${u.host}`;
}

export function createTradeVenue(
  config: LiveLoopConfig,
  deps: LiveLoopDeps,
  engineOptions: EngineOptions,
  connectorMetrics: ConnectorMetrics,
  log: (line: string) => void,
): LiveTradeVenue {
  const market = config.market ?? "spot";
  if (engineOptions.market !== market)
    throw new ConfigError(
      market === "um"
        ? `--market um trades USD-M futures, but the engine option market is "${engineOptions.market}": ` +
            'set "market": "um" (and "leverage") in the --config file'
        : `the engine option market is "${engineOptions.market}": live_trade on it needs --market um`,
    );
  if (deps.venue !== undefined) return deps.venue;
  const common = {
    ...(config.restUrl !== undefined ? { restUrl: config.restUrl } : {}),
    env: config.env,
    confirmed: config.trade?.confirmed ?? false,
    ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
    connectorMetrics,
    log: (l: string) => log(`exchange: ${l}`),
  };
  if (market === "spot")
    return new BinanceSpotVenue({
      ...common,
      ...(config.trade?.userStream !== undefined ? { userStream: config.trade.userStream } : {}),
    });
  return new BinanceUsdmVenue({
    ...common,
    leverage: engineOptions.leverage,
    ...(config.wsUrl !== undefined ? { userStreamUrl: userStreamBase(config.wsUrl) } : {}),
  });
}
