/**
 * The per-tick output of the kernel (schema v1): its parts, its canonical
 * text (assembled from the parts' texts, each serialized once) and the digest
 * subset that a run's digest hashes. Also the JSON forms of fills.
 */

import type { JsonValue } from "../core/canonical-json.js";
import { canonicalJson } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { InvalidInputError } from "../core/errors.js";
import { OrderSide } from "../domain/enums.js";
import type { GridPlan } from "../domain/grid-plan.js";
import { gridPlanText, gridPlanToJson } from "../domain/grid-plan.js";
import { type PnlSnapshot, pnlSnapshotToJson } from "../domain/ledger.js";
import { type OrderFilled, orderFilled } from "../domain/orders.js";

/** Schema version of a paper run's result. */
export const PAPER_SCHEMA_VERSION = "v1";

/** Keys of an output that the digest covers (the rest were added later to schema v1). */
export const DIGEST_KEYS = [
  "ts",
  "symbol",
  "prefilter_result",
  "gating_result",
  "plan",
  "actions",
  "events",
  "blocked_by_gating",
  "fills",
  "pnl_snapshot",
] as const;

/** The digest subset of an output record. */
export function digestView(json: { readonly [key: string]: JsonValue }): JsonValue {
  const out: Record<string, JsonValue> = {};
  for (const k of DIGEST_KEYS) out[k] = json[k] as JsonValue;
  return out;
}

export interface OutputParts {
  readonly ts: number;
  readonly symbol: string;
  readonly prefilter: JsonValue;
  readonly gating: JsonValue;
  readonly plan?: GridPlan;
  readonly actions?: JsonValue;
  readonly events?: JsonValue;
  readonly blocked: boolean;
  readonly fills?: JsonValue;
  /** The symbol's PnL after the event (its JSON is made when first read). */
  readonly pnl: PnlSnapshot;
  readonly drawdownCheck?: JsonValue;
  readonly killSwitchTriggered?: boolean;
  readonly cycleIntents?: JsonValue;
  readonly features: JsonValue;
  readonly notInTopk?: boolean;
  readonly blockedByDdGuardV1?: boolean;
  readonly ddGuardV1Decision?: JsonValue;
}

const EMPTY: readonly JsonValue[] = Object.freeze([]);

/** A decided event's parts, before `completeTick` adds the PnL and fills. */
export type DecidedParts = Omit<OutputParts, "pnl" | "fills">;

/** What `completeTick` adds (a key given here wins over the decided parts'). */
export type OutputTail = Pick<OutputParts, "pnl" | "fills"> &
  Partial<Pick<OutputParts, "drawdownCheck" | "killSwitchTriggered" | "cycleIntents">>;

/**
 * The parts with every key present, in one order, without object spread:
 * spreading the decided parts (records of many shapes) was about 7% of an
 * active run's CPU time (V8 profile, 100k-event bench).
 */
function fixedShape(p: DecidedParts, t: OutputTail): OutputParts {
  return {
    ts: p.ts,
    symbol: p.symbol,
    prefilter: p.prefilter,
    gating: p.gating,
    plan: p.plan,
    actions: p.actions,
    events: p.events,
    blocked: p.blocked,
    fills: t.fills,
    pnl: t.pnl,
    drawdownCheck: t.drawdownCheck !== undefined ? t.drawdownCheck : p.drawdownCheck,
    killSwitchTriggered:
      t.killSwitchTriggered !== undefined ? t.killSwitchTriggered : p.killSwitchTriggered,
    cycleIntents: t.cycleIntents !== undefined ? t.cycleIntents : p.cycleIntents,
    features: p.features,
    notInTopk: p.notInTopk,
    blockedByDdGuardV1: p.blockedByDdGuardV1,
    ddGuardV1Decision: p.ddGuardV1Decision,
  };
}

/**
 * One per-tick output (schema v1). Its canonical text and the digest subset's
 * text are assembled from the parts' texts, each serialized once; the record
 * as an object is built only when asked for (`json`).
 */
export class TickOutput {
  private readonly p: OutputParts;
  /** Rank in Top-K v1 (set by the engine after processing). */
  topkV1Rank: number | null = null;
  private cachedJson: { readonly [key: string]: JsonValue } | undefined;
  private digestTexts: readonly string[] | undefined;
  private pnlJson: JsonValue | undefined;

  constructor(parts: DecidedParts, tail: OutputTail) {
    this.p = fixedShape(parts, tail);
  }

  get blockedByGating(): boolean {
    return this.p.blocked;
  }

  /** The PnL snapshot part as it appears in the record (no record built). */
  get pnlSnapshot(): JsonValue {
    if (this.pnlJson === undefined) this.pnlJson = pnlSnapshotToJson(this.p.pnl);
    return this.pnlJson;
  }

