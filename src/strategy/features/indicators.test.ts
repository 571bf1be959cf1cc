import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { SeededRandom } from "../../core/prng.js";
import {
  computeAtr,
  computeImbalanceL1Bps,
  computeNatrBps,
  computeRangeTrend,
  computeThinL1,
  computeTrueRange,
} from "./indicators.js";
import { type MidBar, makeMidBar } from "./mid-bar.js";

const d = (s: string): Decimal => Decimal.parse(s);

function bar(i: number, o: string, h: string, l: string, c: string): MidBar {
  return makeMidBar({
    barTs: i * 60_000,
    open: d(o),
    high: d(h),
    low: d(l),
    close: d(c),
    tickCount: 1,
  });
}

function flatBars(closes: string[]): MidBar[] {
  return closes.map((c, i) => bar(i, c, c, c, c));
}

describe("true range", () => {
  it("is the largest of high-low and the gaps to the previous close", () => {
    const b = bar(1, "100", "105", "95", "100");
    assert.equal(computeTrueRange(b, d("100")).toString(), "10");
    assert.equal(computeTrueRange(b, d("90")).toString(), "15"); // gap up: |105-90|
    assert.equal(computeTrueRange(b, d("110")).toString(), "15"); // gap down: |95-110|
  });
});

describe("ATR / NATR", () => {
  it("needs period+1 bars", () => {
    const bars = flatBars(["100", "101", "103"]);
    assert.equal(computeAtr(bars.slice(0, 2), 2), null);
    assert.equal(computeNatrBps(bars.slice(0, 2), 2), 0);
  });

  it("averages the last period true ranges", () => {
    // TRs 1 and 2 -> 1.5; 1.5 / 103 = 145.63 bps -> 146
    const bars = flatBars(["100", "101", "103"]);
    assert.equal(computeAtr(bars, 2)?.toString(), "1.5");
    assert.equal(computeNatrBps(bars, 2), 146);
    // Only the newest two TRs count: a big early move does not.
    const more = flatBars(["50", "100", "101", "103"]);
    assert.equal(computeAtr(more, 2)?.toString(), "1.5");
  });

  it("rounds NATR half to even", () => {
    // ATR 0.125 / 100 = 12.5 bps -> 12; ATR 0.135 / 100 = 13.5 bps -> 14
    const a = [bar(0, "100", "100", "100", "100"), bar(1, "100", "100.125", "100", "100")];
    assert.equal(computeNatrBps(a, 1), 12);
    const b = [bar(0, "100", "100", "100", "100"), bar(1, "100", "100.135", "100", "100")];
    assert.equal(computeNatrBps(b, 1), 14);
  });

  it("gives 0 NATR for a zero close", () => {
    const bars = [bar(0, "1", "1", "0", "1"), bar(1, "1", "1", "0", "0")];
    assert.equal(computeAtr(bars, 1)?.toString(), "1");
    assert.equal(computeNatrBps(bars, 1), 0);
  });

  it("reads only the newest period+1 bars", () => {
    const bars = flatBars(Array.from({ length: 500 }, (_, i) => String(100 + (i % 7))));
    const touched = new Set<number>();
    const spy = new Proxy(bars, {
      get(target, prop, recv) {
        if (typeof prop === "string" && /^\d+$/.test(prop)) touched.add(Number(prop));
        return Reflect.get(target, prop, recv);
      },
    });
    computeNatrBps(spy, 14);
    computeRangeTrend(spy, 14);
    assert.ok(Math.min(...touched) >= 500 - 15, `touched index ${Math.min(...touched)}`);
  });
});

describe("L1 features", () => {
  it("imbalance is (bid-ask)/(bid+ask+1e-8) in bps", () => {
    assert.equal(computeImbalanceL1Bps(d("3"), d("1")), 5000);
    assert.equal(computeImbalanceL1Bps(d("1"), d("3")), -5000);
    assert.equal(computeImbalanceL1Bps(d("1"), d("0")), 10000);
    assert.equal(computeImbalanceL1Bps(d("0"), d("0")), 0);
    // 1/3 -> 3333.33 -> 3333
    assert.equal(computeImbalanceL1Bps(d("2"), d("1")), 3333);
  });

  it("imbalance: exact halves round half-even; random quantities agree with the 28-digit quotient", () => {
    // b - a = (2k+1)u e-8 and b + a + 1e-8 = 20000u e-8 (u odd): exactly k + 0.5 bps.
    const rng = new SeededRandom(72);
    for (let n = 0; n < 2000; n++) {
      const u = 2 * rng.int(0, 50_000) + 1;
      const k = rng.int(0, 9998);
      const b = Decimal.fromSafeParts(false, (20001 * u + 2 * k * u - 1) / 2, -8);
      const a = Decimal.fromSafeParts(false, (19999 * u - 2 * k * u - 1) / 2, -8);
      const even = k % 2 === 0 ? k : k + 1;
      assert.equal(computeImbalanceL1Bps(b, a), even, `${b} ${a}`);
      assert.equal(computeImbalanceL1Bps(a, b), even === 0 ? 0 : -even, `${a} ${b}`);
    }
    const quotient = (bid: Decimal, ask: Decimal): number => {
      const q = bid.sub(ask).div(bid.add(ask).add(d("1e-8")));
      const r = Number(q.mul(d("10000")).quantize(0, "ROUND_HALF_EVEN").toIntTrunc());
      return r === 0 ? 0 : r;
    };
    for (let n = 0; n < 50_000; n++) {
      const places = rng.int(0, 9);
      const scale = 10 ** rng.int(-3, 9);
      const qty = (): Decimal => d((rng.next() * scale).toFixed(places));
      const bid = qty();
      const ask = rng.next() < 0.05 ? bid : qty();
      assert.equal(computeImbalanceL1Bps(bid, ask), quotient(bid, ask), `${bid} ${ask}`);
    }
  });

  it("thin side is the smaller quantity", () => {
    assert.equal(computeThinL1(d("2.5"), d("1.25")).toString(), "1.25");
    assert.equal(computeThinL1(d("0"), d("5")).toString(), "0");
    assert.equal(computeThinL1(d("1.0"), d("1.00")).toString(), "1.0");
  });
});

describe("range / trend", () => {
  it("is zero until horizon+1 bars", () => {
    assert.deepEqual(computeRangeTrend(flatBars(["1", "2", "3"]), 3), [0, 0, 0]);
  });

  it("scores a choppy series high", () => {
    // returns 1%, 0.990099%, 1%, 0.990099% -> 398.0198 bps; net 0 -> score 398
    assert.deepEqual(
      computeRangeTrend(flatBars(["100", "101", "100", "101", "100"]), 4),
      [398, 0, 398],
    );
  });

  it("scores a trend low", () => {
    // sum 394.1365 bps, net 4% = 400 bps, 394 // 401 = 0
    assert.deepEqual(
      computeRangeTrend(flatBars(["100", "101", "102", "103", "104"]), 4),
      [394, 400, 0],
    );
  });

  it("uses only the horizon window", () => {
    assert.deepEqual(
      computeRangeTrend(flatBars(["1", "500", "100", "101", "100", "101", "100"]), 4),
      [398, 0, 398],
    );
  });

  it("skips returns from a non-positive close", () => {
    // 0 -> 100 skipped; 100 -> 110 = 10%; net from start 0 is 0
    assert.deepEqual(computeRangeTrend(flatBars(["0", "100", "110"]), 2), [1000, 0, 1000]);
  });
});
