import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import { SeededRandom } from "../../core/prng.js";
import { fastRowDecoder, newFastRow } from "./row-bytes.js";
import { decodeRow, type QuoteModel } from "./row-decoders.js";

function model(bps: string, depth: string, time: "event" | "transaction" = "event"): QuoteModel {
  return {
    halfSpread: Decimal.parse(bps).div(Decimal.fromInt(10000)),
    depthQty: Decimal.parse(depth),
    bookTickerTime: time,
  };
}

/** A decimal text: mostly plain prices and sizes, sometimes odd or malformed. */
function decimalText(r: SeededRandom): string {
  const pick = r.int(0, 19);
  if (pick === 0)
    return ["", "-1.5", "1e3", "1.2.3", ".5", "5.", "0", "0.000", " 1"][r.int(0, 8)] ?? "";
  const intDigits = r.int(1, pick === 1 ? 17 : 6);
  const fracDigits = pick === 2 ? r.int(8, 14) : r.int(0, 8);
  let s = String(r.int(pick === 3 ? 0 : 1, 9));
  for (let i = 1; i < intDigits; i++) s += String(r.int(0, 9));
  if (fracDigits > 0 || pick === 4) s += ".";
  for (let i = 0; i < fracDigits; i++) s += String(r.int(0, 9));
  return s;
}

function epochText(r: SeededRandom): string {
  const pick = r.int(0, 9);
  if (pick === 0) return String(1_767_225_600_000_000 + r.int(0, 1e9)); // microseconds
  if (pick === 1) return ["", "abc", "99", "1767225600", "99999999999999999"][r.int(0, 4)] ?? "";
  return String(1_767_225_600_000 + r.int(0, 86_400_000));
}

function boolText(r: SeededRandom): string {
  return ["true", "false", "true", "false", "TRUE", "False", "yes", ""][r.int(0, 7)] ?? "";
}

function idText(r: SeededRandom): string {
  return r.int(0, 30) === 0 ? "x1" : String(r.int(0, 1e9) * 1000 + r.int(0, 999));
}

function bookTickerRow(r: SeededRandom): string {
  const cols = [
    idText(r),
    decimalText(r),
    decimalText(r),
    decimalText(r),
    decimalText(r),
    epochText(r),
    epochText(r),
  ];
  if (r.int(0, 3) === 0) cols[3] = cols[1] ?? ""; // bid = ask
  if (r.int(0, 30) === 0) cols.push("1");
  return cols.join(",");
}

function aggTradesRow(r: SeededRandom, columns: number): string {
  const cols = [
    idText(r),
    decimalText(r),
    decimalText(r),
    idText(r),
    idText(r),
    epochText(r),
    boolText(r),
  ];
  if (columns === 8) cols.push(boolText(r));
  if (r.int(0, 30) === 0) cols.pop();
  return cols.join(",");
}

const show = (d: Decimal): string => `${d.isNegative() ? "-" : ""}${d.toString()}@${d.exp}`;

describe("fast row decoding (bytes)", () => {
  it("gives exactly decodeRow's point for every row it accepts, over 40,000 random rows", () => {
    const r = new SeededRandom(15);
    const models = [
      model("1", "1"),
      model("0.5", "2.5"),
      model("2.5", "1", "transaction"),
      model("10", "0.001"),
      model("0", "1"),
      model("3", "1"),
    ];
    const accepted = { bookTicker: 0, aggTrades: 0 };
    for (let i = 0; i < 40_000; i++) {
      const m = models[i % models.length] as QuoteModel;
      const kind = i % 2 === 0 ? "bookTicker" : "aggTrades";
      const columns = kind === "bookTicker" ? 7 : r.int(7, 8);
      const text = kind === "bookTicker" ? bookTickerRow(r) : aggTradesRow(r, columns);
      const decode = fastRowDecoder(kind, m);
      assert.ok(decode !== undefined);
      const bytes = Buffer.from(`#${text}\n`);
      const row = newFastRow();
      if (!decode(bytes, 1, bytes.length - 1, columns, row)) continue;
      accepted[kind]++;
      const slow = decodeRow(kind, text.split(","), m, columns);
      assert.ok(slow.ok, `${text}: accepted by bytes, refused by decodeRow`);
      const [p] = slow.points;
      assert.ok(p !== undefined && slow.points.length === 1);
      const got = [
        row.ts,
        show(row.bidPrice),
        show(row.bidQty),
        show(row.askPrice),
        show(row.askQty),
        show(row.lastPrice),
        show(row.lastQty),
        row.takerSide,
        row.micros,
      ];
      const want = [
        p.ts,
        show(p.bidPrice),
        show(p.bidQty),
        show(p.askPrice),
        show(p.askQty),
        show(p.lastPrice),
        show(p.lastQty),
        p.takerSide,
        slow.micros,
      ];
      assert.deepEqual(got, want, `${kind} row ${text}`);
    }
    // Most generated rows are well formed: the fast path must take a good share of them.
    assert.ok(accepted.bookTicker > 3000, `bookTicker accepted ${accepted.bookTicker}`);
    assert.ok(accepted.aggTrades > 3000, `aggTrades accepted ${accepted.aggTrades}`);
  });

  it("reads a bookTicker row by hand: mid of 100.5 and 100.75 is 100.625", () => {
    const decode = fastRowDecoder("bookTicker", model("1", "1"));
    const text = "7,100.5,2,100.75,3.000,1767225600000,1767225600004";
    const row = newFastRow();
    assert.ok(decode?.(Buffer.from(text), 0, text.length, 7, row));
    assert.equal(row.ts, 1767225600004);
    assert.equal(row.lastPrice.toString(), "100.625");
    assert.equal(row.askQty.toString(), "3.000");
  });

  it("synthesizes the aggTrades quote by hand: 60000.10 at 1 bps is 59994.09 / 60006.11", () => {
    const decode = fastRowDecoder("aggTrades", model("1", "1"));
    const text = "1,60000.10,0.5,2,3,1767225600000,true";
    const row = newFastRow();
    assert.ok(decode?.(Buffer.from(text), 0, text.length, 7, row));
    // off = 60000.10 * 0.0001 = 6.00001: bid 59994.09999, ask 60006.10001 (no zeros to trim).
    assert.equal(row.bidPrice.toString(), "59994.09999");
    assert.equal(row.askPrice.toString(), "60006.10001");
    assert.equal(row.takerSide, "SELL");
    const round = "1,60000.00,0.5,2,3,1767225600000,false";
    assert.ok(decode?.(Buffer.from(round), 0, round.length, 7, row));
    // off = 6.000000: bid 59994.000000 trimmed to the price's two places.
    assert.equal(row.bidPrice.toString(), "59994.00");
    assert.equal(row.askPrice.toString(), "60006.00");
    assert.equal(row.takerSide, "BUY");
  });

  it("leaves headers, crossed quotes and other column counts to the general path", () => {
    const decode = fastRowDecoder("bookTicker", model("1", "1"));
    const row = newFastRow();
    for (const text of [
      "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time",
      "7,101,2,100,3,1767225600000,1767225600004",
      "7,100,2,101,3,1767225600000",
      "7,100,2,101,3,1767225600000,1767225600004,9",
    ]) {
      assert.equal(decode?.(Buffer.from(text), 0, text.length, 7, row), false, text);
    }
    assert.equal(fastRowDecoder("klines", model("1", "1")), undefined);
  });
});
