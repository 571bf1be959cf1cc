/** Assert that a number equals an expected value to a relative 1e-9 (floats from hand formulas). */

import assert from "node:assert/strict";

export function assertClose(actual: unknown, expected: number, what: string): void {
  assert.equal(typeof actual, "number", `${what}: ${String(actual)} is not a number`);
  const a = actual as number;
  assert.ok(
    Math.abs(a - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${a} vs ${expected}`,
  );
}
