/**
 * Decision-pipeline contracts: Position, PolicyContext, OrderIntent, Decision.
 * Immutable values with a JSON form in the reference's field names.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { canonicalDigest } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import type { DecisionReason, GridMode, OrderSide } from "./enums.js";
import type { Snapshot } from "./snapshot.js";

export interface Position {
  readonly symbol: string;
  /** Positive long, negative short. */
  readonly size: Decimal;
  readonly entryPrice: Decimal;
  readonly unrealizedPnl: Decimal;
}

export function positionToJson(p: Position): JsonValue {
  return {
    symbol: p.symbol,
    size: p.size.toString(),
    entry_price: p.entryPrice.toString(),
    unrealized_pnl: p.unrealizedPnl.toString(),
  };
}

export interface PolicyContext {
  readonly snapshot: Snapshot;
  readonly position: Position | null;
  readonly features: Readonly<Record<string, number>>;
  readonly dailyPnl: Decimal;
  readonly maxPositionSize: Decimal;
}

export function makePolicyContext(
  snapshot: Snapshot,
  position: Position | null,
  features: Readonly<Record<string, number>> = {},
): PolicyContext {
  return Object.freeze({
    snapshot,
    position,
    features: Object.freeze({ ...features }),
    dailyPnl: Decimal.ZERO,
    maxPositionSize: Decimal.fromInt(1000),
  });
}

export function policyContextToJson(c: PolicyContext): JsonValue {
  return {
    snapshot: c.snapshot.toDict(),
    position: c.position ? positionToJson(c.position) : null,
    features: { ...c.features },
    daily_pnl: c.dailyPnl.toString(),
    max_position_size: c.maxPositionSize.toString(),
  };
}

export interface OrderIntent {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly reason: DecisionReason;
  readonly levelId: number;
}

export function orderIntentToJson(i: OrderIntent): JsonValue {
  return {
    symbol: i.symbol,
    side: i.side,
    price: i.price.toString(),
    quantity: i.quantity.toString(),
    reason: i.reason,
    level_id: i.levelId,
  };
}

export interface Decision {
  readonly ts: number;
  readonly symbol: string;
  readonly mode: GridMode;
  readonly reason: DecisionReason;
  readonly orderIntents: readonly OrderIntent[];
  readonly cancelOrderIds: readonly string[];
  readonly policyName: string;
  readonly contextHash: string;
}

export function decisionToJson(d: Decision): JsonValue {
  return {
    ts: d.ts,
    symbol: d.symbol,
    mode: d.mode,
    reason: d.reason,
    order_intents: d.orderIntents.map(orderIntentToJson),
    cancel_order_ids: [...d.cancelOrderIds],
    policy_name: d.policyName,
    context_hash: d.contextHash,
  };
}

/** Digest of a policy context, for determinism checks of a decision. */
export function contextHash(c: PolicyContext): string {
  return canonicalDigest(policyContextToJson(c));
}
