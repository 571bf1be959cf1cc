import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type BackoffOptions, backoffDelayMs, JITTERS } from "./backoff.js";
import { SeededRandom } from "./prng.js";

const BASE: BackoffOptions = { baseMs: 100, maxMs: 1000, multiplier: 2, jitter: "none" };

function delays(o: BackoffOptions, seed: number, attempts: number): number[] {
  const rng = new SeededRandom(seed);
  const random = (): number => rng.next();
  return Array.from({ length: attempts }, (_, a) => backoffDelayMs(a, o, random));
}

describe("backoffDelayMs", () => {
  it("no jitter: base * multiplier^attempt, truncated, capped; no random draw", () => {
    const never = (): number => assert.fail("no jitter draws no random number");
    assert.deepEqual(
      [0, 1, 2, 3, 4, 9, -1].map((a) => backoffDelayMs(a, BASE, never)),
      [100, 200, 400, 800, 1000, 1000, 100],
    );
    assert.equal(backoffDelayMs(3, { ...BASE, multiplier: 1.5 }, never), 337);
    assert.equal(backoffDelayMs(5, { ...BASE, multiplier: 1 }, never), 100);
  });

  it("hand-computed delays for seed 42 (draws 0.6011, 0.4483, 0.8525, 0.6697, 0.1748, 0.5266)", () => {
    // full: floor(r * (d + 1)) for d = 100, 200, 400, 800, 1000 (capped), 1000.
    assert.deepEqual(delays({ ...BASE, jitter: "full" }, 42, 6), [60, 90, 341, 536, 174, 527]);
    // equal: ceil(d / 2) + floor(r * (d - ceil(d / 2) + 1)).
    assert.deepEqual(delays({ ...BASE, jitter: "equal" }, 42, 3), [80, 145, 371]);
    assert.deepEqual(
      delays({ ...BASE, jitter: "full" }, 42, 6),
      delays({ ...BASE, jitter: "full" }, 42, 6),
    );
  });

  it("never waits less than a server's Retry-After, even above the cap", () => {
    const rng = new SeededRandom(7);
    for (const jitter of JITTERS) {
      const o = { ...BASE, jitter };
      assert.equal(
        backoffDelayMs(0, o, () => rng.next(), 2000),
        2000,
        jitter,
      );
      assert.equal(
        backoffDelayMs(0, o, () => 0, 1.2),
        { none: 100, full: 2, equal: 50 }[jitter],
        jitter,
      );
      assert.equal(
        backoffDelayMs(3, { ...o, jitter: "none" }, () => 0, 10),
        800,
      );
    }
  });

  it("jitter stays within its bounds and never above the cap", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom(...JITTERS),
        (baseMs, maxMs, multiplier, attempt, r, jitter) => {
          const o = { baseMs, maxMs, multiplier, jitter };
          const plain = backoffDelayMs(attempt, { ...o, jitter: "none" }, () => r);
          const d = backoffDelayMs(attempt, o, () => r);
          assert.ok(Number.isInteger(d) && d >= 0 && d <= plain && plain <= maxMs);
          if (jitter === "equal") assert.ok(d >= Math.ceil(plain / 2));
          if (jitter === "none") assert.equal(d, plain);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
