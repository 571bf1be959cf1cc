/**
 * ReplayEngine: snapshot -> prefilter -> static grid policy -> execution
 * reconcile (no-op port), one output per snapshot. Pure: no I/O, no clock.
 */

import { canonicalJson, type JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { ConfigError } from "../core/errors.js";
import { gridPlanText, gridPlanToJson } from "../domain/grid-plan.js";
import type { Snapshot } from "../domain/snapshot.js";
import { StaticGridPolicy } from "../strategy/policy/static-grid-policy.js";
import {
  assumedVolumeFeatures,
  type FilterReason,
  type FilterResult,
  filterResultToJson,
  hardFilter,
} from "../strategy/selection/prefilter.js";
import { ExecutionEngine, ExecutionState } from "./execution-engine.js";
import { actionToJson, executionEventToJson } from "./execution-types.js";

export interface ReplayConfig {
  readonly spacingBps: number;
  readonly levels: number;
  readonly sizePerLevel: Decimal;
  readonly pricePrecision: number;
  readonly quantityPrecision: number;
}

export const REPLAY_DEFAULTS: ReplayConfig = Object.freeze({
  spacingBps: 10.0,
  levels: 5,
  sizePerLevel: Decimal.fromInt(100),
  pricePrecision: 2,
  quantityPrecision: 3,
});

/** The end of an output's text from its prefilter result on, for one symbol. */
interface OutputTail {
  readonly allowed: boolean;
  readonly reason: FilterReason;
  readonly text: string;
}

/** Symbols whose output tail is kept (a run has a few; a bound in case of many). */
const MAX_CACHED_SYMBOLS = 4096;

export class ReplayEngine {
  private readonly policy: StaticGridPolicy;
  private readonly execution: ExecutionEngine;
  private readonly states = new Map<string, ExecutionState>();
  /** Per symbol, its last prefilter result and the output text from it to the ts value. */
  private readonly tails = new Map<string, OutputTail>();

  constructor(cfg: ReplayConfig = REPLAY_DEFAULTS) {
    if (!Number.isInteger(cfg.pricePrecision) || cfg.pricePrecision < 0) {
      throw new ConfigError("price_precision must be a non-negative integer");
    }
    if (!Number.isInteger(cfg.quantityPrecision) || cfg.quantityPrecision < 0) {
      throw new ConfigError("quantity_precision must be a non-negative integer");
    }
    this.policy = new StaticGridPolicy(cfg);
    this.execution = new ExecutionEngine(cfg);
  }

  private state(symbol: string): ExecutionState {
    let s = this.states.get(symbol);
    if (s === undefined) {
      s = new ExecutionState();
      this.states.set(symbol, s);
    }
    return s;
  }

  /**
   * `,"prefilter_result":{...},"symbol":"...","ts":` for a filter result,
   * reused while a symbol's result stays the same (it usually does).
   */
  private tailText(filter: FilterResult): string {
    const last = this.tails.get(filter.symbol);
    if (last !== undefined && last.allowed === filter.allowed && last.reason === filter.reason) {
      return last.text;
    }
    const text =
      ',"prefilter_result":' +
      canonicalJson(filterResultToJson(filter)) +
      ',"symbol":' +
      canonicalJson(filter.symbol) +
      ',"ts":';
    if (last !== undefined || this.tails.size < MAX_CACHED_SYMBOLS) {
      this.tails.set(filter.symbol, { allowed: filter.allowed, reason: filter.reason, text });
    }
    return text;
  }

  /**
   * One snapshot through the pipeline; returns its output record's canonical
   * JSON text (same bytes as canonicalJson(processSnapshot(s)), built without
   * the intermediate object).
   */
  processSnapshotText(snapshot: Snapshot): string {
    const { symbol, ts } = snapshot;
    const filter = hardFilter(symbol, assumedVolumeFeatures(snapshot.spreadBps));
    const tail = this.tailText(filter) + ts + "}";
    if (!filter.allowed) return '{"actions":[],"events":[],"plan":null' + tail;
    const plan = this.policy.evaluate(snapshot.midPrice);
    const result = this.execution.evaluate(plan, symbol, this.state(symbol), ts);
    return (
      '{"actions":' +
      canonicalJson(result.actions.map(actionToJson)) +
      ',"events":' +
      canonicalJson(result.events.map(executionEventToJson)) +
      ',"plan":' +
      gridPlanText(plan) +
      tail
    );
  }

  /** One snapshot through the pipeline; returns its output record (schema v1). */
  processSnapshot(snapshot: Snapshot): JsonValue {
    const { symbol, ts } = snapshot;
    const filter = hardFilter(symbol, assumedVolumeFeatures(snapshot.spreadBps));
    if (!filter.allowed) {
      return {
        actions: [],
        events: [],
        plan: null,
        prefilter_result: filterResultToJson(filter),
        symbol,
        ts,
      };
    }
    const plan = this.policy.evaluate(snapshot.midPrice);
    const result = this.execution.evaluate(plan, symbol, this.state(symbol), ts);
    return {
      actions: result.actions.map(actionToJson),
      events: result.events.map(executionEventToJson),
      plan: gridPlanToJson(plan),
      prefilter_result: filterResultToJson(filter),
      symbol,
      ts,
    };
  }
}
