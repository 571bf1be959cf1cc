import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { dec } from "../../core/decimal.js";
import { TopKSelector, topKResultToJson } from "./topk-v0.js";

const DATA: Record<string, string[]> = {
  DOGE: ["0.1", "0.1001", "0.1", "0.1002"],
  AAA: ["10", "10.1", "10"],
  BBB: ["20", "20.2", "20"],
  ZED: ["5"],
  NEG: ["0", "1", "1.5"],
  ETH: ["2000", "2000.1"],
};

function load(t: TopKSelector): void {
  for (const [sym, prices] of Object.entries(DATA)) {
    prices.forEach((p, i) => {
      t.recordPrice(i, sym, dec(p));
    });
  }
}

const score = (symbol: string, bps: number, n: number) =>
  `{"event_count":${n},"score_bps":${bps},"symbol":"${symbol}"}`;

test("defaults K=3, window 10: score desc, then symbol asc", () => {
  const t = new TopKSelector();
  load(t);
  // NEG: the step from 0 is skipped, 1 -> 1.5 is 5000 bps.
  // AAA/BBB: 100 + 99.0099.. = 199 (tie, AAA first). DOGE: 10 + 9.99 + 20 = 40.
  // ETH: 0.5 bps rounds half-even to 0. ZED: one price, 0.
  assert.equal(
    canonicalJson(topKResultToJson(t.select())),
    `{"k":3,"scores":[${[
      score("NEG", 5000, 3),
      score("AAA", 199, 3),
      score("BBB", 199, 3),
      score("DOGE", 40, 4),
      score("ETH", 0, 2),
      score("ZED", 0, 1),
    ].join(",")}],"selected":["NEG","AAA","BBB"]}`,
  );
  assert.deepEqual(t.getAllSymbols(), ["DOGE", "AAA", "BBB", "ZED", "NEG", "ETH"]);
});

test("window keeps the newest prices; K beyond the symbol count selects all", () => {
  const t = new TopKSelector({ k: 10, windowSize: 2 });
  load(t);
  const r = t.select();
  assert.deepEqual(
    r.scores.map((s) => `${s.symbol}:${s.scoreBps}:${s.eventCount}`),
    ["NEG:5000:2", "AAA:99:2", "BBB:99:2", "DOGE:20:2", "ETH:0:2", "ZED:0:1"],
  );
  assert.deepEqual(r.selected, ["NEG", "AAA", "BBB", "DOGE", "ETH", "ZED"]);

  const t3 = new TopKSelector({ k: 2, windowSize: 3 });
  load(t3);
  assert.deepEqual(
    t3.select().scores.map((s) => `${s.symbol}:${s.scoreBps}`),
    ["NEG:5000", "AAA:199", "BBB:199", "DOGE:30", "ETH:0", "ZED:0"],
  );
  assert.deepEqual(t3.select().selected, ["NEG", "AAA"]);
});

test("K of 0 selects nothing; a negative K drops from the end like a slice", () => {
  const zero = new TopKSelector({ k: 0 });
  load(zero);
  assert.deepEqual(zero.select().selected, []);
  const neg = new TopKSelector({ k: -1 });
  load(neg);
  assert.deepEqual(neg.select().selected, ["NEG", "AAA", "BBB", "DOGE", "ETH"]);
});

test("empty selector and reset", () => {
  const t = new TopKSelector();
  assert.equal(canonicalJson(topKResultToJson(t.select())), '{"k":3,"scores":[],"selected":[]}');
  load(t);
  t.reset();
  assert.deepEqual(t.getAllSymbols(), []);
  assert.deepEqual(t.select().selected, []);
});
