/**
 * Wiring of a simulated run: the kernel (with the smart-grid stages its
 * options enable) and the venue its profile calls for: the reference venue
 * (the reference engine's fills) or the simulated venue with its models.
 */

import { Decimal } from "../core/decimal.js";
import {
  assetsOf,
  type FundingRateEvent,
  type InstrumentSpec,
  type LeverageBracket,
} from "../domain/instrument.js";
import type { MarkPriceFeed } from "../domain/mark-price.js";
import type { SimulationVenue } from "../domain/venue.js";
import type { EngineOptions, FillModel } from "../kernel/kernel-options.js";
import { SimulatedTrading } from "../kernel/simulated-trading.js";
import { createSmartGridHooks } from "../kernel/smart-grid.js";
import { TradingKernel } from "../kernel/trading-kernel.js";
import { ReferenceVenue } from "../venues/reference/reference-venue.js";
import { FeeModel, type FeeRates, REGULAR_RATES } from "../venues/simulated/fee-model.js";
import { ConstantFunding, RecordedFunding } from "../venues/simulated/funding-schedule.js";
import { ConstantLatency } from "../venues/simulated/latency-model.js";
import {
  flatMaintenance,
  type MaintenanceModel,
  MarginAccount,
} from "../venues/simulated/margin-account.js";
import { type SimulatedFillModel, SimulatedVenue } from "../venues/simulated/simulated-venue.js";

/** What the data is made of, for the `auto` fill model. */
export type DataShape = "quotes" | "trades";

export interface SimulationSetup {
  /** Exchange filters by symbol (an exchangeInfo file). */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
  /** quotes (snapshots, bookTicker, klines) or trades (trades, aggTrades); default quotes. */
  readonly data?: DataShape;
  /** USD-M: recorded funding rates (else `funding_rate` every `funding_interval_hours`). */
  readonly fundingRates?: ReadonlyMap<string, readonly FundingRateEvent[]>;
  /** USD-M: leverage brackets (else a flat `maintenance_margin_rate`). */
  readonly leverageBrackets?: ReadonlyMap<string, readonly LeverageBracket[]>;
  /** USD-M: the mark price (else the mid of the quotes). */
  readonly markPrices?: MarkPriceFeed;
}

/** Maintenance margin by the symbol's bracket when known, else the flat rate. */
export function maintenanceModel(
  o: EngineOptions,
  brackets?: ReadonlyMap<string, readonly LeverageBracket[]>,
): MaintenanceModel {
  const flat = flatMaintenance(o.maintenance_margin_rate);
  if (brackets === undefined) return flat;
  return (symbol, notional) => {
    const list = brackets.get(symbol);
    const b = list?.find((x) => !notional.lt(x.notionalFloor) && notional.lt(x.notionalCap));
    return b === undefined ? flat(symbol, notional) : { rate: b.maintMarginRatio, cum: b.cum };
  };
}

/** The USD-M margin account of the simulated venue for `o` (none on spot). */
export function marginAccountOf(
  o: EngineOptions,
  setup: SimulationSetup,
): MarginAccount | undefined {
  if (o.market !== "um") return undefined;
  return new MarginAccount({
    capital: o.initial_capital,
    maintenance: maintenanceModel(o, setup.leverageBrackets),
    liquidationFeeRate: o.liquidation_fee_rate,
    leverage: Decimal.fromInt(o.leverage),
    funding:
      setup.fundingRates !== undefined
        ? new RecordedFunding(setup.fundingRates)
        : new ConstantFunding(o.funding_rate, o.funding_interval_hours),
  });
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
export function createSimulatedVenue(
  o: EngineOptions,
  setup: SimulationSetup = {},
): SimulatedVenue {
  const account = marginAccountOf(o, setup);
  return new SimulatedVenue({
    fillModel: resolveFillModel(o.fill_model, setup.data),
    latency: new ConstantLatency(o.order_latency_ms, o.cancel_latency_ms),
    fees: feeModelOf(o),
    l1QtyLimitsFills: o.l1_qty_limits_fills,
    feeAsset: (symbol) => assetsOf(symbol).quote || "QUOTE",
    ...(account !== undefined ? { account } : {}),
    ...(account !== undefined && setup.markPrices !== undefined
      ? { markPrices: setup.markPrices }
      : {}),
  });
}

/** The venue the options' profile calls for. */
export function createVenue(o: EngineOptions, setup: SimulationSetup = {}): SimulationVenue {
  return o.profile === "realistic" ? createSimulatedVenue(o, setup) : createReferenceVenue(o);
}

/** Kernel and simulation venue for `o`. */
export function createSimulation(o: EngineOptions, setup: SimulationSetup = {}): SimulatedTrading {
  return new SimulatedTrading(createKernel(o, setup.instruments), createVenue(o, setup));
}
