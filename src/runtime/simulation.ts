/**
 * Wiring of a simulated run: the kernel (with the smart-grid stages its
 * options enable) and the venue its profile calls for: the reference venue
 * (the reference engine's fills) or the simulated venue with its models.
 */

import { assetsOf, type InstrumentSpec } from "../domain/instrument.js";
import type { SimulationVenue } from "../domain/venue.js";
import type { EngineOptions, FillModel } from "../kernel/kernel-options.js";
import { SimulatedTrading } from "../kernel/simulated-trading.js";
import { createSmartGridHooks } from "../kernel/smart-grid.js";
import { TradingKernel } from "../kernel/trading-kernel.js";
import { ReferenceVenue } from "../venues/reference/reference-venue.js";
import { FeeModel, type FeeRates, REGULAR_RATES } from "../venues/simulated/fee-model.js";
import { ConstantLatency } from "../venues/simulated/latency-model.js";
import { type SimulatedFillModel, SimulatedVenue } from "../venues/simulated/simulated-venue.js";

/** What the data is made of, for the `auto` fill model. */
export type DataShape = "quotes" | "trades";

export interface SimulationSetup {
  /** Exchange filters by symbol (an exchangeInfo file). */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
  /** quotes (snapshots, bookTicker, klines) or trades (trades, aggTrades); default quotes. */
  readonly data?: DataShape;
}

/** A fresh kernel for `o`, with its smart-grid stages. */
export function createKernel(
  o: EngineOptions,
  instruments?: ReadonlyMap<string, InstrumentSpec>,
): TradingKernel {
  return new TradingKernel(
    o,
    createSmartGridHooks(o, { regimeFromFeatures: o.fix_adaptive_regime }),
    instruments,
  );
}

/** The reference venue with the fill rules of `o` (fill_mode, fill_after_ticks). */
export function createReferenceVenue(o: EngineOptions): ReferenceVenue {
  return new ReferenceVenue({ fillMode: o.fill_mode, fillAfterTicks: o.fill_after_ticks });
}

/** The fill model `auto` resolves to for the data: trades fill through the queue, quotes by crossing. */
export function resolveFillModel(model: FillModel, data: DataShape = "quotes"): SimulatedFillModel {
  if (model !== "auto") return model;
  return data === "trades" ? "trade_queue" : "cross";
}

/** The market's regular fee rates, overridden by the options (and per symbol). */
export function feeModelOf(o: EngineOptions): FeeModel {
  const regular = REGULAR_RATES[o.market];
  const base: FeeRates = {
    makerBps: o.maker_fee_bps ?? regular.makerBps,
    takerBps: o.taker_fee_bps ?? regular.takerBps,
  };
  const overrides = new Map<string, FeeRates>();
  for (const [sym, ov] of Object.entries(o.symbol_overrides ?? {})) {
    if (ov.maker_fee_bps === undefined && ov.taker_fee_bps === undefined) continue;
    overrides.set(sym, {
      makerBps: ov.maker_fee_bps ?? base.makerBps,
      takerBps: ov.taker_fee_bps ?? base.takerBps,
    });
  }
  return new FeeModel(base, overrides);
}

/** The simulated venue of the realistic profile, its models set from `o`. */
export function createSimulatedVenue(o: EngineOptions, data?: DataShape): SimulatedVenue {
  return new SimulatedVenue({
    fillModel: resolveFillModel(o.fill_model, data),
    latency: new ConstantLatency(o.order_latency_ms, o.cancel_latency_ms),
    fees: feeModelOf(o),
    l1QtyLimitsFills: o.l1_qty_limits_fills,
    feeAsset: (symbol) => assetsOf(symbol).quote || "QUOTE",
  });
}

/** The venue the options' profile calls for. */
export function createVenue(o: EngineOptions, data?: DataShape): SimulationVenue {
  return o.profile === "realistic" ? createSimulatedVenue(o, data) : createReferenceVenue(o);
}

/** Kernel and simulation venue for `o`. */
export function createSimulation(o: EngineOptions, setup: SimulationSetup = {}): SimulatedTrading {
  return new SimulatedTrading(createKernel(o, setup.instruments), createVenue(o, setup.data));
}
