import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { canonicalJson, Float, float, type JsonValue, RawJson } from "./canonical-json.js";
// Python's key order (by code point), tested against its definition in strings.test.ts.
import { compareCodePoints } from "./strings.js";

/*
 * A straightforward reference for the writer, written from the definition
 * (Python's json.dumps(v, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=True), ints printed as ints, floats as repr(float)), to check
 * the optimized writer (shape caches, fast paths) against, byte for byte.
 */

/** Python's escaping with ensure_ascii: per code point, astral ones as a surrogate pair. */
function refString(s: string): string {
  const hex = (c: number): string => "\\u" + c.toString(16).padStart(4, "0");
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp > 0xffff) {
      const v = cp - 0x10000;
      out += hex(0xd800 + (v >> 10)) + hex(0xdc00 + (v & 0x3ff));
    } else out += hex(cp);
  }
  return out + '"';
}

/**
 * Python's repr(float): the shortest round-trip digits (what JavaScript's
 * String() prints), positional for 1e-4 <= |x| < 1e16, else d.ddde+XX.
 */
function refFloat(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(x).toExponential()) as RegExpExecArray;
  const digits = (m[1] as string) + (m[2] ?? "");
  const e = Number(m[3]);
  if (e < -4 || e >= 16) {
    const mant = digits.length === 1 ? digits : digits[0] + "." + digits.slice(1);
    return sign + mant + "e" + (e < 0 ? "-" : "+") + String(Math.abs(e)).padStart(2, "0");
  }
  if (e < 0) return sign + "0." + "0".repeat(-e - 1) + digits;
  const intDigits = digits.padEnd(e + 1, "0");
  const frac = digits.slice(e + 1);
  return sign + intDigits.slice(0, e + 1) + "." + (frac === "" ? "0" : frac);
}

/** An unmarked number: an int (JavaScript's -0 is the int 0), else the float it is. */
function refNumber(x: number): string {
  if (Number.isInteger(x)) return BigInt(x).toString();
  return refFloat(x);
}

function refJson(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number") return refNumber(v);
  if (typeof v === "string") return refString(v);
  if (v instanceof Float) return refFloat(v.value);
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return "[" + v.map((x) => refJson(x as JsonValue)).join(",") + "]";
  const obj = v as { readonly [key: string]: JsonValue | undefined };
  const keys = Object.keys(obj).sort(compareCodePoints);
  return "{" + keys.map((k) => refString(k) + ":" + refJson(obj[k])).join(",") + "}";
}

it("the reference agrees with hand-checked Python output", () => {
  // Each expected text is what Python 3 prints for the same value.
  const cases: [JsonValue, string][] = [
    [{ b: 1, a: [true, false, null], c: "x" }, '{"a":[true,false,null],"b":1,"c":"x"}'],
    [
      [float(10), float(1e-5), float(1.5e16), float(0.1), float(-0), float(123456789.5)],
      "[10.0,1e-05,1.5e+16,0.1,-0.0,123456789.5]",
    ],
    [
      [float(1e16), float(9999999999999998), float(0.0001), float(1e22), float(5e-324)],
      "[1e+16,9999999999999998.0,0.0001,1e+22,5e-324]",
    ],
    [
      [float(Number.NaN), float(Number.POSITIVE_INFINITY), float(Number.NEGATIVE_INFINITY)],
      "[NaN,Infinity,-Infinity]",
    ],
    [[-0, 0, 7, -2147483649, 2 ** 53 - 1, 2.5], "[0,0,7,-2147483649,9007199254740991,2.5]"],
    [
      'q"b\\s\n\r\t\b\f\u0001\u001f\u007f \u00e9\u20ac',
      '"q\\"b\\\\s\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f \\u00e9\\u20ac"',
    ],
    ["\u{1F600}\uD800", '"\\ud83d\\ude00\\ud800"'],
    [{ "10": 1, "9": 2, B: 3, a: 4, "": 5 }, '{"":5,"10":1,"9":2,"B":3,"a":4}'],
    [{ "\u00e9": 1, e: 2, "\u0000": 3 }, '{"\\u0000":3,"e":2,"\\u00e9":1}'],
    [[{}, [], new RawJson('{"z":1}')], '[{},[],{"z":1}]'],
    [{ "\u{1F600}": 1, "\uFF61": 2, "\uDE00": 3 }, '{"\\ude00":3,"\\uff61":2,"\\ud83d\\ude00":1}'],
    [[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], "[NaN,Infinity,-Infinity]"],
  ];
  for (const [v, text] of cases) {
    assert.equal(refJson(v), text);
    assert.equal(canonicalJson(v), text);
  }
});

/** Keys from a small pool (so objects share shapes, in varying insertion orders) or any string. */
const KEY_POOL = [
  "a",
  "b",
  "ts",
  "symbol",
  "price",
  "10",
  "9",
  "",
  "\u00e9",
  'q"',
  "\\",
  "\n",
  "Z",
  // Python orders these by code point, UTF-16 order differs: U+1F600 > U+FF61 > U+E000 > U+DE00.
  "\u{1F600}",
  "\uFF61",
  "\uE000",
  "\uDE00",
  "\uD83D",
];

const stringArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 8 }),
  fc.string({ unit: "grapheme-ascii", maxLength: 12 }),
  fc.constantFrom("PASS", "BTCUSDT", "0.00010", "-1.5E+7", "\u007f", "\u0000", "\uD83D", "\uDE00"),
);

const numberArb = fc.oneof(
  fc.integer(),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.constantFrom(-0, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 - 1, 1e15),
  // Integral unmarked numbers stay exact (|x| < 2^53), as outputs' are.
  fc.double().filter((x) => !Number.isInteger(x) || Number.isSafeInteger(x)),
);

const floatArb = fc
  .oneof(
    fc.double(),
    fc.double({ min: -1e6, max: 1e6 }),
    fc.integer().map((i) => i / 1000),
    fc.constantFrom(1e16, 1e-4, 1e-5, 0.1, -0, 5e-324, 1.7976931348623157e308),
  )
  .map(float);

const { value: jsonArb } = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    numberArb,
    floatArb,
    stringArb,
    fc.array(tie("value"), { maxLength: 5 }),
    fc
      .array(fc.tuple(fc.oneof(fc.constantFrom(...KEY_POOL), stringArb), tie("value")), {
        maxLength: 6,
      })
      .map((entries) => {
        const o: Record<string, JsonValue> = {};
        for (const [k, x] of entries)
          Object.defineProperty(o, k, {
            value: x,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        return o as JsonValue;
      }),
    tie("value").map((x) => new RawJson(refJson(x))),
  ),
}));

it("prints every value as the reference does (random nested values)", () => {
  fc.assert(
    fc.property(jsonArb, (v) => {
      assert.equal(canonicalJson(v), refJson(v));
      // Twice: the second print goes through the shapes the first one cached.
      assert.equal(canonicalJson(v), refJson(v));
    }),
    { numRuns: 5000, seed: 15 },
  );
});

it("objects of many shapes (more than are cached) print alike", () => {
  for (let i = 0; i < 6000; i++) {
    const o: Record<string, JsonValue> = { [`k${i % 5000}`]: i, a: [i], [`m${i}`]: { z: 1, y: 2 } };
    assert.equal(canonicalJson(o), refJson(o));
  }
});

it("the same keys inserted in different orders print in one sorted order", () => {
  const a = { x: 1, y: float(2), z: "3" };
  const b = { z: "3", x: 1, y: float(2) };
  assert.equal(canonicalJson(a), '{"x":1,"y":2.0,"z":"3"}');
  assert.equal(canonicalJson(b), canonicalJson(a));
});
