/**
 * Deterministic idempotency keys for write operations: a digest of the
 * canonical request parameters (never a random id, never the timestamp), so
 * a retried or repeated intent maps to the same key.
 */

import { createHash } from "node:crypto";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";

export type IdempotencyParam = Decimal | number | string | boolean | null | undefined;

/** Python `Decimal.normalize()`: strip trailing zeros (zero becomes 0 with exponent 0). */
export function normalizeDecimal(d: Decimal): Decimal {
  if (d.coef === 0n) return Decimal.fromParts(d.neg, 0n, 0);
  let coef = d.coef;
  let exp = d.exp;
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp += 1;
  }
  return Decimal.fromParts(d.neg, coef, exp);
}

/** Canonical text of one parameter value (decimals normalised so "50000.00" == "5E+4"). */
export function canonicalizeParam(value: Exclude<IdempotencyParam, undefined>): string {
  if (value instanceof Decimal) return normalizeDecimal(value).toString();
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") {
    return Number.isInteger(value)
      ? String(value)
      : normalizeDecimal(Decimal.fromDoubleShortest(value)).toString();
  }
  if (value === null) return "null";
  return value;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export interface IdempotencyKeyParams {
  readonly symbol: string;
  readonly side: string;
  readonly price?: Decimal | number | string;
  readonly quantity?: Decimal | number | string;
  readonly orderId?: string;
  readonly levelId?: number;
  /** Further parameters, included under their own names when not null/undefined. */
  readonly extra?: Readonly<Record<string, IdempotencyParam>>;
}

/** `{scope}:{op}:{first 32 hex of sha256(canonical JSON of the parameters)}`. */
export function computeIdempotencyKey(scope: string, op: string, p: IdempotencyKeyParams): string {
  const payload: Record<string, string> = { symbol: p.symbol, side: p.side };
  if (p.price !== undefined) payload.price = canonicalizeParam(p.price);
  if (p.quantity !== undefined) payload.quantity = canonicalizeParam(p.quantity);
  if (p.orderId !== undefined) payload.order_id = p.orderId;
  if (p.levelId !== undefined) payload.level_id = String(p.levelId);
  for (const k of Object.keys(p.extra ?? {}).sort()) {
    const v = p.extra?.[k];
    if (v !== undefined && v !== null) payload[k] = canonicalizeParam(v);
  }
  return `${scope}:${op}:${sha256Hex(canonicalJson(payload)).slice(0, 32)}`;
}

/** 16-hex fingerprint of request parameters (timestamp included), to spot key collisions. */
export function computeRequestFingerprint(
  params: Readonly<Record<string, IdempotencyParam>>,
): string {
  const filtered: Record<string, string> = {};
  for (const k of Object.keys(params).sort()) {
    const v = params[k];
    if (v !== undefined && v !== null) filtered[k] = canonicalizeParam(v);
  }
  return sha256Hex(canonicalJson(filtered)).slice(0, 16);
}
