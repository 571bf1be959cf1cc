import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import {
  AllocationError,
  type AllocationResult,
  allocationResultToJson,
  DdAllocator,
  makeDdAllocatorConfig,
  makeSymbolCandidate,
  RiskTier,
  type SymbolCandidate,
} from "./dd-allocator.js";

const d = (s: string): Decimal => Decimal.parse(s);

describe("DdAllocator", () => {
  it("splits the budget by weight / tier factor and rounds down", () => {
    // risk weights: BTC 1/2.0 = 0.5, ETH 1/1.5 = 0.667, BNB 1/1.0 = 1; total 2.1667
    // BNB 20000 / 2.1667 = 9230.769 -> 9230.76; ETH 6153.846 -> 6153.84; BTC 4615.384 -> 4615.38
    const r = new DdAllocator().allocate({
      equity: d("100000"),
      portfolioDdBudget: d("0.20"),
      candidates: [
        makeSymbolCandidate({ symbol: "BTCUSDT", tier: RiskTier.HIGH }),
        makeSymbolCandidate({ symbol: "ETHUSDT", tier: RiskTier.MED }),
        makeSymbolCandidate({ symbol: "BNBUSDT", tier: RiskTier.LOW }),
      ],
    });
    assert.equal(
      canonicalJson(allocationResultToJson(r)),
      canonicalJson({
        allocations: { BNBUSDT: "0.0923076", BTCUSDT: "0.0461538", ETHUSDT: "0.0615384" },
        allocations_usd: { BNBUSDT: "9230.76", BTCUSDT: "4615.38", ETHUSDT: "6153.84" },
        residual_usd: "0.02",
        total_allocated_usd: "19999.98",
        portfolio_budget_usd: "20000.00",
        enabled_count: 3,
      }),
    );
    assert.deepEqual([...r.allocations.keys()], ["BNBUSDT", "BTCUSDT", "ETHUSDT"]);
  });

  it("zeroes budgets under the minimum, skips disabled symbols and keeps the residual", () => {
    // A: 1/1.0 = 1, B: 0.1/2.0 = 0.05; A gets 10 / 1.05 = 9.5238 -> 9.52, B 0.476 -> 0.47 < 1 -> 0
    const a = new DdAllocator();
    const r = a.allocate({
      equity: d("1000"),
      portfolioDdBudget: d("0.01"),
      candidates: [
        makeSymbolCandidate({ symbol: "A", tier: RiskTier.LOW, weight: d("1") }),
        makeSymbolCandidate({ symbol: "B", tier: RiskTier.HIGH, weight: d("0.1") }),
        makeSymbolCandidate({ symbol: "C", enabled: false }),
      ],
    });
    assert.deepEqual(allocationResultToJson(r), {
      allocations: { A: "0.00952", B: "0" },
      allocations_usd: { A: "9.52", B: "0" },
      residual_usd: "0.48",
      total_allocated_usd: "9.52",
      portfolio_budget_usd: "10.00",
      enabled_count: 2,
    });
    const none = a.allocate({
      equity: d("1000"),
      portfolioDdBudget: d("0.01"),
      candidates: [makeSymbolCandidate({ symbol: "C", enabled: false })],
    });
    assert.equal(none.residualUsd.toString(), "10.00");
    assert.equal(none.totalAllocatedUsd.toString(), "0");
    assert.equal(none.enabledCount, 0);
  });

  it("rejects invalid inputs", () => {
    const a = new DdAllocator();
    const one = [makeSymbolCandidate({ symbol: "X" })];
    assert.throws(
      () => a.allocate({ equity: d("0"), portfolioDdBudget: d("0.1"), candidates: one }),
      AllocationError,
    );
    assert.throws(
      () => a.allocate({ equity: d("1"), portfolioDdBudget: d("0"), candidates: one }),
      AllocationError,
    );
    assert.throws(
      () => a.allocate({ equity: d("1"), portfolioDdBudget: d("1.1"), candidates: one }),
      AllocationError,
    );
    assert.throws(
      () => a.allocate({ equity: d("1"), portfolioDdBudget: d("0.1"), candidates: [] }),
      AllocationError,
    );
    assert.throws(
      () =>
        a.allocate({ equity: d("1"), portfolioDdBudget: d("0.1"), candidates: [...one, ...one] }),
      AllocationError,
    );
    assert.throws(
      () =>
        a.allocate({
          equity: d("1"),
          portfolioDdBudget: d("0.1"),
          candidates: [makeSymbolCandidate({ symbol: "Z", weight: d("0") })],
        }),
      AllocationError,
    );
    assert.throws(() => makeSymbolCandidate({ symbol: "" }), AllocationError);
    assert.throws(() => makeSymbolCandidate({ symbol: "X", weight: d("-1") }), AllocationError);
    assert.throws(() => makeDdAllocatorConfig({ budgetPrecision: -1 }), AllocationError);
    assert.throws(() => makeDdAllocatorConfig({ minBudgetUsd: d("-1") }), AllocationError);
    assert.throws(() => makeDdAllocatorConfig({ tierFactors: { low: d("0") } }), AllocationError);
  });
});

