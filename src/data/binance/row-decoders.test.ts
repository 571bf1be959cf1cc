import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { parseBinanceKind } from "./layouts.js";
import {
  type DecodeResult,
  decodeRow,
  midOf,
  parsePlainDecimal,
  type QuoteModel,
  type QuotePoint,
} from "./row-decoders.js";

const d = (s: string): Decimal => Decimal.parse(s);
const MODEL: QuoteModel = {
  halfSpread: d("0.0001"), // 1 bps
  depthQty: d("2.5"),
  bookTickerTime: "event",
};

function points(res: DecodeResult): QuotePoint[] {
  assert.ok(res.ok, res.ok ? "" : res.problem);
  return [...res.points];
}

function problem(res: DecodeResult): string {
  assert.ok(!res.ok, "expected a bad row");
  return res.problem;
}

function show(p: QuotePoint): string[] {
  return [
    String(p.ts),
    p.bidPrice.toString(),
    p.bidQty.toString(),
    p.askPrice.toString(),
    p.askQty.toString(),
    p.lastPrice.toString(),
    p.lastQty.toString(),
  ];
}

const row = (s: string): string[] => s.split(",");

describe("decodeRow bookTicker", () => {
  const r = row("9138427613472,93421.50,3.114,93421.60,5.027,1767225600004,1767225600009");

  it("is a true L1 quote at event_time with mid as last price and last qty 0", () => {
    assert.deepEqual(points(decodeRow("bookTicker", r, MODEL)).map(show), [
      ["1767225600009", "93421.50", "3.114", "93421.60", "5.027", "93421.55", "0"],
    ]);
  });

  it("can use transaction_time instead", () => {
    const p = points(decodeRow("bookTicker", r, { ...MODEL, bookTickerTime: "transaction" }));
    assert.equal(p[0]?.ts, 1767225600004);
  });

  it("names the column and the expectation of a bad field", () => {
    assert.equal(
      problem(
        decodeRow("bookTicker", row("1,93x1.5,3,93421.6,5,1767225600004,1767225600009"), MODEL),
      ),
      'column 2 (best_bid_price): expected a positive decimal, got "93x1.5"',
    );
    assert.equal(
      problem(
        decodeRow("bookTicker", row("1,93421.5,-3,93421.6,5,1767225600004,1767225600009"), MODEL),
      ),
      'column 3 (best_bid_qty): expected a non-negative decimal, got "-3"',
    );
    assert.match(
      problem(
        decodeRow("bookTicker", row("1,93421.5,3,93421.6,5,1767225600004,1767225600"), MODEL),
      ),
      /^column 7 \(event_time\): expected an epoch timestamp in milliseconds/,
    );
    assert.equal(
      problem(
        decodeRow("bookTicker", row("1,93421.7,3,93421.6,5,1767225600004,1767225600009"), MODEL),
      ),
      "crossed quote: expected best_bid_price <= best_ask_price, got 93421.7 > 93421.6",
    );
    assert.equal(
      problem(decodeRow("bookTicker", row("1,93421.5,3,93421.6,5,1767225600004"), MODEL)),
      "expected 7 columns for bookTicker, got 6",
    );
    assert.equal(
      problem(decodeRow("bookTicker", row("1,0,3,93421.6,5,1767225600004,1767225600009"), MODEL)),
      'column 2 (best_bid_price): expected a positive decimal, got "0"',
    );
  });
});

describe("decodeRow trades and aggTrades", () => {
  it("puts a synthetic quote around a futures aggTrade", () => {
    const r = row("2961726254,93421.50,0.003,6987812651,6987812651,1767225600021,false");
    assert.deepEqual(points(decodeRow("aggTrades", r, MODEL)).map(show), [
      // 93421.50 * 0.0001 = 9.342150; trailing zeros dropped down to the price's 2 places
      ["1767225600021", "93412.15785", "2.5", "93430.84215", "2.5", "93421.50", "0.003"],
    ]);
  });

  it("reads a spot aggTrade with microseconds and True/False", () => {
    const r = row(
      "3385727411,93421.51000000,0.00120000,4492810211,4492810213,1767225600012345,True,True",
    );
    const res = decodeRow("aggTrades", r, { ...MODEL, halfSpread: Decimal.ZERO });
    assert.ok(res.ok && res.micros);
    assert.deepEqual(points(res).map(show), [
      [
        "1767225600012",
        "93421.51000000",
        "2.5",
        "93421.51000000",
        "2.5",
        "93421.51000000",
        "0.00120000",
      ],
    ]);
  });

  it("reads spot (7 columns) and futures (6 columns) trades", () => {
    const spot = row("4492810211,93421.51000000,0.00040000,37.36860400,1767225600012345,True,True");
    const fut = row("6987812651,93421.50,0.003,280.26450,1767225600021,false");
    assert.deepEqual(
      points(decodeRow("trades", spot, MODEL)).map((p) => [p.ts, p.lastQty.toString()]),
      [[1767225600012, "0.00040000"]],
    );
    assert.deepEqual(
      points(decodeRow("trades", fut, MODEL)).map((p) => [p.ts, p.lastPrice.toString()]),
      [[1767225600021, "93421.50"]],
    );
  });

  it("flags a bad boolean, a bad id and a variant change", () => {
    assert.equal(
      problem(
        decodeRow("trades", row("6987812651,93421.50,0.003,280.26450,1767225600021,maybe"), MODEL),
      ),
      'column 6 (is_buyer_maker): expected true or false, got "maybe"',
    );
    assert.equal(
      problem(decodeRow("aggTrades", row("x,93421.50,0.003,1,1,1767225600021,false"), MODEL)),
      'column 1 (agg_trade_id): expected an integer id, got "x"',
    );
    const spot = row("3385727411,93421.51,0.0012,4492810211,4492810213,1767225600012345,True,True");
    assert.equal(
      problem(decodeRow("aggTrades", spot, MODEL, 7)),
      "expected 7 columns for aggTrades, got 8",
    );
    assert.equal(
      problem(decodeRow("aggTrades", row("1,2,3"), MODEL)),
      "expected 7 or 8 columns for aggTrades, got 3",
    );
  });

  it("reading a bookTicker row as aggTrades fails on a column the layouts disagree on", () => {
    const r = row("9138427613472,93421.50,3.114,93421.60,5.027,1767225600004,1767225600009");
    assert.equal(
      problem(decodeRow("aggTrades", r, MODEL)),
      'column 4 (first_trade_id): expected an integer id, got "93421.60"',
    );
  });
});

