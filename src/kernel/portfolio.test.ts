import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal } from "../core/decimal.js";
import { Portfolio } from "./portfolio.js";

const d = (s: string): Decimal => Decimal.parse(s);
const fill = (symbol: string, side: "BUY" | "SELL", price: string, quantity: string) => ({
  symbol,
  side,
  price: d(price),
  quantity: d(quantity),
  fee: Decimal.ZERO,
  feeAsset: "USDT",
});

test("equity and per-symbol losses follow every mark and fill (memoised values never go stale)", () => {
  const p = new Portfolio(d("1000"));
  const capital = d("1000");
  p.applyFill(fill("AAAUSDT", "BUY", "10", "2"));
  p.applyFill(fill("BBBUSDT", "BUY", "5", "4"));
  // Marks at the fill prices: nothing gained or lost.
  assert.equal(p.equity(capital).toString(), "1000");
  assert.deepEqual([...p.symbolLosses()], []);
  // AAA falls to 9: -2 on AAA; asked twice, the same answer.
  p.mark("AAAUSDT", d("9"));
  assert.equal(p.equity(capital).toString(), "998");
  assert.equal(p.equity(capital).toString(), "998");
  assert.deepEqual(
    [...p.symbolLosses()].map(([s, v]) => `${s}:${v}`),
    ["AAAUSDT:2"],
  );
  // |2| x 9 + |4| x 5 = 38, asked twice; then after AAA's next mark.
  assert.equal(p.positionNotional().toString(), "38");
  assert.equal(p.positionNotional().toString(), "38");
  assert.equal(p.position("AAAUSDT").toString(), "2");
  assert.equal(p.position("CCCUSDT").toString(), "0");
  // Another capital is another equity.
  assert.equal(p.equity(d("500")).toString(), "498");
  // BBB falls to 4.5 (-2.00), AAA recovers to 9.5 (-1.0).
  p.mark("BBBUSDT", d("4.5"));
  p.mark("AAAUSDT", d("9.5"));
  assert.equal(p.equity(capital).toString(), "997.0");
  assert.equal(p.positionNotional().toString(), "37.0"); // 2 x 9.5 + 4 x 4.5
  assert.deepEqual(
    [...p.symbolLosses()].map(([s, v]) => `${s}:${v}`),
    ["AAAUSDT:1.0", "BBBUSDT:2.0"],
  );
  // Selling AAA at 9.5 realizes the -1.0: the loss stays, now realized; equity unchanged.
  p.applyFill(fill("AAAUSDT", "SELL", "9.5", "2"));
  assert.equal(p.equity(capital).toString(), "997.0");
  assert.deepEqual(
    [...p.symbolLosses()].map(([s, v]) => `${s}:${v}`),
    ["AAAUSDT:1.0", "BBBUSDT:2.0"],
  );
  assert.equal(p.positionNotional().toString(), "18.0"); // AAA flat, 4 x 4.5
  // BBB back above its entry: only AAA's realized loss is left.
  p.mark("BBBUSDT", d("5.25"));
  assert.deepEqual(
    [...p.symbolLosses()].map(([s, v]) => `${s}:${v}`),
    ["AAAUSDT:1.0"],
  );
  assert.equal(p.equity(capital).toString(), "1000.00");
});
