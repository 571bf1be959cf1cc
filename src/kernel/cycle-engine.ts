/**
 * Grid cycling: every fill asks for a take-profit on the other side one step
 * away, and, when adds are allowed, a replenishment on the same side one
 * offset further out so the grid keeps its depth.
 *
 * BUY at p  -> TP SELL at p * (1 + step),  REPLENISH BUY  at p * (1 - offset)
 * SELL at p -> TP BUY  at p * (1 - step),  REPLENISH SELL at p * (1 + offset)
 *
 * Prices and quantities are cut (ROUND_DOWN) to the configured decimals.
 * Intent ids are `cycle_{type}_{fillOrderId}_{side}_{price}`, so the same
 * fills always give the same intents in the same order (per fill: TP first).
 */

import type { JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { OrderSide } from "../domain/enums.js";
import type { OrderFilled } from "../domain/orders.js";

export const CycleIntentType = { TP: "TP", REPLENISH: "REPLENISH" } as const;
export type CycleIntentType = (typeof CycleIntentType)[keyof typeof CycleIntentType];

export interface CycleIntent {
  readonly intentType: CycleIntentType;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly symbol: string;
  /** Order id of the fill that caused this intent. */
  readonly sourceFillId: string;
  readonly intentId: string;
}

export function cycleIntentToJson(i: CycleIntent): JsonValue {
  return {
    intent_type: i.intentType,
    side: i.side,
    price: i.price.toString(),
    quantity: i.quantity.toString(),
    symbol: i.symbol,
    source_fill_id: i.sourceFillId,
    intent_id: i.intentId,
  };
}

function str(d: Readonly<Record<string, unknown>>, key: string): string {
  const v = d[key];
  if (typeof v !== "string") {
    throw new InvalidInputError(`cycle intent field ${JSON.stringify(key)}: expected string`);
  }
  return v;
}

/** Inverse of `cycleIntentToJson`. */
export function cycleIntentFromJson(d: Readonly<Record<string, unknown>>): CycleIntent {
  const intentType = str(d, "intent_type");
  if (intentType !== CycleIntentType.TP && intentType !== CycleIntentType.REPLENISH) {
    throw new InvalidInputError(`cycle intent field "intent_type": unknown ${intentType}`);
  }
  const side = str(d, "side");
  if (side !== OrderSide.BUY && side !== OrderSide.SELL) {
    throw new InvalidInputError(`cycle intent field "side": unknown ${side}`);
  }
  return Object.freeze({
    intentType,
    side,
    price: Decimal.parse(str(d, "price")),
    quantity: Decimal.parse(str(d, "quantity")),
    symbol: str(d, "symbol"),
    sourceFillId: str(d, "source_fill_id"),
    intentId: str(d, "intent_id"),
  });
}

export interface CycleResult {
  readonly intents: readonly CycleIntent[];
  readonly fillsProcessed: number;
  readonly tpsGenerated: number;
  readonly replenishmentsGenerated: number;
}

export function cycleResultToJson(r: CycleResult): JsonValue {
  return {
    intents: r.intents.map(cycleIntentToJson),
    fills_processed: r.fillsProcessed,
    tps_generated: r.tpsGenerated,
    replenishments_generated: r.replenishmentsGenerated,
  };
}

export interface CycleEngineConfig {
  /** Take-profit distance as a fraction of the fill price (default 0.001 = 10 bps). */
  readonly stepPct: Decimal;
  /** Replenishment distance; defaults to `stepPct`. */
  readonly replenishOffsetPct: Decimal | null;
  /** Decimal places kept in prices (default 2). */
  readonly pricePrecision: number;
  /** Decimal places kept in quantities (default 3). */
  readonly quantityPrecision: number;
}

export const DEFAULT_CYCLE_ENGINE_CONFIG: CycleEngineConfig = Object.freeze({
  stepPct: Decimal.parse("0.001"),
  replenishOffsetPct: null,
  pricePrecision: 2,
  quantityPrecision: 3,
});

export class CycleEngine {
  private readonly stepPct: Decimal;
  private readonly replenishOffsetPct: Decimal;
  private readonly pricePlaces: number;
  private readonly quantityPlaces: number;

  constructor(config: Partial<CycleEngineConfig> = {}) {
    const d = DEFAULT_CYCLE_ENGINE_CONFIG;
    this.stepPct = config.stepPct ?? d.stepPct;
    this.replenishOffsetPct = config.replenishOffsetPct ?? this.stepPct;
    // A non-positive precision quantizes to whole units, as "0." does.
    this.pricePlaces = Math.max(0, config.pricePrecision ?? d.pricePrecision);
    this.quantityPlaces = Math.max(0, config.quantityPrecision ?? d.quantityPrecision);
  }

  private roundPrice(p: Decimal): Decimal {
    return p.quantize(this.pricePlaces, "ROUND_DOWN");
  }

  private roundQuantity(q: Decimal): Decimal {
    return q.quantize(this.quantityPlaces, "ROUND_DOWN");
  }

  private tpPrice(fillPrice: Decimal, fillSide: OrderSide): Decimal {
    const factor =
      fillSide === OrderSide.BUY ? Decimal.ONE.add(this.stepPct) : Decimal.ONE.sub(this.stepPct);
    return this.roundPrice(fillPrice.mul(factor));
  }

  private replenishPrice(fillPrice: Decimal, fillSide: OrderSide): Decimal {
    const factor =
      fillSide === OrderSide.BUY
        ? Decimal.ONE.sub(this.replenishOffsetPct)
        : Decimal.ONE.add(this.replenishOffsetPct);
    return this.roundPrice(fillPrice.mul(factor));
  }

  /** Intents for the fills, in fill order; replenishments only when `addsAllowed`. */
  processFills(fills: readonly OrderFilled[], addsAllowed = true): CycleResult {
    const intents: CycleIntent[] = [];
    let tps = 0;
    let replenishments = 0;
    for (const fill of fills) {
      const tpSide = fill.side === OrderSide.BUY ? OrderSide.SELL : OrderSide.BUY;
      const tpPrice = this.tpPrice(fill.price, fill.side);
      intents.push(
        Object.freeze({
          intentType: CycleIntentType.TP,
          side: tpSide,
          price: tpPrice,
          quantity: this.roundQuantity(fill.quantity),
          symbol: fill.symbol,
          sourceFillId: fill.clientOrderId,
          intentId: `cycle_TP_${fill.clientOrderId}_${tpSide}_${tpPrice.toString()}`,
        }),
      );
      tps++;

      if (addsAllowed) {
        const price = this.replenishPrice(fill.price, fill.side);
        intents.push(
          Object.freeze({
            intentType: CycleIntentType.REPLENISH,
            side: fill.side,
            price,
            quantity: this.roundQuantity(fill.quantity),
            symbol: fill.symbol,
            sourceFillId: fill.clientOrderId,
            intentId: `cycle_REPLENISH_${fill.clientOrderId}_${fill.side}_${price.toString()}`,
          }),
        );
        replenishments++;
      }
    }
    return {
      intents,
      fillsProcessed: fills.length,
      tpsGenerated: tps,
      replenishmentsGenerated: replenishments,
    };
  }

  /** The intents of one fill (one or two). */
  processSingleFill(fill: OrderFilled, addsAllowed = true): readonly CycleIntent[] {
    return this.processFills([fill], addsAllowed).intents;
  }
}
