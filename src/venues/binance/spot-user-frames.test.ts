import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeUserFrame, UserFrameError } from "./spot-user-frames.js";

// As in Binance's user-data-stream docs (a partial fill of a BUY, commission in the base asset).
const REPORT = {
  e: "executionReport",
  E: 1499405658658,
  s: "ETHBTC",
  c: "mUvoqJxFIILMdfAW5iGSOW",
  S: "BUY",
  o: "LIMIT",
  f: "GTC",
  q: "1.00000000",
  p: "0.10264410",
  P: "0.00000000",
  F: "0.00000000",
  g: -1,
  C: "",
  x: "TRADE",
  X: "PARTIALLY_FILLED",
  r: "NONE",
  i: 4293153,
  l: "0.25000000",
  z: "0.25000000",
  L: "0.10264410",
  n: "0.00025000",
  N: "ETH",
  T: 1499405658657,
  t: 77,
  I: 8641984,
  w: true,
  m: true,
  M: false,
  O: 1499405658657,
  Z: "0.02566103",
  Y: "0.02566103",
  Q: "0.00000000",
  W: 1499405658657,
  V: "NONE",
};

describe("user data frames", () => {
  it("an executionReport gives the trade's quantity, price, commission, asset, maker flag and id", () => {
    const f = decodeUserFrame(JSON.stringify({ subscriptionId: 0, event: REPORT }));
    assert.ok(f.kind === "execution");
    const r = f.report;
    assert.equal(r.clientOrderId, "mUvoqJxFIILMdfAW5iGSOW");
    assert.equal(r.executionType, "TRADE");
    assert.equal(r.orderStatus, "PARTIALLY_FILLED");
    assert.equal(r.orderId, "4293153");
    assert.equal(r.lastQty.toString(), "0.25000000");
    assert.equal(r.lastPrice.toString(), "0.10264410");
    assert.equal(r.cumQty.toString(), "0.25000000");
    assert.equal(r.commission.toString(), "0.00025000");
    assert.equal(r.commissionAsset, "ETH");
    assert.equal(r.tradeId, "77");
    assert.equal(r.isMaker, true);
    assert.equal(r.time, 1499405658657);
  });

  it("a NEW report without commission asset (N null) and a cancel naming the order in C", () => {
    const f = decodeUserFrame(
      JSON.stringify({
        subscriptionId: 3,
        event: { ...REPORT, x: "CANCELED", X: "CANCELED", c: "cancel1", C: "mine", N: null, t: -1 },
      }),
    );
    assert.ok(f.kind === "execution" && f.subscriptionId === 3);
    assert.equal(f.report.commissionAsset, "");
    assert.equal(f.report.origClientOrderId, "mine");
    assert.equal(f.report.tradeId, "-1");
  });

  it("responses, account positions, known and terminated events", () => {
    assert.deepEqual(decodeUserFrame('{"id":"a","status":200,"result":{"subscriptionId":0}}'), {
      kind: "response",
      id: "a",
      status: 200,
      subscriptionId: 0,
    });
    assert.deepEqual(
      decodeUserFrame(
        '{"id":"a","status":400,"error":{"code":-1022,"msg":"Signature for this request is not valid."}}',
      ),
      {
        kind: "response",
        id: "a",
        status: 400,
        error: { code: -1022, msg: "Signature for this request is not valid." },
      },
    );
    const acc = decodeUserFrame(
      JSON.stringify({
        subscriptionId: 0,
        event: {
          e: "outboundAccountPosition",
          E: 1,
          u: 2,
          B: [{ a: "ETH", f: "10000.000000", l: "0.000000" }],
        },
      }),
    );
    assert.ok(acc.kind === "account");
    assert.equal(acc.balances[0]?.free.toString(), "10000.000000");
    assert.deepEqual(decodeUserFrame('{"subscriptionId":0,"event":{"e":"balanceUpdate","E":1}}'), {
      kind: "ignored",
      subscriptionId: 0,
      eventType: "balanceUpdate",
    });
    assert.deepEqual(
      decodeUserFrame('{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1}}'),
      { kind: "terminated", subscriptionId: 0 },
    );
  });

  it("a malformed frame is an error naming the field and what was expected", () => {
    const bad = (text: string, want: RegExp) =>
      assert.throws(
        () => decodeUserFrame(text),
        (e: unknown) => {
          assert.ok(e instanceof UserFrameError);
          assert.match(e.message, want);
          return true;
        },
      );
    bad("not json", /frame: expected JSON/);
    bad("[1]", /expected a JSON object/);
    bad("{}", /expected a response .* or an event/);
    bad(
      JSON.stringify({ subscriptionId: 0, event: { ...REPORT, l: 0.25 } }),
      /frame\.event\.l: expected a decimal string, got 0\.25/,
    );
    bad(
      JSON.stringify({ subscriptionId: 0, event: { ...REPORT, S: "HOLD" } }),
      /frame\.event\.S: expected "BUY" or "SELL"/,
    );
    bad(
      JSON.stringify({ subscriptionId: 0, event: { ...REPORT, m: "yes" } }),
      /frame\.event\.m: expected true or false/,
    );
    bad(
      '{"subscriptionId":0,"event":{"e":"mystery"}}',
      /frame\.event\.e: expected "executionReport"/,
    );
    bad(
      '{"subscriptionId":"0","event":{"e":"balanceUpdate"}}',
      /frame\.subscriptionId: expected an integer/,
    );
    bad('{"id":"a","status":500}', /frame\.error: expected an error object with status 500/);
    bad(
      JSON.stringify({
        subscriptionId: 0,
        event: { e: "outboundAccountPosition", E: 1, u: 2, B: [{ a: "ETH", f: 1 }] },
      }),
      /event\.B\[0\]\.f: expected a decimal string/,
    );
  });
});
