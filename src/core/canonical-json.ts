/**
 * Canonical JSON: sorted keys, no spaces, ASCII-only strings, and floats in
 * the reference's shortest round-trip form ("10.0", "1e-05"). The same bytes
 * the reference engine hashes, so digests of equal results are equal.
 *
 * JavaScript numbers do not say whether they are integers or floats; values
 * that the contract defines as floats are wrapped in `Float` by the code that
 * builds the output, integers stay plain numbers.
 */

import { shortestRepr } from "./float-repr.js";

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

/** Whether a string prints as itself between quotes (printable ASCII, no quote or backslash). */
function isPlain(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

const KEY_CACHE = new Map<string, string>();

/** Quoted object key; keys come from a small fixed set, so their quoting is cached. */
function quoteKey(k: string): string {
  let q = KEY_CACHE.get(k);
  if (q === undefined) {
    q = escapeString(k);
    if (KEY_CACHE.size < 10000) KEY_CACHE.set(k, q);
  }
  return q;
}

function escapeString(s: string): string {
  if (isPlain(s)) return '"' + s + '"';
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

/** Keys in sorted order; objects built with sorted keys (the common case) skip the sort. */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) return keys.sort();
  }
  return keys;
}

function write(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return "null";
  switch (typeof v) {
    case "string":
      return escapeString(v);
    case "number":
      return formatInt(v);
    case "boolean":
      return v ? "true" : "false";
  }
  if (v instanceof Float) return formatFloat(v.value);
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    let out = "[" + write(v[0] as JsonValue);
    for (let i = 1; i < v.length; i++) out += "," + write(v[i] as JsonValue);
    return out + "]";
  }
  const obj = v as { readonly [key: string]: JsonValue | undefined };
  const keys = sortedKeys(obj);
  if (keys.length === 0) return "{}";
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    out += (i === 0 ? "" : ",") + quoteKey(k) + ":" + write(obj[k]);
  }
  return out + "}";
}

/** Canonical JSON text of a value. */
export function canonicalJson(v: JsonValue): string {
  return write(v);
}
