/**
 * LiveEngine: the live write path. Takes the actions a decision source (the
 * paper engine) wants for a snapshot and sends each through the safety gates,
 * in this order: armed -> mode LIVE_TRADE -> kill switch (CANCEL passes) ->
 * symbol whitelist -> drawdown guard -> exchange port (with retries on
 * transient errors). Nothing reaches the port unless armed.
 */

import type { RandomSource } from "../../core/backoff.js";
import type { JsonValue } from "../../core/canonical-json.js";
import type { Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { errorMessage, InvalidInputError } from "../../core/errors.js";
import type { OrderSide } from "../../domain/enums.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { realSleep } from "../../net/clock.js";
import { isCircuitOpenError } from "../../net/errors/circuit-open-error.js";
import { isConnectorError } from "../../net/errors/connector-error.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { systemRandom } from "../../net/random.js";
import { isRetryable } from "../../net/retry.js";
import { makeRetryPolicy, type RetryPolicy, retryDelayMs } from "../../net/retry-policy.js";
import { RiskIntent } from "../../risk/guards/drawdown-guard-v1.js";
import type { LiveExchangePort } from "./exchange-port.js";
import { SafeMode } from "./safe-mode.js";

export const LiveActionType = {
  PLACE: "PLACE",
  CANCEL: "CANCEL",
  REPLACE: "REPLACE",
  NOOP: "NOOP",
} as const;
export type LiveActionType = (typeof LiveActionType)[keyof typeof LiveActionType];

/**
 * One execution action (PLACE / CANCEL / REPLACE / NOOP). The execution
 * layer's ExecutionAction (null for absent fields) fits this type as is.
 */
export interface LiveExecutionAction {
  readonly actionType: LiveActionType;
  readonly orderId?: string | null;
  readonly symbol: string;
  readonly side?: OrderSide | null;
  readonly price?: Decimal | null;
  readonly quantity?: Decimal | null;
  readonly levelId: number;
  readonly reason: string;
  /** Marks a PLACE/REPLACE that only reduces exposure (classified REDUCE_RISK). */
  readonly reduceOnly?: boolean;
}

function decimalOrNull(d: Decimal | null | undefined): string | null {
  // A zero decimal prints as null, as the reference's truthiness test does.
  return d === undefined || d === null || d.isZero() ? null : d.toString();
}

export function liveExecutionActionToJson(a: LiveExecutionAction): JsonValue {
  return {
    action_type: a.actionType,
    order_id: a.orderId ?? null,
    symbol: a.symbol,
    side: a.side ?? null,
    price: decimalOrNull(a.price),
    quantity: decimalOrNull(a.quantity),
    level_id: a.levelId,
    reason: a.reason,
  };
}

type Obj = { readonly [key: string]: unknown };

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * An action from its JSON form (what the paper engine's output carries under
 * "actions"): absent or empty side/price/quantity become null, level_id
 * defaults to 0, reason and symbol to "".
 */
export function liveExecutionActionFromJson(v: unknown): LiveExecutionAction {
  if (!isObj(v))
    throw new InvalidInputError(`action: expected an object, got ${JSON.stringify(v)}`);
  const type = v.action_type;
  if (type !== "PLACE" && type !== "CANCEL" && type !== "REPLACE" && type !== "NOOP")
    throw new InvalidInputError(
      `action.action_type: expected PLACE, CANCEL, REPLACE or NOOP, got ${JSON.stringify(type)}`,
    );
  const dec = (k: string): Decimal | null => {
    const x = v[k];
    if (x === undefined || x === null || x === "") return null;
    if (typeof x !== "string")
      throw new InvalidInputError(
        `action.${k}: expected a decimal string, got ${JSON.stringify(x)}`,
      );
    return Decimal.parse(x);
  };
  const side = v.side;
  if (side !== undefined && side !== null && side !== "" && side !== "BUY" && side !== "SELL")
    throw new InvalidInputError(`action.side: expected BUY or SELL, got ${JSON.stringify(side)}`);
  const levelId = v.level_id ?? 0;
  if (typeof levelId !== "number" || !Number.isInteger(levelId))
    throw new InvalidInputError(
      `action.level_id: expected an integer, got ${JSON.stringify(levelId)}`,
    );
  return {
    actionType: type,
    orderId: typeof v.order_id === "string" ? v.order_id : null,
    symbol: typeof v.symbol === "string" ? v.symbol : "",
    side: side === "BUY" || side === "SELL" ? side : null,
    price: dec("price"),
    quantity: dec("quantity"),
    levelId,
    reason: typeof v.reason === "string" ? v.reason : "",
  };
}

/**
 * The actions of a decision-source output: `output.actions`, or
 * `output.json.actions` (the paper engine's record); elements may be action
 * objects or their JSON form.
 */
export function actionsOfOutput(output: unknown): LiveExecutionAction[] {
  let list: unknown;
  if (isObj(output)) {
    if (Array.isArray(output.actions)) list = output.actions;
    else if (isObj(output.json) && Array.isArray(output.json.actions)) list = output.json.actions;
  }
  if (!Array.isArray(list)) return [];
  return list.map((x: unknown) =>
    isObj(x) && typeof x.actionType === "string"
      ? (x as unknown as LiveExecutionAction)
      : liveExecutionActionFromJson(x),
  );
}

/** One classification of intents for the whole system (defined with the drawdown guard). */
export { RiskIntent } from "../../risk/guards/drawdown-guard-v1.js";

export const BlockReason = {
  NOT_ARMED: "NOT_ARMED",
  MODE_NOT_LIVE_TRADE: "MODE_NOT_LIVE_TRADE",
  KILL_SWITCH_ACTIVE: "KILL_SWITCH_ACTIVE",
  SYMBOL_NOT_WHITELISTED: "SYMBOL_NOT_WHITELISTED",
  DRAWDOWN_BLOCKED: "DRAWDOWN_BLOCKED",
  CIRCUIT_BREAKER_OPEN: "CIRCUIT_BREAKER_OPEN",
  MAX_RETRIES_EXCEEDED: "MAX_RETRIES_EXCEEDED",
  NON_RETRYABLE_ERROR: "NON_RETRYABLE_ERROR",
} as const;
export type BlockReason = (typeof BlockReason)[keyof typeof BlockReason];

export const LiveActionStatus = {
  EXECUTED: "EXECUTED",
  BLOCKED: "BLOCKED",
  SKIPPED: "SKIPPED",
  FAILED: "FAILED",
} as const;
export type LiveActionStatus = (typeof LiveActionStatus)[keyof typeof LiveActionStatus];

/**
 * CANCEL and NOOP -> CANCEL; PLACE and REPLACE -> INCREASE_RISK (conservative),
 * or REDUCE_RISK when the action is marked reduce-only.
 */
export function classifyIntent(action: LiveExecutionAction): RiskIntent {
  if (action.actionType === LiveActionType.CANCEL || action.actionType === LiveActionType.NOOP)
    return RiskIntent.CANCEL;
  return action.reduceOnly ? RiskIntent.REDUCE_RISK : RiskIntent.INCREASE_RISK;
}

/** The drawdown guard as seen by the engine (risk/ DrawdownGuardV1 fits). */
export interface DrawdownGate {
  allow(
    intent: RiskIntent,
    symbol?: string,
  ): { readonly allowed: boolean; readonly reason: string };
}

/** Where decisions come from (the paper engine fits). */
export interface ActionSource<O = unknown> {
  processSnapshot(snapshot: Snapshot): O;
}

export interface LiveEngineConfig {
  /** Master switch; false (default) blocks every write before the port. */
  readonly armed: boolean;
  readonly mode: SafeMode;
  /** Blocks PLACE/REPLACE, lets CANCEL through. */
  readonly killSwitchActive: boolean;
  /** Empty = all symbols. */
  readonly symbolWhitelist: readonly string[];
}

export function makeLiveEngineConfig(p: Partial<LiveEngineConfig> = {}): LiveEngineConfig {
  return Object.freeze({
    armed: false,
    mode: SafeMode.READ_ONLY,
    killSwitchActive: false,
    symbolWhitelist: [],
    ...p,
  });
}

export function isSymbolAllowed(config: LiveEngineConfig, symbol: string): boolean {
  return config.symbolWhitelist.length === 0 || config.symbolWhitelist.includes(symbol);
}

export function canWrite(config: LiveEngineConfig): boolean {
  return config.armed && config.mode === SafeMode.LIVE_TRADE;
}

export interface LiveAction {
  readonly action: LiveExecutionAction;
  readonly status: LiveActionStatus;
  readonly blockReason: BlockReason | undefined;
  readonly orderId: string | undefined;
  readonly error: string | undefined;
  readonly attempts: number;
  readonly intent: RiskIntent;
}

export function liveActionToJson(a: LiveAction): JsonValue {
  return {
    action: liveExecutionActionToJson(a.action),
    status: a.status,
    block_reason: a.blockReason ?? null,
    order_id: a.orderId ?? null,
    error: a.error ?? null,
    attempts: a.attempts,
    intent: a.intent,
  };
}

export interface LiveEngineOutput<O = unknown> {
  readonly paperOutput: O;
  readonly liveActions: readonly LiveAction[];
  readonly armed: boolean;
  readonly mode: SafeMode;
  readonly killSwitchActive: boolean;
}

export interface LiveEngineOptions<O = unknown> {
  /** Extract the actions from a source output. Default: `actionsOfOutput`. */
  readonly actionsOf?: (output: O) => readonly LiveExecutionAction[];
  readonly drawdownGuard?: DrawdownGate;
  readonly retryPolicy?: RetryPolicy;
  readonly sleep?: Sleep;
  /** Jitter source of the retry backoff (default systemRandom). */
  readonly random?: RandomSource;
}

function result(
  action: LiveExecutionAction,
  status: LiveActionStatus,
  intent: RiskIntent,
  p: { blockReason?: BlockReason; orderId?: string; error?: string; attempts?: number } = {},
): LiveAction {
  return Object.freeze({
    action,
    status,
    blockReason: p.blockReason,
    orderId: p.orderId,
    error: p.error,
    attempts: p.attempts ?? 1,
    intent,
  });
}

export class LiveEngine<O = unknown> {
  private configValue: LiveEngineConfig;
  private readonly drawdownGuard: DrawdownGate | undefined;
  private readonly retryPolicy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: RandomSource;
  private readonly actionsOf: (output: O) => readonly LiveExecutionAction[];

  constructor(
    private readonly source: ActionSource<O>,
    private readonly port: LiveExchangePort,
    config: Partial<LiveEngineConfig> = {},
    options: LiveEngineOptions<O> = {},
  ) {
    this.configValue = makeLiveEngineConfig(config);
    this.actionsOf = options.actionsOf ?? actionsOfOutput;
    this.drawdownGuard = options.drawdownGuard;
    this.retryPolicy = options.retryPolicy ?? makeRetryPolicy({ maxAttempts: 3 });
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? systemRandom;
  }

  get config(): LiveEngineConfig {
    return this.configValue;
  }

  /** Arm/disarm, switch mode, raise the kill switch. */
  updateConfig(config: Partial<LiveEngineConfig>): void {
    this.configValue = makeLiveEngineConfig({ ...this.configValue, ...config });
  }

  async processSnapshot(snapshot: Snapshot): Promise<LiveEngineOutput<O>> {
    const paperOutput = this.source.processSnapshot(snapshot);
    const liveActions = await this.processActions(this.actionsOf(paperOutput), snapshot.ts);
    return {
      paperOutput,
      liveActions,
      armed: this.configValue.armed,
      mode: this.configValue.mode,
      killSwitchActive: this.configValue.killSwitchActive,
    };
  }

  /** Gate and execute actions one by one, in order. */
  async processActions(actions: readonly LiveExecutionAction[], ts: number): Promise<LiveAction[]> {
    const out: LiveAction[] = [];
    for (const a of actions) out.push(await this.processAction(a, ts));
    return out;
  }

  private gate(action: LiveExecutionAction, intent: RiskIntent): BlockReason | undefined {
    const c = this.configValue;
    if (!c.armed) return BlockReason.NOT_ARMED;
    if (c.mode !== SafeMode.LIVE_TRADE) return BlockReason.MODE_NOT_LIVE_TRADE;
    if (c.killSwitchActive && intent !== RiskIntent.CANCEL) return BlockReason.KILL_SWITCH_ACTIVE;
    if (action.symbol && !isSymbolAllowed(c, action.symbol))
      return BlockReason.SYMBOL_NOT_WHITELISTED;
    if (this.drawdownGuard !== undefined) {
      const decision = this.drawdownGuard.allow(intent, action.symbol || undefined);
      if (!decision.allowed) return BlockReason.DRAWDOWN_BLOCKED;
    }
    return undefined;
  }

  async processAction(action: LiveExecutionAction, ts: number): Promise<LiveAction> {
    const intent = classifyIntent(action);
    const blocked = this.gate(action, intent);
    if (blocked !== undefined)
      return result(action, LiveActionStatus.BLOCKED, intent, { blockReason: blocked });
    if (action.actionType === LiveActionType.NOOP)
      return result(action, LiveActionStatus.SKIPPED, intent);
    return this.execute(action, ts, intent);
  }

  private async execute(
    action: LiveExecutionAction,
    ts: number,
    intent: RiskIntent,
  ): Promise<LiveAction> {
    const max = this.retryPolicy.maxAttempts;
    let lastError: unknown;
    for (let attempt = 1; attempt <= max; attempt++) {
      try {
        const orderId = await this.executeOnce(action, ts);
        return result(action, LiveActionStatus.EXECUTED, intent, { orderId, attempts: attempt });
      } catch (e) {
        const failed = (blockReason: BlockReason) =>
          result(action, LiveActionStatus.FAILED, intent, {
            blockReason,
            error: errorMessage(e),
            attempts: attempt,
          });
        if (isConnectorNonRetryableError(e)) return failed(BlockReason.NON_RETRYABLE_ERROR);
        if (isCircuitOpenError(e)) return failed(BlockReason.CIRCUIT_BREAKER_OPEN);
        if (!isConnectorError(e)) throw e;
        if (!isConnectorTransientError(e) && !isRetryable(e, this.retryPolicy))
          return failed(BlockReason.NON_RETRYABLE_ERROR);
        lastError = e;
        // The reference computes the delay with the 1-based attempt number.
        // A server's Retry-After is a floor.
        if (attempt < max) {
          const retryAfterMs = isConnectorIOError(e) ? e.retryAfterMs : undefined;
          await this.sleep(retryDelayMs(this.retryPolicy, attempt, this.random, retryAfterMs));
        }
      }
    }
    return result(action, LiveActionStatus.FAILED, intent, {
      blockReason: BlockReason.MAX_RETRIES_EXCEEDED,
      error: lastError === undefined ? "Unknown error" : errorMessage(lastError),
      attempts: max,
    });
  }

  private async executeOnce(action: LiveExecutionAction, ts: number): Promise<string | undefined> {
    switch (action.actionType) {
      case LiveActionType.PLACE: {
        const { side, price, quantity } = action;
        if (side == null || price == null || quantity == null)
          throw new Error("PLACE requires side, price and quantity");
        return this.port.placeOrder({
          symbol: action.symbol,
          side,
          price,
          quantity,
          levelId: action.levelId,
          ts,
        });
      }
      case LiveActionType.CANCEL: {
        const orderId = action.orderId;
        if (orderId == null) throw new Error("CANCEL requires order_id");
        const ok = await this.port.cancelOrder({ orderId });
        return ok ? orderId : undefined;
      }
      case LiveActionType.REPLACE: {
        const { orderId, price, quantity } = action;
        if (orderId == null || price == null || quantity == null)
          throw new Error("REPLACE requires order_id, price and quantity");
        return this.port.replaceOrder({ orderId, newPrice: price, newQuantity: quantity, ts });
      }
      case LiveActionType.NOOP:
        return undefined;
    }
  }
}
