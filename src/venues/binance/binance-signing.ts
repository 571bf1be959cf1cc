/** Binance SIGNED request parameters: percent-encoded query + HMAC-SHA256 signature. */

import { createHmac } from "node:crypto";

export type QueryParams = ReadonlyArray<readonly [string, string]>;

/** `k=v&...` in the given order, keys and values percent-encoded (RFC 3986 via encodeURIComponent). */
export function encodeQuery(params: QueryParams): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function hmacSha256Hex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

/**
 * The signed query string: the parameters, then timestamp and recvWindow, then
 * `signature` = HMAC-SHA256(secret, everything before it). Exactly this string
 * must be sent, since Binance checks the signature over the bytes it receives.
 */
export function signedQuery(
  params: QueryParams,
  secret: string,
  timestampMs: number,
  recvWindowMs: number,
): string {
  const payload = encodeQuery([
    ...params,
    ["timestamp", String(timestampMs)],
    ["recvWindow", String(recvWindowMs)],
  ]);
  return `${payload}&signature=${hmacSha256Hex(secret, payload)}`;
}
