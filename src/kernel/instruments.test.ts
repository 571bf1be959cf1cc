import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal, dec } from "../core/decimal.js";
import { Snapshot } from "../domain/snapshot.js";
import { InstrumentBook } from "./instruments.js";

function quote(bid: string, ask: string, bidQty = "3.114", askQty = "5.027"): Snapshot {
  return new Snapshot({
    ts: 1,
    symbol: "BTCUSDT",
    bidPrice: dec(bid),
    askPrice: dec(ask),
    bidQty: dec(bidQty),
    askQty: dec(askQty),
    lastPrice: dec(bid),
    lastQty: Decimal.ZERO,
  });
}

function trade(price: string, qty: string, symbol = "ADAUSDT"): Snapshot {
  const p = dec(price);
  return new Snapshot({
    ts: 1,
    symbol,
    bidPrice: p,
    askPrice: p,
    bidQty: dec("1"),
    askQty: dec("1"),
    lastPrice: p,
    lastQty: dec(qty),
  });
}

test("quotes give their printed tick (trailing zeros kept); quantities their finest digit", () => {
  const b = new InstrumentBook();
  b.observe(quote("93421.50", "93421.60"));
  const s = b.spec("BTCUSDT");
  assert.equal(s?.tickSize.toString(), "0.01");
  assert.equal(s?.stepSize.toString(), "0.001");
  assert.equal(s?.minQty.toString(), "0.001");
  assert.ok(s?.minNotional.isZero());
  assert.equal(s?.source, "derived");
});

test("trade dumps pad with zeros: the finest non-zero digit over the first events wins, and only gets finer", () => {
  const b = new InstrumentBook();
  b.observe(trade("0.30100000", "100.00000000"));
  assert.equal(b.spec("ADAUSDT")?.tickSize.toString(), "0.001");
  assert.equal(b.spec("ADAUSDT")?.stepSize.toString(), "0.001", "never coarser than 0.001");
  b.observe(trade("0.30120000", "12.50000000"));
  assert.equal(b.spec("ADAUSDT")?.tickSize.toString(), "0.0001");
  assert.equal(b.spec("ADAUSDT")?.stepSize.toString(), "0.001");
  b.observe(trade("0.3", "1"));
  assert.equal(b.spec("ADAUSDT")?.tickSize.toString(), "0.0001");
});

test("a listed symbol keeps its exchangeInfo filters", () => {
  const listed = {
    symbol: "BTCUSDT",
    tickSize: dec("0.1"),
    stepSize: dec("0.001"),
    minQty: dec("0.001"),
    minNotional: dec("100"),
    source: "exchangeInfo" as const,
  };
  const b = new InstrumentBook(new Map([["BTCUSDT", listed]]));
  b.observe(quote("93421.55", "93421.57"));
  assert.equal(b.spec("BTCUSDT"), listed);
  assert.deepEqual(b.derivedSpecs(), []);
});
