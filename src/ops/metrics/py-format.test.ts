import assert from "node:assert/strict";
import { it } from "node:test";
import { formatFixed, pyJsonFloat, roundHalfEven } from "./py-format.js";

// Expected strings were produced by CPython 3.11: f"{x:.2f}", round(x, 2), json.dumps.
it("formatFixed rounds the exact binary value half-to-even like Python", () => {
  const cases: [number, number, string][] = [
    [0.125, 2, "0.12"], // exact tie -> even (toFixed gives 0.13)
    [0.375, 2, "0.38"],
    [2.675, 2, "2.67"], // binary value is below the tie
    [1.005, 2, "1.00"],
    [0.005, 2, "0.01"], // binary value is above the tie
    [0.015, 2, "0.01"],
    [0.025, 2, "0.03"],
    [123.456, 2, "123.46"],
    [-0.001, 2, "-0.00"],
    [-0, 2, "-0.00"],
    [0, 2, "0.00"],
    [12, 2, "12.00"],
    [-2.5, 2, "-2.50"],
    [-2.5, 0, "-2"],
    [2.675, 0, "3"],
    [1e22, 2, "10000000000000000000000.00"],
    [Number.NaN, 2, "nan"],
    [Number.POSITIVE_INFINITY, 2, "inf"],
  ];
  for (const [x, d, want] of cases) assert.equal(formatFixed(x, d), want, `${x} .${d}f`);
  assert.throws(() => formatFixed(1, -1));
});

it("roundHalfEven is Python's round(x, n) for floats", () => {
  assert.equal(roundHalfEven(0.125, 2), 0.12);
  assert.equal(roundHalfEven(1.005, 2), 1);
  assert.equal(roundHalfEven(3600.254999, 2), 3600.25);
  assert.equal(roundHalfEven(0.015, 2), 0.01);
  assert.ok(Number.isNaN(roundHalfEven(Number.NaN, 2)));
});

it("pyJsonFloat spells floats as json.dumps does", () => {
  assert.equal(pyJsonFloat(12), "12.0");
  assert.equal(pyJsonFloat(3600.25), "3600.25");
  assert.equal(pyJsonFloat(1e-5), "1e-05");
  assert.equal(pyJsonFloat(1e22), "1e+22");
  assert.equal(pyJsonFloat(Number.NaN), "NaN");
  assert.equal(pyJsonFloat(Number.NEGATIVE_INFINITY), "-Infinity");
});
