import assert from "node:assert/strict";
import { it } from "node:test";
import fc from "fast-check";
import { compareCodePoints } from "./strings.js";

/** The definition: lexicographic order of the code point sequences. */
function byCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  }
  return x.length - y.length;
}

it("orders as Python does: characters above the BMP after every BMP character", () => {
  const emoji = "\u{1F600}"; // a surrogate pair in UTF-16
  const halfwidth = "\uFF61";
  assert.ok(emoji < halfwidth, "JavaScript's < compares code units");
  assert.ok(compareCodePoints(emoji, halfwidth) > 0);
  assert.ok(compareCodePoints(halfwidth, emoji) < 0);
  assert.ok(compareCodePoints("BTCUSDT", "ETHUSDT") < 0);
  assert.ok(compareCodePoints("BTC", "BTCUSDT") < 0);
  assert.ok(compareCodePoints("b", "a") > 0);
  assert.equal(compareCodePoints("x\u{1F600}", "x\u{1F600}"), 0);
  // Same high surrogate, different low one; and a pair against a lone high surrogate.
  assert.ok(compareCodePoints("\u{1F600}", "\u{1F601}") < 0);
  assert.ok(compareCodePoints("\u{10000}", "\uD800\uE000") > 0);
  assert.ok(compareCodePoints("\uD800", "\uE000") < 0, "a lone surrogate is its own code point");
  assert.deepEqual(["\uFF61", "\u{1F600}", "A", "\u00E9"].sort(compareCodePoints), [
    "A",
    "\u00E9",
    "\uFF61",
    "\u{1F600}",
  ]);
});

it("agrees in sign with code point sequence order, lone surrogates included", () => {
  const unit = fc.oneof(
    fc.constantFrom("a", "b", "\uD83D", "\uDE00", "\uDE01", "\uE000", "\uFFFF"),
    fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  );
  const str = fc.string({ unit, maxLength: 6 });
  fc.assert(
    fc.property(str, str, (a, b) => {
      assert.equal(Math.sign(compareCodePoints(a, b)), Math.sign(byCodePoints(a, b)));
      assert.equal(Math.sign(compareCodePoints(a, b)) + Math.sign(compareCodePoints(b, a)), 0);
    }),
    { numRuns: 5000 },
  );
});