describe("synthetic quotes keep the source price's places", () => {
  it("drops trailing zeros of the bid and ask down to the price's exponent only", () => {
    const r = row("1,100.00,1,1,1,1767225600021,false");
    const p = points(decodeRow("aggTrades", r, MODEL))[0] as QuotePoint;
    // 100.00 * 0.0001 = 0.010000: 99.990000 -> 99.99, 100.010000 -> 100.01
    assert.deepEqual([p.bidPrice.toString(), p.askPrice.toString()], ["99.99", "100.01"]);
    const q = points(decodeRow("aggTrades", row("1,100.5,1,1,1,1767225600021,false"), MODEL))[0];
    // 100.5 * 0.0001 = 0.01005: nothing to drop
    assert.deepEqual([q?.bidPrice.toString(), q?.askPrice.toString()], ["100.48995", "100.51005"]);
  });
});

describe("decodeRow klines", () => {
  const model = { ...MODEL, halfSpread: Decimal.ZERO };
  const last = (res: DecodeResult): string[] =>
    points(res).map((p) => `${p.ts}@${p.lastPrice.toString()}`);

  it("walks open, low, high, close for a bullish candle with spread timestamps", () => {
    const r = row(
      "1767225600000,93421.50,93460.00,93400.10,93455.20,112.345,1767225659999,10496234.12,2351,60.123,5617345.77,0",
    );
    assert.deepEqual(last(decodeRow("klines", r, model)), [
      "1767225600000@93421.50",
      "1767225619999@93400.10", // +floor(59999/3)
      "1767225639999@93460.00", // +floor(2*59999/3)
      "1767225659999@93455.20",
    ]);
    const p = points(decodeRow("klines", r, MODEL));
    assert.deepEqual(show(p[1] as QuotePoint), [
      "1767225619999",
      "93390.75999", // 93400.10 - 9.340010
      "2.5",
      "93409.44001",
      "2.5",
      "93400.10",
      "0",
    ]);
  });

  it("walks open, high, low, close for a bearish candle; microseconds converted", () => {
    const r = row(
      "1767225600000000,93421.5,93430.0,93380.0,93390.0,1.5,1767229199999999,0,10,0.5,0,0",
    );
    const res = decodeRow("klines", r, model);
    assert.ok(res.ok && res.micros);
    assert.deepEqual(last(res), [
      "1767225600000@93421.5",
      "1767226799999@93430.0",
      "1767227999999@93380.0",
      "1767229199999@93390.0",
    ]);
  });

  it("rejects a candle whose high or low do not bound open and close", () => {
    const r = row("1767225600000,100,101,99.5,102,1,1767225659999,0,1,0,0,0");
    assert.equal(
      problem(decodeRow("klines", r, model)),
      "expected low <= open, close <= high, got open 100 high 101 low 99.5 close 102",
    );
  });
});

describe("parseBinanceKind", () => {
  it("accepts the four kinds and lists them otherwise", () => {
    assert.equal(parseBinanceKind("bookTicker"), "bookTicker");
    assert.throws(
      () => parseBinanceKind("bookticker"),
      /expected one of bookTicker, aggTrades, trades, klines/,
    );
  });
});

describe("fast decimal helpers", () => {
  /** Deterministic pseudo-random digits. */
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const randomText = (): string => {
    const intLen = 1 + rnd(8);
    const fracLen = rnd(3) === 0 ? 0 : 1 + rnd(10);
    let t = "";
    for (let i = 0; i < intLen; i++) t += String(rnd(10));
    if (fracLen > 0) t += ".";
    for (let i = 0; i < fracLen; i++) t += String(rnd(10));
    return t;
  };

  it("parsePlainDecimal equals Decimal.parse (coefficient and exponent)", () => {
    for (const t of [
      "0",
      "00.10",
      "93421.50",
      "0.00120000",
      "1.",
      "123456789012345678901234567890.5",
    ]) {
      const a = parsePlainDecimal(t);
      const b = Decimal.parse(t);
      assert.deepEqual([a.coef, a.exp, a.toString()], [b.coef, b.exp, b.toString()], t);
    }
    for (let i = 0; i < 2000; i++) {
      const t = randomText();
      assert.equal(parsePlainDecimal(t).toString(), Decimal.parse(t).toString(), t);
    }
  });

  it("midOf equals (a + b) / 2 by Decimal division", () => {
    const two = Decimal.fromInt(2);
    for (const [a, b] of [
      ["93421.50", "93421.60"],
      ["93421.5", "93421.60"],
      ["3310.43", "3310.44"],
      ["0.00", "0.00"],
      ["9999999999999999999999999999", "9999999999999999999999999998"],
    ] as const) {
      assert.equal(midOf(d(a), d(b)).toString(), d(a).add(d(b)).div(two).toString(), `${a} ${b}`);
    }
    for (let i = 0; i < 2000; i++) {
      const a = d(randomText());
      const b = d(randomText());
      assert.equal(midOf(a, b).toString(), a.add(b).div(two).toString());
    }
  });
});