  /** The output record (keys of schema v1). */
  get json(): { readonly [key: string]: JsonValue } {
    if (this.cachedJson === undefined) {
      const p = this.p;
      this.cachedJson = {
        actions: p.actions ?? [],
        blocked_by_dd_guard_v1: p.blockedByDdGuardV1 ?? false,
        blocked_by_gating: p.blocked,
        cycle_intents: p.cycleIntents ?? [],
        dd_guard_v1_decision: p.ddGuardV1Decision ?? null,
        drawdown_check: p.drawdownCheck ?? null,
        events: p.events ?? [],
        features: p.features,
        fills: p.fills ?? [],
        gating_result: p.gating,
        kill_switch_triggered: p.killSwitchTriggered ?? false,
        not_in_topk: p.notInTopk ?? false,
        pnl_snapshot: this.pnlSnapshot,
        plan: p.plan ? gridPlanToJson(p.plan) : null,
        prefilter_result: p.prefilter,
        symbol: p.symbol,
        topk_v1_rank: this.topkV1Rank,
        ts: p.ts,
      };
    }
    return this.cachedJson;
  }

  /** Canonical texts of the digest keys' values, in sorted key order, computed once. */
  private digestValues(): readonly string[] {
    if (this.digestTexts === undefined) {
      const p = this.p;
      this.digestTexts = [
        canonicalJson(p.actions ?? EMPTY),
        String(p.blocked),
        canonicalJson(p.events ?? EMPTY),
        canonicalJson(p.fills ?? EMPTY),
        canonicalJson(p.gating),
        p.plan ? gridPlanText(p.plan) : "null",
        canonicalJson(this.pnlSnapshot),
        canonicalJson(p.prefilter),
        canonicalJson(p.symbol),
        String(p.ts),
      ];
    }
    return this.digestTexts;
  }

  /** Canonical JSON of the digest subset (what the run's digest hashes). */
  digestText(): string {
    const v = this.digestValues();
    return (
      '{"actions":' +
      v[0] +
      ',"blocked_by_gating":' +
      v[1] +
      ',"events":' +
      v[2] +
      ',"fills":' +
      v[3] +
      ',"gating_result":' +
      v[4] +
      ',"plan":' +
      v[5] +
      ',"pnl_snapshot":' +
      v[6] +
      ',"prefilter_result":' +
      v[7] +
      ',"symbol":' +
      v[8] +
      ',"ts":' +
      v[9] +
      "}"
    );
  }

  /** Canonical JSON of the whole record (keys of schema v1 in sorted order). */
  text(): string {
    if (this.cachedJson !== undefined) return canonicalJson(this.cachedJson);
    const p = this.p;
    const v = this.digestValues();
    return (
      '{"actions":' +
      v[0] +
      ',"blocked_by_dd_guard_v1":' +
      (p.blockedByDdGuardV1 ?? false) +
      ',"blocked_by_gating":' +
      v[1] +
      ',"cycle_intents":' +
      canonicalJson(p.cycleIntents ?? EMPTY) +
      ',"dd_guard_v1_decision":' +
      canonicalJson(p.ddGuardV1Decision ?? null) +
      ',"drawdown_check":' +
      canonicalJson(p.drawdownCheck ?? null) +
      ',"events":' +
      v[2] +
      ',"features":' +
      canonicalJson(p.features) +
      ',"fills":' +
      v[3] +
      ',"gating_result":' +
      v[4] +
      ',"kill_switch_triggered":' +
      (p.killSwitchTriggered ?? false) +
      ',"not_in_topk":' +
      (p.notInTopk ?? false) +
      ',"plan":' +
      v[5] +
      ',"pnl_snapshot":' +
      v[6] +
      ',"prefilter_result":' +
      v[7] +
      ',"symbol":' +
      v[8] +
      ',"topk_v1_rank":' +
      canonicalJson(this.topkV1Rank) +
      ',"ts":' +
      v[9] +
      "}"
    );
  }
}

/**
 * A fill in an output. The reference profile prints the schema v1 keys; with
 * `withFees` (the realistic profile) the fee, its asset, the liquidity and
 * the trade id are added.
 */
export function fillToJson(f: OrderFilled, withFees = false): JsonValue {
  const base: Record<string, JsonValue> = {
    ts: f.ts,
    symbol: f.symbol,
    side: f.side,
    price: f.price.toString(),
    quantity: f.quantity.toString(),
    order_id: f.clientOrderId,
  };
  if (withFees) {
    base.fee = f.fee.toString();
    base.fee_asset = f.feeAsset;
    base.liquidity = f.liquidity;
    base.trade_id = f.tradeId;
  }
  return base;
}

function requireField(d: Readonly<Record<string, unknown>>, key: string, kind: string): unknown {
  const v = d[key];
  const ok = kind === "integer" ? Number.isSafeInteger(v) : typeof v === kind;
  if (!ok) throw new InvalidInputError(`fill field ${JSON.stringify(key)}: expected ${kind}`);
  return v;
}

/** Inverse of `fillToJson` (schema v1 keys): a whole fill without fee. */
export function fillFromJson(d: Readonly<Record<string, unknown>>): OrderFilled {
  const side = d.side;
  if (side !== OrderSide.BUY && side !== OrderSide.SELL) {
    throw new InvalidInputError(
      `fill field "side": expected "BUY" or "SELL", got ${JSON.stringify(side)}`,
    );
  }
  return orderFilled({
    ts: requireField(d, "ts", "integer") as number,
    symbol: requireField(d, "symbol", "string") as string,
    side,
    price: Decimal.parse(requireField(d, "price", "string") as string),
    quantity: Decimal.parse(requireField(d, "quantity", "string") as string),
    clientOrderId: requireField(d, "order_id", "string") as string,
  });
}
