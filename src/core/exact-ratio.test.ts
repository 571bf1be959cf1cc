import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "./decimal.js";
import { ratioAsDouble28 } from "./exact-ratio.js";
import { SeededRandom } from "./prng.js";

/** The exact path: the ratio rounded to 28 digits (half-even), then to the nearest double. */
function slow(a: number, b: number): number {
  return Decimal.fromInt(a).div(Decimal.fromInt(b)).toNumber();
}

/** A uniform integer with `digits` decimal digits, below 2^53. */
function withDigits(rng: SeededRandom, digits: number): number {
  const lo = 10 ** (digits - 1);
  const hi = Math.min(10 ** digits - 1, Number.MAX_SAFE_INTEGER);
  // Two draws: next() has 32 bits, not enough for 16 digits.
  const x = Math.floor((rng.next() + rng.next() * 2 ** -32) * (hi - lo + 1));
  return Math.min(lo + x, hi);
}

/** A uniform integer below 2^53 with its low 32 bits and high 21 bits drawn apart. */
function below2to53(rng: SeededRandom): number {
  return rng.int(0, 2 ** 21 - 1) * 2 ** 32 + rng.int(0, 2 ** 32 - 1);
}

/**
 * The continued-fraction convergents p/q of the positive rational n/d with
 * p and q below 2^53: the best rational approximations of it, alternately
 * below and above.
 */
function convergents(n: bigint, d: bigint): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  const limit = 2n ** 53n;
  let [p0, q0, p1, q1] = [0n, 1n, 1n, 0n];
  let [x, y] = [n, d];
  while (y !== 0n) {
    const a = x / y;
    [x, y] = [y, x - a * y];
    const p = a * p1 + p0;
    const q = a * q1 + q0;
    if (p >= limit || q >= limit) break;
    [p0, q0, p1, q1] = [p1, q1, p, q];
    out.push([p, q]);
  }
  return out;
}

describe("ratioAsDouble28", () => {
  it("gives the hand-computed doubles", () => {
    // 1/3 = 0.333...; 28 digits 0.3333333333333333333333333333, nearest double below 1/3.
    assert.equal(ratioAsDouble28(1, 3), 0.3333333333333333);
    // 2/3: the 28th digit rounds up (...6667); same double as 2/3 itself.
    assert.equal(ratioAsDouble28(2, 3), 0.6666666666666666);
    // Exact ratios: 1/4, 10/8, 2^52/1.
    assert.equal(ratioAsDouble28(1, 4), 0.25);
    assert.equal(ratioAsDouble28(10, 8), 1.25);
    assert.equal(ratioAsDouble28(2 ** 52, 1), 2 ** 52);
    // 2/2001 = 0.000999500249875062468765617191404...
    assert.equal(ratioAsDouble28(2, 2001), Number("0.0009995002498750624687656171914"));
  });

  it("declines a ratio whose 28 digits round to another double", () => {
    // 153886713546202 / 772988782909865 lies 6.9e-30 (relative) above the
    // midpoint of 0x1.97b753ceb3ffdp-3 and ...ffep-3; its 28 digits
    // 0.1990801379638468676658291656 lie below (python3 agrees).
    assert.equal(153886713546202 / 772988782909865, 0.19908013796384688);
    assert.equal(slow(153886713546202, 772988782909865), 0.19908013796384685);
    assert.equal(ratioAsDouble28(153886713546202, 772988782909865), undefined);
  });

  it("declines outside [1, 2^53) and for zero", () => {
    assert.equal(ratioAsDouble28(0, 3), undefined);
    assert.equal(ratioAsDouble28(3, 0), undefined);
    assert.equal(ratioAsDouble28(0.5, 3), undefined);
    assert.equal(ratioAsDouble28(2 ** 53, 3), undefined);
    assert.equal(ratioAsDouble28(3, 2 ** 53), undefined);
    assert.equal(ratioAsDouble28(Number.NaN, 3), undefined);
    assert.equal(ratioAsDouble28(3, Number.POSITIVE_INFINITY), undefined);
  });

  it("agrees with the exact path on 200000 random ratios of 1-16 digit integers", () => {
    const rng = new SeededRandom(15);
    let fast = 0;
    for (let i = 0; i < 200_000; i++) {
      const a = i % 4 === 0 ? below2to53(rng) : withDigits(rng, rng.int(1, 16));
      const b = i % 4 === 1 ? below2to53(rng) : withDigits(rng, rng.int(1, 16));
      if (a === 0 || b === 0) continue;
      const q = ratioAsDouble28(a, b);
      if (q === undefined) continue;
      fast++;
      assert.equal(q, slow(a, b), `${a} / ${b}`);
    }
    // A declined random ratio is within ~1e-26 of a midpoint: practically never.
    assert.ok(fast > 199_990, `fast path taken ${fast} times`);
  });

  it("declines ratios within 1e-26 of a midpoint between two doubles, where 28 digits can flip the double", () => {
    // Midpoints x = (2^53 + 2m + 1) * 2^(t-53) between the double (2^52 + m) * 2^(t-52)
    // and its successor; the last convergents of x have p, q < 2^53 and lie
    // within about 1/(q * 2^53) of it, alternately below and above.
    const rng = new SeededRandom(1515);
    let close = 0;
    let declined = 0;
    let flipped = 0;
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const m = BigInt(rng.int(0, 2 ** 20 - 1)) * 2n ** 32n + BigInt(rng.int(0, 2 ** 32 - 1));
      const t = rng.int(-30, 30);
      let n = 2n ** 53n + 2n * m + 1n;
      let d = 2n ** 53n;
      if (t >= 0) n *= 2n ** BigInt(t);
      else d *= 2n ** BigInt(-t);
      for (const [p, q] of convergents(n, d)) {
        if (q < 2n) continue;
        const a = Number(p);
        const b = Number(q);
        // |p/q - n/d| < 1e-26 * n/d, exactly: |p d - q n| * 10^26 < q n.
        const gap = p * d - q * n;
        const within = (gap < 0n ? -gap : gap) * 10n ** 26n < q * n;
        const fast = ratioAsDouble28(a, b);
        const exact = slow(a, b);
        if (within) {
          close++;
          assert.equal(fast, undefined, `${a} / ${b} is ${gap} / ${q * d} from a midpoint`);
          declined++;
          if (exact !== a / b) flipped++;
        } else if (fast !== undefined) {
          accepted++;
          assert.equal(fast, exact, `${a} / ${b}`);
        }
      }
    }
    assert.ok(close >= 6000, `${close} ratios close to a midpoint`);
    assert.equal(declined, close);
    // The exact path matters: for some of them the 28-digit rounding crosses the midpoint.
    assert.ok(flipped > 1000, `${flipped} ratios whose double changes with the 28-digit rounding`);
    assert.ok(accepted > 50_000, `${accepted} farther convergents taken fast`);
  });
});
