import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { SeededRandom } from "../../core/prng.js";
import { exactVolBps, floatVolBps, type VolPoint, volBps } from "./window-vol.js";

const point = (text: string): VolPoint => {
  const mid = Decimal.parse(text);
  return { mid, midF: mid.toNumber() };
};
const windowOf = (...mids: string[]): VolPoint[] => mids.map(point);

test("hand-computed windows, including exact halves that round half-even", () => {
  // 100 -> 101: 1% = 100 bps; -> 100: |100/101 - 1| = 0.00990099.. = 99.0099 bps; total 199.0099 -> 199.
  assert.equal(volBps(windowOf("100", "101", "100")), 199);
  // 0.00005 = 0.5 bps exactly: half-even rounds to 0; 0.00015 = 1.5 bps rounds to 2.
  const half = windowOf("100000", "100005");
  assert.equal(floatVolBps(half), undefined, "an exact half is left to the decimal sum");
  assert.equal(volBps(half), 0);
  assert.equal(volBps(windowOf("100000", "100015")), 2);
  assert.equal(volBps(windowOf("100000", "100025")), 2);
  // A step from a non-positive price is skipped.
  assert.equal(volBps(windowOf("0", "100", "101")), 100);
  assert.equal(volBps(windowOf("100")), 0);
});

test("the float estimate, when it answers, equals the exact decimal sum (random windows)", () => {
  const rng = new SeededRandom(15);
  let answered = 0;
  let declined = 0;
  for (let n = 0; n < 20_000; n++) {
    const scale = 10 ** rng.int(-5, 5);
    const decimals = rng.int(0, 8);
    const size = rng.int(2, 12);
    const mids: string[] = [];
    let price = rng.uniform(1, 10) * scale;
    for (let i = 0; i < size; i++) {
      const step = rng.next() < 0.1 ? rng.uniform(-0.5, 0.5) : rng.uniform(-0.002, 0.002);
      price = Math.max(price * (1 + step), 10 ** -decimals);
      mids.push(price.toFixed(decimals));
    }
    const w = windowOf(...mids);
    const exact = exactVolBps(w);
    const est = floatVolBps(w);
    if (est === undefined) declined++;
    else {
      answered++;
      assert.equal(est, exact, mids.join(" "));
    }
    assert.equal(volBps(w), exact);
  }
  assert.ok(answered > 19_000, `answered ${answered}`);
  // Windows built to sum to a half bps exactly: the float path must not answer them.
  for (let k = 0; k < 200; k++) {
    const base = 10_000 * (k + 1);
    const w = windowOf(String(base), String(base + (k + 0.5) * (base / 10_000)));
    assert.equal(floatVolBps(w), undefined, `${k}`);
    declined++;
  }
  assert.ok(declined >= 200);
});
