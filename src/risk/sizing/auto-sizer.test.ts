import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import {
  AutoSizer,
  makeAutoSizerConfig,
  makeGridShape,
  SizingError,
  type SizingInputs,
  SizingMode,
  sizeScheduleToJson,
} from "./auto-sizer.js";

const d = (s: string): Decimal => Decimal.parse(s);

function base(levels: number, topK = 0): SizingInputs {
  return {
    equity: d("10000"),
    ddBudget: d("0.20"),
    adverseMove: d("0.25"),
    gridShape: makeGridShape({ levels, stepBps: 10, topK }),
    price: d("50000"),
  };
}

describe("AutoSizer", () => {
  it("sizes uniform levels to spend the whole budget", () => {
    // 10000 * 0.20 = 2000 loss budget; 2000 / (50000 * 0.25) = 0.16 BTC over 5 levels.
    const s = new AutoSizer().compute(base(5));
    assert.equal(
      canonicalJson(sizeScheduleToJson(s)),
      canonicalJson({
        qty_per_level: ["0.03200000", "0.03200000", "0.03200000", "0.03200000", "0.03200000"],
        total_notional: "8000.00000000",
        worst_case_loss: "2000.0000000000",
        risk_utilization: "1.00000000",
        effective_levels: 5,
        sizing_mode: "uniform",
      }),
    );
  });

  it("sizes only the first top_k levels and pads with zeros", () => {
    // 0.16 / 3 = 0.0533333.. -> 0.05333333 (rounded down)
    const s = new AutoSizer().compute(base(5, 3));
    assert.deepEqual(s.qtyPerLevel.map(String), [
      "0.05333333",
      "0.05333333",
      "0.05333333",
      "0",
      "0",
    ]);
    assert.equal(s.totalNotional.toString(), "7999.99950000");
    assert.equal(s.riskUtilization.toString(), "0.9999999375");
    assert.equal(s.effectiveLevels, 3);
  });

  it("weights pyramid levels by (i+1)^1.5 and the inverse by (N-i)^1.5", () => {
    // weights 1 : 2.8284271247461903 : 5.196152422706632, normalised
    const pyr = new AutoSizer(makeAutoSizerConfig({ sizingMode: SizingMode.PYRAMID })).compute(
      base(3),
    );
    assert.deepEqual(pyr.qtyPerLevel.map(String), ["0.01772935", "0.05014619", "0.09212444"]);
    assert.equal(pyr.riskUtilization.toString(), "0.999999875");
    const inv = new AutoSizer(
      makeAutoSizerConfig({ sizingMode: SizingMode.INVERSE_PYRAMID }),
    ).compute(base(3));
    assert.deepEqual(inv.qtyPerLevel.map(String), ["0.09212444", "0.05014619", "0.01772935"]);
    assert.equal(inv.sizingMode, "inverse_pyramid");
  });

  it("rounds to qty_precision and zeroes quantities below min_qty", () => {
    const sizer = new AutoSizer(makeAutoSizerConfig({ minQty: d("0.01"), qtyPrecision: 3 }));
    const inp = { ...base(4), equity: d("1000"), ddBudget: d("0.1"), adverseMove: d("0.3") };
    // 100 / (3000 * 0.3) / 4 = 0.02777.. -> 0.027
    const a = sizer.compute({ ...inp, price: d("3000") });
    assert.deepEqual(a.qtyPerLevel.map(String), ["0.027", "0.027", "0.027", "0.027"]);
    assert.equal(a.riskUtilization.toString(), "0.972");
    // at 30000 each level would be 0.0027 < 0.01
    const b = sizer.compute({ ...inp, price: d("30000") });
    assert.deepEqual(b.qtyPerLevel.map(String), ["0", "0", "0", "0"]);
    assert.equal(b.effectiveLevels, 0);
    assert.equal(b.riskUtilization.toString(), "0");
  });

  it("rejects invalid inputs and configuration", () => {
    const sizer = new AutoSizer();
    const bad: Partial<SizingInputs>[] = [
      { equity: d("0") },
      { ddBudget: d("0") },
      { ddBudget: d("1.01") },
      { adverseMove: d("-0.1") },
      { adverseMove: d("1.5") },
      { price: d("0") },
    ];
    for (const b of bad) assert.throws(() => sizer.compute({ ...base(3), ...b }), SizingError);
    assert.throws(() => makeGridShape({ levels: 0, stepBps: 10 }), SizingError);
    assert.throws(() => makeGridShape({ levels: 3, stepBps: 0 }), SizingError);
    assert.throws(() => makeGridShape({ levels: 3, stepBps: 10, topK: -1 }), SizingError);
    assert.throws(() => makeAutoSizerConfig({ minQty: d("-1") }), SizingError);
    assert.throws(() => makeAutoSizerConfig({ qtyPrecision: -1 }), SizingError);
    assert.throws(() => makeAutoSizerConfig({ maxRiskUtilization: d("0") }), SizingError);
  });
});

