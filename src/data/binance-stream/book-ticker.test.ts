import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bookTickerStream, bookTickerToSnapshot, parseBinanceWsMessage } from "./book-ticker.js";

const SPOT =
  '{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}';
const FUT =
  '{"e":"bookTicker","u":400900217,"E":1568014460893,"T":1568014460891,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}';

describe("binance bookTicker messages", () => {
  it("parses the spot payload", () => {
    const m = parseBinanceWsMessage(SPOT);
    assert.equal(m.kind, "bookTicker");
    if (m.kind !== "bookTicker") return;
    assert.equal(m.ticker.symbol, "BNBUSDT");
    assert.equal(m.ticker.updateId, 400900217);
    assert.equal(m.ticker.bidPrice.toString(), "25.35190000");
    assert.equal(m.ticker.askQty.toString(), "40.66000000");
    assert.equal(m.ticker.eventTime, undefined);
    assert.equal(m.stream, undefined);
  });

  it("parses the futures payload inside the combined-stream wrapper", () => {
    const m = parseBinanceWsMessage(`{"stream":"bnbusdt@bookTicker","data":${FUT}}`);
    assert.equal(m.kind, "bookTicker");
    if (m.kind !== "bookTicker") return;
    assert.equal(m.stream, "bnbusdt@bookTicker");
    assert.equal(m.ticker.eventTime, 1568014460893);
    assert.equal(m.ticker.transactTime, 1568014460891);
  });

  it("snapshot uses mid as last price and zero last qty", () => {
    const m = parseBinanceWsMessage(SPOT);
    if (m.kind !== "bookTicker") throw new Error("expected bookTicker");
    const s = bookTickerToSnapshot(m.ticker, 1700000000000);
    // (25.35190000 + 25.36520000) / 2
    assert.equal(s.lastPrice.toString(), "25.35855000");
    assert.equal(s.lastQty.toString(), "0");
    assert.equal(s.ts, 1700000000000);
    assert.equal(s.bidQty.toString(), "31.21000000");
  });

  it("subscribe replies and errors", () => {
    assert.deepEqual(parseBinanceWsMessage('{"result":null,"id":1}'), {
      kind: "subscribeReply",
      id: 1,
      result: null,
    });
    assert.deepEqual(
      parseBinanceWsMessage('{"error":{"code":2,"msg":"Invalid request: unknown variant"},"id":3}'),
      {
        kind: "subscribeError",
        id: 3,
        code: 2,
        msg: "Invalid request: unknown variant",
      },
    );
  });

  it("malformed and foreign frames are classified, never thrown", () => {
    const kinds = [
      "not json",
      "[1,2,3]",
      "42",
      '{"stream":"x","data":5}',
      '{"u":1,"s":"BTCUSDT","b":"abc","B":"1","a":"2","A":"1"}',
      '{"u":1.5,"s":"BTCUSDT","b":"1","B":"1","a":"2","A":"1"}',
      '{"u":1,"s":"BTCUSDT","B":"1","a":"2","A":"1"}',
    ].map((t) => parseBinanceWsMessage(t).kind);
    assert.deepEqual(kinds, Array(7).fill("malformed"));
    assert.equal(parseBinanceWsMessage('{"e":"trade","s":"BTCUSDT"}').kind, "ignored");
    assert.equal(parseBinanceWsMessage('{"hello":"world"}').kind, "ignored");
    const m = parseBinanceWsMessage('{"u":1,"s":"BTCUSDT","b":"abc","B":"1","a":"2","A":"1"}');
    assert.equal(
      m.kind === "malformed" && m.error.startsWith('field b: not a decimal number: "abc"'),
      true,
    );
  });

  it("stream names", () => {
    assert.equal(bookTickerStream("BTCUSDT"), "btcusdt@bookTicker");
  });
});
