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
import { compareCodePoints } from "./strings.js";

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
  // Int32 (the common case): String() prints the digits, and -0 as "0".
  if ((x | 0) === x) return String(x);
  if (!Number.isInteger(x)) {
    // An unmarked non-integer is still printed as the float it is (NaN and
    // the infinities as Python's json prints them, not as "nan" or "inf").
    return formatFloat(x);
  }
  return String(x);
}

function formatFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  return shortestRepr(x);
}

/**
 * The keys of objects of one shape (the same keys in the same insertion
 * order), sorted once, with the text before each value: `{"a":`, `,"b":`.
 */
interface Shape {
  /** Keys in insertion order, as Object.keys gives them. */
  readonly keys: readonly string[];
  readonly sorted: readonly string[];
  readonly heads: readonly string[];
}

/** Shapes by their first key (outputs use a few dozen shapes). */
const SHAPES = new Map<string, Shape[]>();
let shapeCount = 0;
/** Beyond this many shapes (objects keyed by data), the rest are not kept. */
const MAX_SHAPES = 4096;

/** Sorted as Python sorts keys: by code point (not UTF-16 code unit, as sort() does). */
function makeShape(keys: readonly string[]): Shape {
  const sorted = [...keys].sort(compareCodePoints);
  const heads = sorted.map((k, i) => (i === 0 ? "{" : ",") + escapeString(k) + ":");
  return { keys, sorted, heads };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeOf(keys: readonly string[]): Shape {
  const first = keys[0] as string;
  let list = SHAPES.get(first);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const s = list[i] as Shape;
      if (sameKeys(s.keys, keys)) return s;
    }
  }
  const shape = makeShape(keys);
  if (shapeCount < MAX_SHAPES) {
    if (list === undefined) {
      list = [];
      SHAPES.set(first, list);
    }
    list.push(shape);
    shapeCount++;
  }
  return shape;
}

function writeObject(obj: { readonly [key: string]: JsonValue | undefined }): string {
  const keys = Object.keys(obj);
  if (keys.length === 0) return "{}";
  const { sorted, heads } = shapeOf(keys);
  let out = (heads[0] as string) + write(obj[sorted[0] as string]);
  for (let i = 1; i < sorted.length; i++) {
    out += (heads[i] as string) + write(obj[sorted[i] as string]);
  }
  return out + "}";
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
  return writeObject(v as { readonly [key: string]: JsonValue | undefined });
}

/** Canonical JSON text of a value. */
export function canonicalJson(v: JsonValue): string {
  return write(v);
}
