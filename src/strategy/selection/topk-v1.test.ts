import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import {
  makeTopKConfigV1,
  type SelectionCandidate,
  selectionCandidateToJson,
  selectionResultToJson,
  selectTopKV1,
  topKConfigV1ToJson,
} from "./topk-v1.js";

const d = (s: string): Decimal => Decimal.parse(s);

function cand(symbol: string, p: Partial<SelectionCandidate> = {}): SelectionCandidate {
  return {
    symbol,
    rangeScore: 50,
    spreadBps: 10,
    thinL1: d("5"),
    netReturnBps: 20,
    warmupBars: 20,
    ...p,
  };
}

const field = [
  cand("AAA"),
  cand("BBB", { rangeScore: 30, thinL1: d("150.7"), netReturnBps: -10 }),
  cand("CCC", {
    rangeScore: 80,
    spreadBps: 60,
    thinL1: d("0.5"),
    netReturnBps: 0,
    warmupBars: 10,
    toxicityBlocked: true,
  }),
  cand("DDD", { rangeScore: 100, thinL1: d("9"), netReturnBps: 50, warmupBars: 15 }),
  cand("EEE"),
  cand("FFF", { rangeScore: 999, toxicityBlocked: true }),
];

describe("selectTopKV1", () => {
  it("scores range + liquidity - trend and selects the best K", () => {
    const r = selectTopKV1(field);
    // BBB: 30 + ilog10(151)=2 -> 2*1000*0.5 = 1000, - 10 = 1020
    // DDD: 100 + ilog10(10)=1 -> 500, - 50 = 550
    // AAA and EEE: 50 + ilog10(6)=0 - 20 = 30; the tie goes to the smaller symbol
    assert.deepEqual(r.selected, ["BBB", "DDD", "AAA"]);
    assert.equal(r.gateExcluded, 2);
    assert.equal(r.totalCandidates, 6);
    const bySym = new Map(r.scores.map((s) => [s.symbol, s]));
    assert.deepEqual(
      ["BBB", "DDD", "AAA", "EEE"].map((s) => [bySym.get(s)?.score, bySym.get(s)?.rank]),
      [
        [1020, 1],
        [550, 2],
        [30, 3],
        [30, 0],
      ],
    );
    assert.deepEqual(bySym.get("CCC")?.gatesFailed, [
      "TOXICITY_BLOCKED",
      "SPREAD_TOO_WIDE",
      "THIN_BOOK",
      "WARMUP_INSUFFICIENT",
    ]);
    assert.deepEqual(bySym.get("FFF")?.gatesFailed, ["TOXICITY_BLOCKED"]);
    assert.equal(bySym.get("FFF")?.score, 0);
    // Selected by rank first, then the rest by symbol.
    assert.deepEqual(
      r.scores.map((s) => s.symbol),
      ["BBB", "DDD", "AAA", "CCC", "EEE", "FFF"],
    );
    const json = selectionResultToJson(r) as { scores: Record<string, unknown>[] };
    assert.deepEqual(json.scores[0], {
      symbol: "BBB",
      score: 1020,
      range_component: 30,
      liquidity_component: 1000,
      toxicity_penalty: 0,
      trend_penalty: 10,
      gates_failed: [],
      selected: true,
      rank: 1,
    });
  });

  it("applies the toxicity penalty when blocked symbols are not excluded", () => {
    const r = selectTopKV1(
      field,
      makeTopKConfigV1({
        k: 10,
        toxBlockedExclude: false,
        spreadMaxBps: 100,
        warmupMin: 10,
        thinL1Min: d("0"),
      }),
    );
    assert.deepEqual(r.selected, ["BBB", "DDD", "AAA", "EEE", "FFF", "CCC"]);
    const fff = r.scores.find((s) => s.symbol === "FFF");
    // 999 + 0 - 200 * 100 - 20
    assert.equal(fff?.score, -19021);
    assert.equal(fff?.toxicityPenalty, 20000);
  });

  it("gates are strict inequalities", () => {
    const cfg = makeTopKConfigV1();
    const edge = cand("X", { spreadBps: 50, thinL1: d("1.0"), warmupBars: 15 });
    assert.deepEqual(selectTopKV1([edge], cfg).selected, ["X"]);
    assert.deepEqual(selectTopKV1([{ ...edge, spreadBps: 51 }], cfg).scores[0]?.gatesFailed, [
      "SPREAD_TOO_WIDE",
    ]);
    assert.deepEqual(selectTopKV1([{ ...edge, thinL1: d("0.99") }], cfg).scores[0]?.gatesFailed, [
      "THIN_BOOK",
    ]);
    assert.deepEqual(selectTopKV1([{ ...edge, warmupBars: 14 }], cfg).scores[0]?.gatesFailed, [
      "WARMUP_INSUFFICIENT",
    ]);
  });

  it("has the class defaults and JSON forms", () => {
    assert.deepEqual(topKConfigV1ToJson(makeTopKConfigV1()), {
      k: 3,
      spread_max_bps: 50,
      thin_l1_min: "1.0",
      warmup_min: 15,
      tox_blocked_exclude: true,
      w_range: 100,
      w_liquidity: 50,
      w_toxicity: 200,
      w_trend: 100,
      liq_scale: 1000,
    });
    assert.equal(
      canonicalJson(selectionCandidateToJson(cand("Q"))),
      '{"net_return_bps":20,"range_score":50,"spread_bps":10,"symbol":"Q","thin_l1":"5","toxicity_blocked":false,"warmup_bars":20}',
    );
    const empty = selectTopKV1([]);
    assert.deepEqual(selectionResultToJson(empty), {
      selected: [],
      scores: [],
      k: 3,
      total_candidates: 0,
      gate_excluded: 0,
    });
  });

  it("a negative k drops from the end as a list slice does", () => {
    assert.deepEqual(selectTopKV1(field, makeTopKConfigV1({ k: -1 })).selected, [
      "BBB",
      "DDD",
      "AAA",
    ]);
    assert.deepEqual(selectTopKV1(field, makeTopKConfigV1({ k: 0 })).selected, []);
  });

  it("is deterministic and independent of candidate order", () => {
    const candArb = fc.record({
      symbol: fc.stringMatching(/^[A-Z]{1,4}$/),
      rangeScore: fc.integer({ min: 0, max: 2000 }),
      spreadBps: fc.integer({ min: 0, max: 120 }),
      thinL1: fc
        .integer({ min: 0, max: 10_000_000 })
        .map((n) => Decimal.fromParts(false, BigInt(n), -3)),
      netReturnBps: fc.integer({ min: -1000, max: 1000 }),
      warmupBars: fc.integer({ min: 0, max: 40 }),
      toxicityBlocked: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(candArb, { maxLength: 15, selector: (c) => c.symbol }),
        fc.integer({ min: 0, max: 8 }),
        (cs, k) => {
          const cfg = makeTopKConfigV1({ k });
          const a = selectTopKV1(cs, cfg);
          const b = selectTopKV1([...cs].reverse(), cfg);
          assert.equal(
            canonicalJson(selectionResultToJson(a)),
            canonicalJson(selectionResultToJson(b)),
          );
          assert.ok(a.selected.length <= k);
          // Selected scores are non-increasing, and no unselected eligible one beats the last selected.
          const sel = a.scores.filter((s) => s.selected);
          for (let i = 1; i < sel.length; i++)
            assert.ok((sel[i - 1]?.score as number) >= (sel[i]?.score as number));
          const rest = a.scores.filter((s) => !s.selected && s.gatesFailed.length === 0);
          if (sel.length < k) {
            assert.equal(rest.length, 0);
          } else if (k > 0) {
            for (const s of rest) assert.ok(s.score <= (sel[sel.length - 1]?.score as number));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