/** n * 10^-places for an integer n in [min, max]. */
const decimalArb = (min: number, max: number, places: number) =>
  fc.integer({ min, max }).map((n) => Decimal.fromParts(false, BigInt(n), -places));

const inputsArb = fc.record({
  equity: decimalArb(1, 10_000_000, 2),
  ddBudget: decimalArb(1, 10_000, 4), // (0, 1]
  adverseMove: decimalArb(1, 1000, 3), // (0, 1]
  price: decimalArb(1, 100_000_000, 4),
  levels: fc.integer({ min: 1, max: 40 }),
  topK: fc.integer({ min: 0, max: 45 }),
  mode: fc.constantFrom(SizingMode.UNIFORM, SizingMode.PYRAMID, SizingMode.INVERSE_PYRAMID),
  precision: fc.integer({ min: 0, max: 10 }),
  minQty: decimalArb(0, 100, 4),
  exponent: fc.constantFrom("1.5", "1", "2", "0.5", "1.25"),
});

describe("AutoSizer properties", () => {
  it("never risks more than equity * dd_budget, and schedules are well formed", () => {
    fc.assert(
      fc.property(inputsArb, (x) => {
        const sizer = new AutoSizer(
          makeAutoSizerConfig({
            sizingMode: x.mode,
            qtyPrecision: x.precision,
            minQty: x.minQty,
            pyramidExponent: d(x.exponent),
          }),
        );
        const shape = makeGridShape({ levels: x.levels, stepBps: 10, topK: x.topK });
        const s = sizer.compute({
          equity: x.equity,
          ddBudget: x.ddBudget,
          adverseMove: x.adverseMove,
          gridShape: shape,
          price: x.price,
        });
        const budget = x.equity.mul(x.ddBudget);
        // Recompute the worst case independently of the sizer's own figures.
        let notional = Decimal.ZERO;
        for (const q of s.qtyPerLevel) notional = notional.add(q.mul(x.price));
        assert.ok(
          notional.mul(x.adverseMove).lte(budget),
          `worst case ${notional.mul(x.adverseMove)} > ${budget}`,
        );
        assert.ok(s.riskUtilization.lte(Decimal.ONE));
        assert.equal(s.qtyPerLevel.length, x.levels);
        const k = x.topK === 0 ? x.levels : Math.min(x.topK, x.levels);
        s.qtyPerLevel.forEach((q, i) => {
          assert.ok(!q.isNegative());
          assert.ok(q.exp >= -x.precision || q.isZero());
          if (i >= k) assert.ok(q.isZero());
          if (!q.isZero()) assert.ok(q.gte(x.minQty));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic and monotone in the drawdown budget", () => {
    fc.assert(
      fc.property(inputsArb, decimalArb(1, 10_000, 4), (x, other) => {
        const sizer = new AutoSizer(
          makeAutoSizerConfig({ sizingMode: x.mode, qtyPrecision: x.precision }),
        );
        const shape = makeGridShape({ levels: x.levels, stepBps: 10, topK: x.topK });
        const run = (dd: Decimal) =>
          sizer.compute({
            equity: x.equity,
            ddBudget: dd,
            adverseMove: x.adverseMove,
            gridShape: shape,
            price: x.price,
          });
        assert.equal(
          canonicalJson(sizeScheduleToJson(run(x.ddBudget))),
          canonicalJson(sizeScheduleToJson(run(x.ddBudget))),
        );
        const [lo, hi] = x.ddBudget.lte(other) ? [x.ddBudget, other] : [other, x.ddBudget];
        const a = run(lo).qtyPerLevel;
        const b = run(hi).qtyPerLevel;
        a.forEach((q, i) => {
          assert.ok(q.lte(b[i] as Decimal), `level ${i}: ${q} > ${b[i]}`);
        });
      }),
      { numRuns: 200 },
    );
  });
});
