/** The mode a live run's configuration asks for (see `live-mode.ts`). */

import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceSpotVenue } from "../../venues/binance/binance-spot-venue.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import type { LiveMode } from "./live-mode.js";
import { PaperMode } from "./live-mode-paper.js";
import { ReadOnlyMode } from "./live-mode-read-only.js";
import { LiveTradeMode } from "./live-mode-trade.js";

/**
 * paper, read_only, or live_trade with its venue (BinanceSpotVenue unless
 * `deps.venue` gives one; refuses, ConfigError, when live_trade is not armed).
 */
export function createLiveMode(
  config: LiveLoopConfig,
  deps: LiveLoopDeps,
  engineOptions: EngineOptions,
  connectorMetrics: ConnectorMetrics,
  log: (line: string) => void,
): { readonly mode: LiveMode; readonly trade: LiveTradeMode | undefined } {
  if (config.mode === "paper") return { mode: new PaperMode({ engineOptions }), trade: undefined };
  if (config.mode === "read_only")
    return { mode: new ReadOnlyMode({ engineOptions }), trade: undefined };
  const venue =
    deps.venue ??
    new BinanceSpotVenue({
      ...(config.restUrl !== undefined ? { restUrl: config.restUrl } : {}),
      env: config.env,
      confirmed: config.trade?.confirmed ?? false,
      ...(deps.sleep !== undefined ? { sleep: deps.sleep } : {}),
      connectorMetrics,
      log: (l) => log(`exchange: ${l}`),
      ...(config.trade?.userStream !== undefined ? { userStream: config.trade.userStream } : {}),
    });
  const trade = new LiveTradeMode({
    engineOptions,
    venue,
    cancelStrays: config.trade?.cancelStrays ?? false,
    ...(config.trade?.instruments !== undefined ? { instruments: config.trade.instruments } : {}),
    log,
  });
  return { mode: trade, trade };
}
