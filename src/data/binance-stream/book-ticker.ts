/**
 * Binance WebSocket message shapes: the bookTicker payload of spot
 * ({u,s,b,B,a,A}) and USD-M futures ({e:"bookTicker",u,E,T,s,b,B,a,A}), the
 * combined-stream wrapper {stream, data}, and the SUBSCRIBE reply/error.
 */

import { Decimal } from "../../core/decimal.js";
import { Snapshot } from "../../domain/snapshot.js";

export interface BookTicker {
  readonly symbol: string;
  /** Order book update id (strictly increasing per symbol), when present. */
  readonly updateId: number | undefined;
  readonly bidPrice: Decimal;
  readonly bidQty: Decimal;
  readonly askPrice: Decimal;
  readonly askQty: Decimal;
  /** Futures event time E (ms), when present. */
  readonly eventTime: number | undefined;
  /** Futures transaction time T (ms), when present. */
  readonly transactTime: number | undefined;
}

export type BinanceWsMessage =
  | {
      readonly kind: "bookTicker";
      readonly ticker: BookTicker;
      readonly stream: string | undefined;
    }
  | { readonly kind: "subscribeReply"; readonly id: unknown; readonly result: unknown }
  | {
      readonly kind: "subscribeError";
      readonly id: unknown;
      readonly code: unknown;
      readonly msg: string;
    }
  | { readonly kind: "ignored"; readonly reason: string }
  | { readonly kind: "malformed"; readonly error: string };

type Obj = Readonly<Record<string, unknown>>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function preview(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

function decimalField(o: Obj, k: string): Decimal | string {
  const v = o[k];
  if (typeof v !== "string")
    return `field ${k}: expected a decimal string, got ${JSON.stringify(v)}`;
  const d = Decimal.tryParse(v);
  return d ?? `field ${k}: not a decimal number: ${JSON.stringify(v)}`;
}

function optionalInt(o: Obj, k: string): number | undefined | string {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  return `field ${k}: expected an integer, got ${JSON.stringify(v)}`;
}

function parseBookTicker(o: Obj): BookTicker | string {
  if (typeof o.s !== "string" || o.s === "")
    return `field s: expected a symbol, got ${JSON.stringify(o.s)}`;
  const b = decimalField(o, "b");
  const bq = decimalField(o, "B");
  const a = decimalField(o, "a");
  const aq = decimalField(o, "A");
  for (const v of [b, bq, a, aq]) if (typeof v === "string") return v;
  const u = optionalInt(o, "u");
  const e = optionalInt(o, "E");
  const t = optionalInt(o, "T");
  for (const v of [u, e, t]) if (typeof v === "string") return v;
  return {
    symbol: o.s,
    updateId: u as number | undefined,
    bidPrice: b as Decimal,
    bidQty: bq as Decimal,
    askPrice: a as Decimal,
    askQty: aq as Decimal,
    eventTime: e as number | undefined,
    transactTime: t as number | undefined,
  };
}

const BOOK_TICKER_FIELDS = ["s", "b", "B", "a", "A"];

/** Classify one text frame. Never throws. */
export function parseBinanceWsMessage(text: string): BinanceWsMessage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: "malformed", error: `not JSON: ${preview(text)}` };
  }
  if (!isObj(v)) return { kind: "malformed", error: `not a JSON object: ${preview(text)}` };

  if ("id" in v && isObj(v.error)) {
    const msg = typeof v.error.msg === "string" ? v.error.msg : JSON.stringify(v.error);
    return { kind: "subscribeError", id: v.id, code: v.error.code, msg };
  }
  if ("id" in v && "result" in v) return { kind: "subscribeReply", id: v.id, result: v.result };

  let stream: string | undefined;
  let payload: Obj = v;
  if ("stream" in v || "data" in v) {
    if (typeof v.stream !== "string" || !isObj(v.data))
      return { kind: "malformed", error: `bad combined-stream wrapper: ${preview(text)}` };
    stream = v.stream;
    payload = v.data;
  }
  if (typeof payload.e === "string" && payload.e !== "bookTicker")
    return { kind: "ignored", reason: `event ${payload.e}` };
  if (!BOOK_TICKER_FIELDS.some((k) => k in payload))
    return { kind: "ignored", reason: `not a bookTicker: ${preview(text)}` };
  const ticker = parseBookTicker(payload);
  if (typeof ticker === "string")
    return { kind: "malformed", error: `${ticker}: ${preview(text)}` };
  return { kind: "bookTicker", ticker, stream };
}

const TWO = Decimal.fromInt(2);

/**
 * Snapshot of a bookTicker: last price is the mid and last quantity 0
 * (bookTicker carries no trade), as the reference connector does.
 */
export function bookTickerToSnapshot(t: BookTicker, ts: number): Snapshot {
  return new Snapshot({
    ts,
    symbol: t.symbol,
    bidPrice: t.bidPrice,
    askPrice: t.askPrice,
    bidQty: t.bidQty,
    askQty: t.askQty,
    lastPrice: t.bidPrice.add(t.askPrice).div(TWO),
    lastQty: Decimal.fromInt(0),
  });
}

/** Stream name of a symbol's bookTicker ("btcusdt@bookTicker"). */
export function bookTickerStream(symbol: string): string {
  return `${symbol.toLowerCase()}@bookTicker`;
}
