import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pyFloatPow } from "./py-float-pow.js";

describe("pyFloatPow", () => {
  it("is correctly rounded where Math.pow is not", () => {
    // sqrt(2)^3 = 2.82842712474619009760...: the nearest double prints 2.8284271247461903.
    assert.equal(pyFloatPow(2, 1.5), 2.8284271247461903);
    assert.equal(pyFloatPow(8, 1.5), 22.627416997969522);
    assert.equal(pyFloatPow(10, 2.5), 316.22776601683796);
    assert.equal(pyFloatPow(3, 1.5), 5.196152422706632);
  });

  it("is exact for exact results", () => {
    assert.equal(pyFloatPow(4, 1.5), 8);
    assert.equal(pyFloatPow(9, 0.5), 3);
    assert.equal(pyFloatPow(0.25, 0.5), 0.5);
    assert.equal(pyFloatPow(7, 2), 49);
    assert.equal(pyFloatPow(2, -2), 0.25);
    assert.equal(pyFloatPow(5, 0), 1);
    assert.equal(pyFloatPow(1, 123.4), 1);
    assert.equal(pyFloatPow(123.456, 1), 123.456);
  });

  it("rounds an exact integer tie half to even", () => {
    // 199^7 = 12358664279161399, halfway between two doubles.
    assert.equal(pyFloatPow(199, 7), 12358664279161400);
  });

  it("agrees with sqrt and with exact reciprocals", () => {
    for (let i = 1; i < 500; i++) {
      assert.equal(pyFloatPow(i, 0.5), Math.sqrt(i), `sqrt(${i})`);
      assert.equal(pyFloatPow(i, -1), 1 / i, `1/${i}`);
    }
  });
});
