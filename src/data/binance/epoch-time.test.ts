import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseEpochMs } from "./epoch-time.js";

describe("parseEpochMs", () => {
  it("keeps milliseconds", () => {
    assert.deepEqual(parseEpochMs("1767225600009"), { ms: 1767225600009, micros: false });
    assert.deepEqual(parseEpochMs("99999999999999"), { ms: 99999999999999, micros: false });
  });

  it("detects microseconds by magnitude and floors them to milliseconds", () => {
    assert.deepEqual(parseEpochMs("1735689600049527"), { ms: 1735689600049, micros: true });
    assert.deepEqual(parseEpochMs("1767225659999999"), { ms: 1767225659999, micros: true });
    assert.deepEqual(parseEpochMs("100000000000000"), { ms: 100000000000, micros: true });
    // Near 2^53 the integer conversion is still exact.
    assert.deepEqual(parseEpochMs("9007199254740990"), { ms: 9007199254740, micros: true });
  });

  it("rejects seconds, nanoseconds and non-integers", () => {
    for (const bad of [
      "1767225600",
      "1767225600000000000",
      "9007199254740991",
      "",
      "17672256000.5",
      "-1767225600000",
      "1.7e12",
      " 1767225600000",
    ]) {
      assert.equal(parseEpochMs(bad), undefined, bad);
    }
  });
});
