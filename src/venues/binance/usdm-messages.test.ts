/** USD-M message parsing: Binance's documented shapes read, bad ones named by field. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseDualSidePosition,
  parseLeverageReply,
  parsePositionRisk,
  parseUsdmUserEvent,
  parseUserTrades,
} from "./usdm-messages.js";

/** An ORDER_TRADE_UPDATE as Binance documents it (a TRADE of a LIMIT order). */
function tradeEvent(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    e: "ORDER_TRADE_UPDATE",
    E: 1568879465651,
    T: 1568879465650,
    o: {
      s: "BTCUSDT",
      c: "grinder_0123",
      S: "SELL",
      o: "LIMIT",
      f: "GTC",
      q: "0.002",
      p: "7103.10",
      ap: "7103.1",
      sp: "0",
      x: "TRADE",
      X: "PARTIALLY_FILLED",
      i: 8886774,
      l: "0.001",
      z: "0.001",
      L: "7103.1",
      N: "USDT",
      n: "0.00142062",
      T: 1568879465650,
      t: 12345,
      b: "0",
      a: "9.91",
      m: true,
      R: false,
      wt: "CONTRACT_PRICE",
      ot: "LIMIT",
      ps: "BOTH",
      cp: false,
      rp: "0",
      ...extra,
    },
  };
}

describe("USD-M messages", () => {
  it("ORDER_TRADE_UPDATE: a trade with its commission and maker flag", () => {
    const e = parseUsdmUserEvent(JSON.stringify(tradeEvent()));
    assert.equal(e.kind, "order");
    if (e.kind !== "order") return;
    assert.deepEqual(
      [e.symbol, e.clientOrderId, e.side, e.orderId, e.executionType, e.status, e.tradeId],
      ["BTCUSDT", "grinder_0123", "SELL", "8886774", "TRADE", "PARTIALLY_FILLED", "12345"],
    );
    assert.deepEqual([e.lastQty, e.lastPrice, e.cumQty, e.commission, e.origQty].map(String), [
      "0.001",
      "7103.1",
      "0.001",
      "0.00142062",
      "0.002",
    ]);
    assert.equal(e.commissionAsset, "USDT");
    assert.equal(e.maker, true);
  });

  it("ORDER_TRADE_UPDATE without a commission (Binance leaves N and n out): fee 0", () => {
    const raw = tradeEvent({ x: "NEW", X: "NEW", l: "0", z: "0", L: "0", t: 0 });
    const o = raw.o as Record<string, unknown>;
    delete o.N;
    delete o.n;
    const e = parseUsdmUserEvent(JSON.stringify(raw));
    assert.ok(e.kind === "order" && e.commission.isZero() && e.commissionAsset === "");
  });

  it("names the event and the field of a bad message", () => {
    assert.throws(
      () => parseUsdmUserEvent(JSON.stringify(tradeEvent({ S: "SHORT" }))),
      /user data stream ORDER_TRADE_UPDATE\.o: field "S": expected "BUY" or "SELL", got "SHORT"/,
    );
    assert.throws(
      () => parseUsdmUserEvent(JSON.stringify(tradeEvent({ z: 0.001 }))),
      /field "z": expected a decimal string, got 0.001/,
    );
    assert.throws(() => parseUsdmUserEvent("{"), /user data stream: not JSON/);
    assert.throws(() => parseUsdmUserEvent("[]"), /expected a JSON object/);
  });

  it("ACCOUNT_UPDATE: balances and one-way positions", () => {
    const e = parseUsdmUserEvent(
      JSON.stringify({
        e: "ACCOUNT_UPDATE",
        E: 1564745798939,
        T: 1564745798938,
        a: {
          m: "ORDER",
          B: [{ a: "USDT", wb: "122624.12345678", cw: "100.12345678", bc: "50.12345678" }],
          P: [
            {
              s: "BTCUSDT",
              pa: "-0.5",
              ep: "7103.1",
              bep: "7103.1",
              cr: "0",
              up: "0",
              mt: "cross",
              iw: "0",
              ps: "BOTH",
            },
          ],
        },
      }),
    );
    assert.ok(e.kind === "account");
    assert.equal(e.reason, "ORDER");
    assert.deepEqual(
      e.positions.map((p) => [
        p.symbol,
        String(p.positionAmt),
        String(p.entryPrice),
        p.positionSide,
      ]),
      [["BTCUSDT", "-0.5", "7103.1", "BOTH"]],
    );
    assert.equal(String(e.balances[0]?.change), "50.12345678");
  });

  it("listenKeyExpired, with E as a number or as text; other events are passed as other", () => {
    for (const E of [1736996475556, "1736996475556"]) {
      const e = parseUsdmUserEvent(JSON.stringify({ e: "listenKeyExpired", E, listenKey: "k" }));
      assert.deepEqual(e, { kind: "listenKeyExpired", eventTime: 1736996475556 });
    }
    assert.deepEqual(parseUsdmUserEvent(JSON.stringify({ e: "MARGIN_CALL", E: 1 })), {
      kind: "other",
      type: "MARGIN_CALL",
    });
  });

  it("REST replies: position mode, leverage, positionRisk, userTrades", () => {
    assert.equal(parseDualSidePosition({ dualSidePosition: true }), true);
    assert.throws(() => parseDualSidePosition({ dualSidePosition: "true" }), /dualSidePosition/);
    assert.deepEqual(
      parseLeverageReply({ leverage: 21, maxNotionalValue: "1000000", symbol: "BTCUSDT" }),
      { symbol: "BTCUSDT", leverage: 21 },
    );
    assert.throws(() => parseLeverageReply({ leverage: 0, symbol: "X" }), /field "leverage"/);
    const row = {
      symbol: "BTCUSDT",
      positionAmt: "0.010",
      entryPrice: "60000.0",
      markPrice: "60100.00000000",
      leverage: "3",
      positionSide: "BOTH",
    };
    assert.equal(String(parsePositionRisk([row])[0]?.positionAmt), "0.010");
    assert.throws(
      () => parsePositionRisk([{ ...row, leverage: "x" }]),
      /positionRisk reply \[0\]: field "leverage"/,
    );
    const [t] = parseUserTrades([
      {
        buyer: false,
        commission: "-0.07819010",
        commissionAsset: "USDT",
        id: 698759,
        maker: false,
        orderId: 25851813,
        price: "7819.01",
        qty: "0.002",
        quoteQty: "15.63802",
        realizedPnl: "-0.91539999",
        side: "SELL",
        positionSide: "SHORT",
        symbol: "BTCUSDT",
        time: 1569514978020,
      },
    ]);
    assert.deepEqual(
      [t?.id, t?.orderId, String(t?.commission), t?.maker, t?.side],
      ["698759", "25851813", "-0.07819010", false, "SELL"],
    );
  });
});
