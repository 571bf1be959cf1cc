import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../core/decimal.js";
import { SeededRandom } from "../core/prng.js";
import { Snapshot, spreadBpsFast } from "./snapshot.js";

function quote(bid: string, ask: string): Snapshot {
  return quoteOf(Decimal.parse(bid), Decimal.parse(ask));
}

function quoteOf(bid: Decimal, ask: Decimal): Snapshot {
  return new Snapshot({
    ts: 0,
    symbol: "X",
    bidPrice: bid,
    askPrice: ask,
    bidQty: Decimal.ONE,
    askQty: Decimal.ONE,
    lastPrice: bid,
    lastQty: Decimal.ZERO,
  });
}

const TEN_THOUSAND = Decimal.fromInt(10000);

/** The exact path, as the reference writes it: float((ask - bid) / mid * 10000). */
function slowBps(spread: Decimal, mid: Decimal): number {
  return spread.div(mid).mul(TEN_THOUSAND).toNumber();
}

describe("Snapshot.spreadBps", () => {
  it("is the 28-digit quotient as a float", () => {
    // 0.1 / 100.05 = 2/2001 = 0.000999500249875062468765617191404...; 28 digits, times 10^4:
    const want = Number("9.995002498750624687656171914");
    assert.equal(want, 9.995002498750624); // python3: float((D('100.1')-D('100'))/D('100.05')*10000)
    assert.equal(quote("100", "100.1").spreadBps, want);
    // Other exponents, same value: 0.10 / 100.050.
    assert.equal(quote("100.00", "100.10").spreadBps, want);
    // 1 / 3 * 10^4: 3333.333333333333333333333333 (28 digits), nearest double 3333.3333333333335.
    assert.equal(quote("2.5", "3.5").spreadBps, 3333.3333333333335);
    // 0.00001 / 0.000015 = 2/3: 28 digits ...6667 (rounded up), times 10^4.
    assert.equal(quote("0.00001", "0.00002").spreadBps, 6666.666666666667);
    assert.equal(quote("50000", "100000").spreadBps, 6666.666666666667);
    // Exact: 0.02 / 100 = 0.0002 -> 2 bps; 2 / 2 -> 10000 bps.
    assert.equal(quote("99.99", "100.01").spreadBps, 2);
    assert.equal(quote("1", "3").spreadBps, 10000);
    // One tick on 15 digits: 0.00000000000001 / 1.234567890123445 * 10^4 = 8.100000072900078011...e-11.
    assert.equal(quote("1.23456789012344", "1.23456789012345").spreadBps, 8.100000072900078e-11);
  });

  it("keeps the sign of a crossed quote and gives 0 for a zero mid or spread", () => {
    assert.equal(quote("100.1", "100").spreadBps, -Number("9.995002498750624687656171914"));
    assert.equal(quote("0", "0").spreadBps, 0);
    assert.ok(Object.is(quote("100", "100").spreadBps, 0));
    assert.ok(Object.is(quote("100", "100.00").spreadBps, 0));
  });

  it("takes the fast path on quotes, and agrees with the exact path on 300000 random ones", () => {
    // Prices 0.00001 to 100000 with 1-15 digit coefficients, spreads from one
    // tick to 50% of the price, sometimes crossed, sometimes with the ask
    // written with more decimals than the bid.
    const rng = new SeededRandom(20260115);
    const N = 300_000;
    let fast = 0;
    for (let i = 0; i < N; i++) {
      const digits = rng.int(1, 15);
      const top = Math.floor(rng.uniform(-5, 5)); // price in [10^top, 10^(top+1))
      const exp = top - digits + 1;
      const coef = Math.floor(10 ** (digits - 1) * (1 + 9 * rng.next()));
      // Spread: 10^u of the price, u in [-digits, log10(0.5)], at least one tick.
      const fraction = 10 ** rng.uniform(-digits, Math.log10(0.5));
      const ticks = Math.max(1, Math.round(fraction * coef));
      if (coef + ticks > Number.MAX_SAFE_INTEGER) continue;
      let bid = Decimal.fromSafeParts(false, coef, exp);
      let ask = Decimal.fromSafeParts(false, coef + ticks, exp);
      const extra = rng.int(0, 3) === 0 ? rng.int(1, 3) : 0;
      if (extra > 0 && (coef + ticks) * 10 ** extra <= Number.MAX_SAFE_INTEGER) {
        ask = Decimal.fromSafeParts(false, (coef + ticks) * 10 ** extra, exp - extra);
      }
      if (rng.int(0, 9) === 0) [bid, ask] = [ask, bid];
      const s = quoteOf(bid, ask);
      const spread = ask.sub(bid);
      const want = slowBps(spread, s.midPrice);
      const got = spreadBpsFast(spread, s.midPrice);
      if (got !== undefined) {
        fast++;
        assert.equal(got, want, `${bid} / ${ask}`);
      }
      assert.equal(s.spreadBps, want, `${bid} / ${ask}`);
    }
    assert.ok(fast > 0.95 * N, `fast path taken ${fast} of ${N} times`);
  });

  it("agrees with the exact path for any signs and exponents, declining what it cannot prove", () => {
    const rng = new SeededRandom(7);
    let fast = 0;
    for (let i = 0; i < 100_000; i++) {
      const spread = Decimal.fromSafeParts(
        rng.int(0, 1) === 1,
        Math.floor(10 ** rng.uniform(0, 15.9)),
        rng.int(-30, 10),
      );
      const mid = Decimal.fromSafeParts(
        rng.int(0, 1) === 1,
        Math.floor(10 ** rng.uniform(0, 15.9)) + 1,
        rng.int(-30, 10),
      );
      const got = spreadBpsFast(spread, mid);
      if (got === undefined) continue;
      fast++;
      assert.ok(Object.is(got, slowBps(spread, mid)), `${spread} / ${mid}`);
    }
    // Exponents 26 apart or more, or coefficients scaled past 2^53, are declined.
    assert.ok(fast > 30_000 && fast < 100_000, `fast path taken ${fast} times`);
  });

  it("declines a ratio near a rounding midpoint, where 28 digits change the double", () => {
    // 153886713546202 / 772988782909865 lies 6.9e-30 (relative) from the
    // midpoint between the doubles 0x1.97b753ceb3ffdp-3 and ...ffep-3, above
    // it; its 28 digits 0.1990801379638468676658291656 lie below it. IEEE
    // division gives the upper double, the reference the lower one
    // (python3: float(D(153886713546202) / D(772988782909865)) = 0.19908013796384685).
    const spread = Decimal.fromSafeParts(false, 153886713546202, -4);
    const mid = Decimal.fromSafeParts(false, 772988782909865, 0);
    assert.equal(153886713546202 / 772988782909865, 0.19908013796384688);
    assert.equal(slowBps(spread, mid), 0.19908013796384685);
    assert.equal(spreadBpsFast(spread, mid), undefined);
  });
});
