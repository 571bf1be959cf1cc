/**
 * Wiring of a simulated run: the kernel (with the smart-grid stages its
 * options enable) and the venue its options describe.
 */

import type { EngineOptions } from "../kernel/kernel-options.js";
import { SimulatedTrading } from "../kernel/simulated-trading.js";
import { createSmartGridHooks } from "../kernel/smart-grid.js";
import { TradingKernel } from "../kernel/trading-kernel.js";
import { ReferenceVenue } from "../venues/reference/reference-venue.js";

/** A fresh kernel for `o`, with its smart-grid stages. */
export function createKernel(o: EngineOptions): TradingKernel {
  return new TradingKernel(
    o,
    createSmartGridHooks(o, { regimeFromFeatures: o.fix_adaptive_regime }),
  );
}

/** The reference venue with the fill rules of `o` (fill_mode, fill_after_ticks). */
export function createReferenceVenue(o: EngineOptions): ReferenceVenue {
  return new ReferenceVenue({ fillMode: o.fill_mode, fillAfterTicks: o.fill_after_ticks });
}

/** Kernel and simulation venue for `o`. */
export function createSimulation(o: EngineOptions): SimulatedTrading {
  return new SimulatedTrading(createKernel(o), createReferenceVenue(o));
}
