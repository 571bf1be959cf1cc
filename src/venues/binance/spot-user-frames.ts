/**
 * Frames of Binance's spot WebSocket API on a user-data subscription
 * (`userDataStream.subscribe.signature`), decoded and validated:
 *
 * - a request's response: `{"id", "status", "result": {"subscriptionId"}}`
 *   or `{"id", "status", "error": {"code", "msg"}}`;
 * - an event: `{"subscriptionId", "event": {"e": ..., ...}}`, of which
 *   `executionReport` (an order's update: NEW, TRADE, CANCELED, EXPIRED,
 *   REJECTED, ...) and `outboundAccountPosition` (balances that changed) are
 *   read; `balanceUpdate`, `listStatus` and `externalLockUpdate` are known
 *   and not needed; `eventStreamTerminated` ends the subscription.
 *
 * Anything else, or a field missing or of the wrong type, is a
 * `UserFrameError` naming the field and what was expected: never dropped
 * silently.
 */

import type { Decimal } from "../../core/decimal.js";
import { JsonFields } from "../../core/json-fields.js";
import { OrderSide } from "../../domain/enums.js";

export class UserFrameError extends Error {
  override readonly name = "UserFrameError";
}

/** One `executionReport`, the fields the venue reads. */
export interface ExecutionReport {
  readonly symbol: string;
  /** `c`: the order's client id (a cancel's own id on CANCELED, see `origClientOrderId`). */
  readonly clientOrderId: string;
  /** `C`: on a cancel, the id of the order cancelled ("" otherwise). */
  readonly origClientOrderId: string;
  readonly side: OrderSide;
  /** `x`: NEW, CANCELED, REPLACED, REJECTED, TRADE, EXPIRED, TRADE_PREVENTION. */
  readonly executionType: string;
  /** `X`: NEW, PARTIALLY_FILLED, FILLED, CANCELED, PENDING_CANCEL, REJECTED, EXPIRED, EXPIRED_IN_MATCH. */
  readonly orderStatus: string;
  /** `r`: "NONE" or why the order was rejected. */
  readonly rejectReason: string;
  readonly orderId: string;
  readonly orderQty: Decimal;
  /** `l`, `L`: the last execution's quantity and price. */
  readonly lastQty: Decimal;
  readonly lastPrice: Decimal;
  /** `z`, `Z`: executed quantity and quote quantity so far. */
  readonly cumQty: Decimal;
  readonly cumQuote: Decimal;
  /** `n`, `N`: the last execution's commission and its asset ("" when none). */
  readonly commission: Decimal;
  readonly commissionAsset: string;
  /** `t`: the trade id (-1 when the report is not a trade). */
  readonly tradeId: string;
  /** `m`: the trade was the maker side. */
  readonly isMaker: boolean;
  /** `T`: transaction time. */
  readonly time: number;
}

export interface AccountBalance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

export type UserFrame =
  | {
      readonly kind: "response";
      readonly id: string;
      readonly status: number;
      readonly subscriptionId?: number;
      readonly error?: { readonly code: number; readonly msg: string };
    }
  | {
      readonly kind: "execution";
      readonly subscriptionId: number;
      readonly report: ExecutionReport;
    }
  | {
      readonly kind: "account";
      readonly subscriptionId: number;
      readonly time: number;
      readonly balances: readonly AccountBalance[];
    }
  | { readonly kind: "terminated"; readonly subscriptionId: number }
  | { readonly kind: "ignored"; readonly subscriptionId: number; readonly eventType: string };

/** Events of the user data stream we know and do not need. */
const NOT_NEEDED = new Set(["balanceUpdate", "listStatus", "externalLockUpdate"]);

type Obj = Readonly<Record<string, unknown>>;

class Fields extends JsonFields {
  bad(key: string, expected: string): never {
    throw new UserFrameError(
      `${this.where}.${key}: expected ${expected}, got ${this.got(key).slice(0, 80)}`,
    );
  }

