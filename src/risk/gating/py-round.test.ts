import assert from "node:assert/strict";
import { test } from "node:test";
import { roundFloat } from "./py-round.js";

test("rounds the exact binary value half to even", () => {
  // Values checked against the reference language's round(x, 2).
  assert.equal(roundFloat(0.125, 2), 0.12);
  assert.equal(roundFloat(0.375, 2), 0.38);
  assert.equal(roundFloat(2.675, 2), 2.67);
  assert.equal(roundFloat(1.005, 2), 1.0);
  assert.equal(roundFloat(33.21183475091127, 2), 33.21);
  assert.equal(roundFloat(25.649999999999, 2), 25.65);
  assert.ok(Object.is(roundFloat(-0.001, 2), -0));
  assert.equal(roundFloat(2 ** 60, 2), 2 ** 60);
  assert.equal(roundFloat(Number.POSITIVE_INFINITY, 2), Number.POSITIVE_INFINITY);
});
