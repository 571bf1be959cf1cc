/**
 * Typed reads of one parsed JSON object's fields, for validating external
 * messages (journal lines, exchange replies, stream frames). A field that is
 * missing or of the wrong type is reported by `bad`, which each reader
 * defines: the error type and message of its input.
 */

import { Decimal } from "./decimal.js";

export type JsonObject = Readonly<Record<string, unknown>>;

export abstract class JsonFields {
  constructor(
    protected readonly o: JsonObject,
    readonly where: string,
  ) {}

  /** Report a bad field (throws). */
  abstract bad(key: string, expected: string): never;

  /** The field's value as JSON text for a message ("nothing" when absent). */
  protected got(key: string): string {
    return JSON.stringify(this.o[key]) ?? "nothing";
  }

  /** Present and not null. */
  has(key: string): boolean {
    return this.o[key] !== undefined && this.o[key] !== null;
  }

  /** The value as it is, for a nested read. */
  raw(key: string): unknown {
    return this.o[key];
  }

  str(key: string): string {
    const v = this.o[key];
    return typeof v === "string" ? v : this.bad(key, "a string");
  }

  int(key: string): number {
    const v = this.o[key];
    return typeof v === "number" && Number.isSafeInteger(v) ? v : this.bad(key, "an integer");
  }

  /** An id sent as a JSON number or a string of digits, kept as its decimal text. */
  id(key: string): string {
    const v = this.o[key];
    if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
    return typeof v === "string" && /^\d+$/.test(v) ? v : this.bad(key, "an integer id");
  }

  /** A decimal sent as a string (exact). */
  dec(key: string): Decimal {
    const v = this.o[key];
    const d = typeof v === "string" ? Decimal.tryParse(v) : undefined;
    return d ?? this.bad(key, "a decimal string");
  }

  bool(key: string): boolean {
    const v = this.o[key];
    return typeof v === "boolean" ? v : this.bad(key, "true or false");
  }
}