  /** Stream ids are JSON numbers only. */
  override id(key: string): string {
    const v = this.o[key];
    if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
    return this.bad(key, "an integer id");
  }

  obj(key: string): Fields {
    const v = this.o[key];
    if (typeof v !== "object" || v === null || Array.isArray(v)) return this.bad(key, "an object");
    return new Fields(v as Obj, `${this.where}.${key}`);
  }
}

function executionReport(f: Fields): ExecutionReport {
  const side = f.str("S");
  if (side !== OrderSide.BUY && side !== OrderSide.SELL) f.bad("S", '"BUY" or "SELL"');
  const tradeId = f.int("t");
  return {
    symbol: f.str("s"),
    clientOrderId: f.str("c"),
    origClientOrderId: f.has("C") ? f.str("C") : "",
    side: side as OrderSide,
    executionType: f.str("x"),
    orderStatus: f.str("X"),
    rejectReason: f.str("r"),
    orderId: f.id("i"),
    orderQty: f.dec("q"),
    lastQty: f.dec("l"),
    lastPrice: f.dec("L"),
    cumQty: f.dec("z"),
    cumQuote: f.dec("Z"),
    commission: f.dec("n"),
    commissionAsset: f.has("N") ? f.str("N") : "",
    tradeId: String(tradeId),
    isMaker: f.bool("m"),
    time: f.int("T"),
  };
}

function accountPosition(f: Fields): { time: number; balances: AccountBalance[] } {
  const list = f.raw("B");
  if (!Array.isArray(list)) f.bad("B", "an array of balances");
  return {
    time: f.int("u"),
    balances: (list as unknown[]).map((b, i) => {
      if (typeof b !== "object" || b === null || Array.isArray(b))
        throw new UserFrameError(`event.B[${i}]: expected an object, got ${JSON.stringify(b)}`);
      const x = new Fields(b as Obj, `event.B[${i}]`);
      return { asset: x.str("a"), free: x.dec("f"), locked: x.dec("l") };
    }),
  };
}

/** Decode one text frame of the WebSocket API (throws UserFrameError, see the file comment). */
export function decodeUserFrame(text: string): UserFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UserFrameError(`frame: expected JSON, got ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new UserFrameError(`frame: expected a JSON object, got ${text.slice(0, 80)}`);
  const f = new Fields(v as Obj, "frame");
  if (f.has("event")) {
    const subscriptionId = f.int("subscriptionId");
    const e = f.obj("event");
    const type = e.str("e");
    if (type === "executionReport")
      return { kind: "execution", subscriptionId, report: executionReport(e) };
    if (type === "outboundAccountPosition")
      return { kind: "account", subscriptionId, ...accountPosition(e) };
    if (type === "eventStreamTerminated") return { kind: "terminated", subscriptionId };
    if (NOT_NEEDED.has(type)) return { kind: "ignored", subscriptionId, eventType: type };
    return e.bad(
      "e",
      '"executionReport", "outboundAccountPosition", "eventStreamTerminated", "balanceUpdate", "listStatus" or "externalLockUpdate"',
    );
  }
  if (f.has("status")) {
    const rawId = f.raw("id");
    const id =
      typeof rawId === "string" || typeof rawId === "number"
        ? String(rawId)
        : f.bad("id", "a string or number");
    const status = f.int("status");
    if (f.has("error")) {
      const e = f.obj("error");
      return { kind: "response", id, status, error: { code: e.int("code"), msg: e.str("msg") } };
    }
    if (status !== 200) f.bad("error", `an error object with status ${status}`);
    const result = f.has("result") ? f.obj("result") : undefined;
    return {
      kind: "response",
      id,
      status,
      ...(result?.has("subscriptionId") ? { subscriptionId: result.int("subscriptionId") } : {}),
    };
  }
  throw new UserFrameError(
    `frame: expected a response ("id", "status") or an event ("subscriptionId", "event"), got ${text.slice(0, 80)}`,
  );
}
