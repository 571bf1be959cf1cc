/** The mode a live run's configuration asks for (see `live-mode.ts`). */

import type { EngineOptions } from "../../kernel/kernel-options.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import { createTradeVenue } from "./create-trade-venue.js";
import type { LiveLoopConfig, LiveLoopDeps } from "./live-loop-config.js";
import type { LiveMode } from "./live-mode.js";
import { PaperMode } from "./live-mode-paper.js";
import { ReadOnlyMode } from "./live-mode-read-only.js";
import { LiveTradeMode } from "./live-mode-trade.js";

/**
 * paper, read_only, or live_trade with its venue (`create-trade-venue.ts`:
 * BinanceSpotVenue, or BinanceUsdmVenue with market um, unless `deps.venue`
 * gives one; refuses, ConfigError, when live_trade is not armed).
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
  const venue = createTradeVenue(config, deps, engineOptions, connectorMetrics, log);
  const trade = new LiveTradeMode({
    engineOptions,
    venue,
    cancelStrays: config.trade?.cancelStrays ?? false,
    ...(config.trade?.instruments !== undefined ? { instruments: config.trade.instruments } : {}),
    log,
  });
  return { mode: trade, trade };
}
