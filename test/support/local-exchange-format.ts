/**
 * What the local exchanges (test/support/local-*-exchange.ts and the spot
 * WebSocket API) print the same way: Binance's error bodies, decimals with 8
 * places (spot) or plain (USD-M), and the step check of the filters.
 */

import { Decimal } from "../../src/core/decimal.js";

export const D = (s: string): Decimal => Decimal.parse(s);

/** Binance prints decimals with 8 places. */
export function fmt8(d: Decimal | string): string {
  const v = typeof d === "string" ? D(d) : d;
  return v.quantize(8, "ROUND_HALF_EVEN").toPlainString();
}

/** Binance USD-M prints amounts as plain decimals; we keep 8 places at most, trailing zeros cut. */
export function plainDecimal(d: Decimal): string {
  const s = d.quantize(8, "ROUND_HALF_EVEN").toPlainString();
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

/** Whether `v` is a whole number of `step`s (any value is, on a zero step). */
export function multipleOf(v: Decimal, step: Decimal): boolean {
  if (step.isZero()) return true;
  const q = v.div(step);
  return q.eq(q.quantize(0, "ROUND_DOWN"));
}

/** A Binance error body. */
export interface BinanceError {
  readonly code: number;
  readonly msg: string;
}

export const BINANCE_ERRORS = {
  apiKeyFormat: { code: -2014, msg: "API-key format invalid." },
  badApiKey: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
  badSignature: { code: -1022, msg: "Signature for this request is not valid." },
  badTimestamp: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
  badSymbol: { code: -1121, msg: "Invalid symbol." },
  duplicate: { code: -2010, msg: "Duplicate order sent." },
  unknownOrder: { code: -2011, msg: "Unknown order sent." },
  noSuchOrder: { code: -2013, msg: "Order does not exist." },
  filter: (name: string) => ({ code: -1013, msg: `Filter failure: ${name}` }),
  mandatory: (p: string) => ({
    code: -1102,
    msg: `Mandatory parameter '${p}' was not sent, was empty/null, or malformed.`,
  }),
  tooMany: {
    code: -1003,
    msg: "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.",
  },
  banned: (until: number) => ({
    code: -1003,
    msg: `Way too many requests; IP(127.0.0.1) banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
  }),
  serverError: { code: -1000, msg: "An unknown error occurred while processing the request." },
} as const;

/** USD-M's errors: the spot ones, with USD-M's own duplicate, reduce-only and listenKey errors. */
export const USDM_ERRORS = {
  ...BINANCE_ERRORS,
  duplicate: { code: -4116, msg: "ClientOrderId is duplicated." },
  reduceOnly: { code: -2022, msg: "ReduceOnly Order is rejected." },
  noListenKey: { code: -1125, msg: "This listenKey does not exist." },
} as const;
