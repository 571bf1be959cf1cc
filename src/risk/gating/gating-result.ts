/**
 * The outcome of one gating check: allowed or not, a stable reason code and
 * a details object whose keys and value types are part of the output schema
 * (Decimal values as strings, floats marked with `float()`, ints as plain numbers).
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { InvalidInputError } from "../../core/errors.js";
import { GateReason, parseGateReason } from "./gate-codes.js";

/** Context attached to a gating result (current values, limits). */
export type GatingDetails = { readonly [key: string]: JsonValue };

export class GatingResult {
  readonly allowed: boolean;
  readonly reason: GateReason;
  readonly details: GatingDetails | null;

  constructor(allowed: boolean, reason: GateReason, details: GatingDetails | null = null) {
    this.allowed = allowed;
    this.reason = reason;
    this.details = details;
  }

  /** An allowed result (reason PASS). */
  static allow(details: GatingDetails | null = null): GatingResult {
    return new GatingResult(true, GateReason.PASS, details);
  }

  /** A blocked result with the given reason. */
  static block(reason: GateReason, details: GatingDetails | null = null): GatingResult {
    return new GatingResult(false, reason, details);
  }

  /** Output form `{allowed, reason, details}` (details null when absent). */
  toJson(): { allowed: boolean; reason: GateReason; details: GatingDetails | null } {
    return { allowed: this.allowed, details: this.details, reason: this.reason };
  }

  /** Inverse of toJson; throws InvalidInputError on a malformed object or unknown reason. */
  static fromJson(data: JsonValue): GatingResult {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new InvalidInputError("gating result: expected an object");
    }
    const obj = data as { readonly [key: string]: JsonValue | undefined };
    const allowed = obj.allowed;
    if (typeof allowed !== "boolean") {
      throw new InvalidInputError("gating result: field 'allowed' must be a boolean");
    }
    const reasonText = obj.reason;
    const reason = typeof reasonText === "string" ? parseGateReason(reasonText) : undefined;
    if (reason === undefined) {
      throw new InvalidInputError(
        `gating result: field 'reason' must be a gate reason, got ${JSON.stringify(reasonText ?? null)}`,
      );
    }
    const details = obj.details;
    if (details === undefined || details === null) return new GatingResult(allowed, reason, null);
    if (typeof details !== "object" || Array.isArray(details)) {
      throw new InvalidInputError("gating result: field 'details' must be an object or null");
    }
    return new GatingResult(allowed, reason, details as GatingDetails);
  }
}