const decimalArb = (min: number, max: number, places: number) =>
  fc.integer({ min, max }).map((n) => Decimal.fromParts(false, BigInt(n), -places));

const candidatesArb = fc
  .uniqueArray(
    fc.record({
      symbol: fc.stringMatching(/^[A-Z]{2,8}$/),
      tier: fc.constantFrom(RiskTier.LOW, RiskTier.MED, RiskTier.HIGH),
      weight: decimalArb(0, 5000, 3),
      enabled: fc.boolean(),
    }),
    { minLength: 1, maxLength: 12, selector: (c) => c.symbol },
  )
  .map((cs) => cs.map((c) => makeSymbolCandidate(c)))
  .filter(
    (cs) => cs.some((c) => c.enabled && c.weight.isPositive()) || cs.every((c) => !c.enabled),
  );

const configArb = fc.record({
  budgetPrecision: fc.integer({ min: 0, max: 6 }),
  minBudgetUsd: decimalArb(0, 500, 1),
});

const equityArb = decimalArb(1, 100_000_000, 2);
const budgetArb = decimalArb(1, 10_000, 4);

function run(
  cfg: { budgetPrecision: number; minBudgetUsd: Decimal },
  equity: Decimal,
  budget: Decimal,
  cs: SymbolCandidate[],
): AllocationResult {
  return new DdAllocator(makeDdAllocatorConfig(cfg)).allocate({
    equity,
    portfolioDdBudget: budget,
    candidates: cs,
  });
}

describe("DdAllocator properties", () => {
  it("budgets are non-negative and conserve the portfolio budget exactly", () => {
    fc.assert(
      fc.property(configArb, equityArb, budgetArb, candidatesArb, (cfg, equity, budget, cs) => {
        const r = run(cfg, equity, budget, cs);
        let sum = Decimal.ZERO;
        for (const [sym, usd] of r.allocationsUsd) {
          assert.ok(!usd.isNegative(), sym);
          assert.ok(!(r.allocations.get(sym) as Decimal).isNegative());
          sum = sum.add(usd);
        }
        assert.ok(!r.residualUsd.isNegative());
        assert.ok(sum.add(r.residualUsd).eq(equity.mul(budget)));
        assert.ok(sum.eq(r.totalAllocatedUsd));
        assert.equal(r.enabledCount, cs.filter((c) => c.enabled).length);
        for (const c of cs) assert.equal(r.allocationsUsd.has(c.symbol), c.enabled);
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic and independent of candidate order", () => {
    fc.assert(
      fc.property(configArb, equityArb, budgetArb, candidatesArb, (cfg, equity, budget, cs) => {
        const a = canonicalJson(allocationResultToJson(run(cfg, equity, budget, cs)));
        const b = canonicalJson(
          allocationResultToJson(run(cfg, equity, budget, [...cs].reverse())),
        );
        assert.equal(a, b);
      }),
      { numRuns: 200 },
    );
  });

  it("never lowers a symbol's budget when the portfolio budget grows", () => {
    fc.assert(
      fc.property(
        configArb,
        equityArb,
        budgetArb,
        budgetArb,
        candidatesArb,
        (cfg, equity, b1, b2, cs) => {
          const [lo, hi] = b1.lte(b2) ? [b1, b2] : [b2, b1];
          const small = run(cfg, equity, lo, cs);
          const large = run(cfg, equity, hi, cs);
          for (const [sym, usd] of small.allocationsUsd) {
            assert.ok(
              usd.lte(large.allocationsUsd.get(sym) as Decimal),
              `${sym}: ${usd} > ${large.allocationsUsd.get(sym)}`,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives HIGH <= MED <= LOW at equal weights", () => {
    fc.assert(
      fc.property(
        configArb,
        equityArb,
        budgetArb,
        decimalArb(1, 5000, 2),
        (cfg, equity, budget, w) => {
          const cs = [
            makeSymbolCandidate({ symbol: "HHH", tier: RiskTier.HIGH, weight: w }),
            makeSymbolCandidate({ symbol: "MMM", tier: RiskTier.MED, weight: w }),
            makeSymbolCandidate({ symbol: "LLL", tier: RiskTier.LOW, weight: w }),
          ];
          const r = run(cfg, equity, budget, cs).allocationsUsd;
          const h = r.get("HHH") as Decimal;
          const m = r.get("MMM") as Decimal;
          const l = r.get("LLL") as Decimal;
          assert.ok(h.lte(m) && m.lte(l), `${h} ${m} ${l}`);
        },
      ),
      { numRuns: 200 },
    );
  });
});
