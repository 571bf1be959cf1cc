/**
 * Binance HTTP error replies -> connector errors. 5xx and 429 are transient
 * (429 carries Retry-After), 418 (IP ban) and other 4xx are non-retryable,
 * except the Binance codes that mean overload or a stale timestamp. Binance's
 * code and msg are kept in the message.
 */

import type { ConnectorIOError } from "../../net/errors/connector-io-error.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";

/** Binance error codes that are worth retrying. */
export const TRANSIENT_BINANCE_CODES: ReadonlySet<number> = new Set([
  -1000, // UNKNOWN: an unknown error occurred while processing the request
  -1001, // DISCONNECTED: internal error
  -1003, // TOO_MANY_REQUESTS
  -1006, // UNEXPECTED_RESP: execution status unknown
  -1007, // TIMEOUT: execution status unknown
  -1008, // SERVER_BUSY
  -1015, // TOO_MANY_ORDERS
  -1016, // SERVICE_SHUTTING_DOWN
  -1021, // INVALID_TIMESTAMP: resync the clock and try again
]);

/** Codes after which a write's outcome is unknown (the backend may have applied it). */
export const STATUS_UNKNOWN_BINANCE_CODES: ReadonlySet<number> = new Set([-1006, -1007]);

/** A filter failure (PRICE_FILTER, LOT_SIZE, NOTIONAL, ...): the order breaks the symbol's rules. */
export const BINANCE_CODE_FILTER_FAILURE = -1013;
export const BINANCE_CODE_INVALID_TIMESTAMP = -1021;
export const BINANCE_CODE_REJECTED = -2010;
export const BINANCE_CODE_CANCEL_REJECTED = -2011;
export const BINANCE_CODE_NO_SUCH_ORDER = -2013;

export interface BinanceErrorBody {
  readonly code: number | undefined;
  readonly msg: string | undefined;
}

export function parseBinanceErrorBody(bodyText: string): BinanceErrorBody {
  try {
    const v: unknown = JSON.parse(bodyText);
    if (typeof v === "object" && v !== null) {
      const o = v as { code?: unknown; msg?: unknown };
      return {
        code: typeof o.code === "number" ? o.code : undefined,
        msg: typeof o.msg === "string" ? o.msg : undefined,
      };
    }
  } catch {
    // not JSON (HTML error page, empty body)
  }
  return { code: undefined, msg: undefined };
}

/** Retry-After header (seconds, or an HTTP date) in ms. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describe(status: number, body: BinanceErrorBody, bodyText: string): string {
  if (body.code !== undefined)
    return `Binance error ${body.code}: ${body.msg ?? "Unknown error"} (HTTP ${status})`;
  const text = bodyText.trim().slice(0, 200);
  return `HTTP ${status}${text ? `: ${text}` : ""}`;
}

/** The connector error for a non-2xx reply of operation `op`. */
export function mapBinanceError(
  op: string,
  status: number,
  bodyText: string,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): ConnectorIOError {
  const body = parseBinanceErrorBody(bodyText);
  const retryAfterMs = parseRetryAfterMs(headers["retry-after"], nowMs);
  const details = { httpStatus: status, exchangeCode: body.code, retryAfterMs };
  const what = describe(status, body, bodyText);
  if (status >= 500)
    return new ConnectorTransientError(`Binance server error during ${op}: ${what}`, details);
  if (status === 429)
    return new ConnectorTransientError(`Binance rate limit during ${op}: ${what}`, details);
  if (status === 418)
    return new ConnectorNonRetryableError(`Binance IP banned during ${op}: ${what}`, details);
  if (body.code !== undefined && TRANSIENT_BINANCE_CODES.has(body.code))
    return new ConnectorTransientError(`Binance transient error during ${op}: ${what}`, details);
  return new ConnectorNonRetryableError(`Binance rejected ${op}: ${what}`, details);
}
