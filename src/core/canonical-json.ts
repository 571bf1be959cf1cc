/**
 * Canonical JSON: sorted keys, no spaces, ASCII-only strings, and floats in
 * the reference's shortest round-trip form ("10.0", "1e-05"). The same bytes
 * the reference engine hashes, so digests of equal results are equal.
 *
 * JavaScript numbers do not say whether they are integers or floats; values
 * that the contract defines as floats are wrapped in `Float` by the code that
 * builds the output, integers stay plain numbers.
 */

import { createHash } from "node:crypto";
import { shortestRepr } from "./decimal.js";

/** A number that the output contract types as a float (printed "10.0", not "10"). */
export class Float {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** Mark a number as a float for canonical output. */
export function float(x: number): Float {
  return new Float(x);
}

/** Already-canonical JSON text, inserted verbatim (e.g. a result computed in a worker). */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

export type JsonValue =
  | null
  | RawJson
  | boolean
  | number
  | string
  | Float
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue | undefined };

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c < 0x20 || c > 0x7e) out += "\\u" + c.toString(16).padStart(4, "0");
    else out += s[i];
  }
  return out + '"';
}

function formatInt(x: number): string {
  if (!Number.isInteger(x)) {
    // An unmarked non-integer is still printed as the float it is.
    return shortestRepr(x);
  }
  return Object.is(x, -0) ? "0" : String(x);
}

function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  return shortestRepr(x);
}

function write(v: JsonValue | undefined, parts: string[]): void {
  if (v === null || v === undefined) {
    parts.push("null");
  } else if (typeof v === "boolean") {
    parts.push(v ? "true" : "false");
  } else if (typeof v === "number") {
    parts.push(formatInt(v));
  } else if (typeof v === "string") {
    parts.push(escapeString(v));
  } else if (v instanceof Float) {
    parts.push(formatFloat(v.value));
  } else if (v instanceof RawJson) {
    parts.push(v.text);
  } else if (Array.isArray(v)) {
    parts.push("[");
    for (let i = 0; i < v.length; i++) {
      if (i > 0) parts.push(",");
      write(v[i] as JsonValue, parts);
    }
    parts.push("]");
  } else {
    const obj = v as { readonly [key: string]: JsonValue | undefined };
    const keys = Object.keys(obj).sort();
    parts.push("{");
    let first = true;
    for (const k of keys) {
      if (!first) parts.push(",");
      first = false;
      parts.push(escapeString(k), ":");
      write(obj[k], parts);
    }
    parts.push("}");
  }
}

/** Canonical JSON text of a value. */
export function canonicalJson(v: JsonValue): string {
  const parts: string[] = [];
  write(v, parts);
  return parts.join("");
}

/** First 16 hex characters of the SHA-256 of a text. */
export function digest16(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}

/** Digest of a value's canonical JSON. */
export function canonicalDigest(v: JsonValue): string {
  return digest16(canonicalJson(v));
}

/**
 * An incremental digest over a JSON array, fed one element at a time, so a
 * run's digest needs no list of every output in memory.
 */
export class StreamingArrayDigest {
  private readonly hash = createHash("sha256");
  private count = 0;
  constructor() {
    this.hash.update("[");
  }
  push(v: JsonValue): void {
    if (this.count > 0) this.hash.update(",");
    this.hash.update(canonicalJson(v), "utf8");
    this.count++;
  }
  pushCanonical(text: string): void {
    if (this.count > 0) this.hash.update(",");
    this.hash.update(text, "utf8");
    this.count++;
  }
  finish(): string {
    this.hash.update("]");
    return this.hash.digest("hex").slice(0, 16);
  }
}
