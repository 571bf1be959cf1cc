import assert from "node:assert/strict";
import { test } from "node:test";
import { snapshotFromEvent } from "./snapshot-event.js";
import { parseSnapshotLine } from "./snapshot-line.js";

const LINE =
  '{"ts": 1000, "type": "SNAPSHOT", "symbol": "BTCUSDT", "bid_price": "50000.00", "ask_price": "50001.00", "bid_qty": "10.0", "ask_qty": "10.0", "last_price": "50000.50", "last_qty": "0.5"}';

test("the fast path gives the same snapshot as JSON.parse + validation", () => {
  const fast = parseSnapshotLine(LINE);
  const slow = snapshotFromEvent(JSON.parse(LINE) as Record<string, unknown>, "x");
  assert.ok(fast);
  assert.deepEqual(fast.toDict(), slow.toDict());
  assert.equal(fast.midPrice.toString(), "50000.50");
  const compact = LINE.replaceAll(": ", ":").replaceAll(", ", ",");
  assert.deepEqual(parseSnapshotLine(compact)?.toDict(), slow.toDict());
});

test("anything unusual is left to the general path", () => {
  const cases = [
    LINE.replace('"SNAPSHOT"', '"TRADE"'),
    LINE.replace('"10.0"', '"1e1"'),
    LINE.replace('"10.0"', "10.0"),
    LINE.replace("1000", '"1000"'),
    LINE.replace("1000", "01000"),
    LINE.replace(', "last_qty": "0.5"', ""),
    LINE.replace("}", ', "extra": 1}'),
    LINE.replace('"BTCUSDT"', '"BTC\\u0055SDT"'),
    LINE.replace('"50000.00"', '"12345678901234567.00"'),
    "{not json",
    "",
  ];
  for (const c of cases) assert.equal(parseSnapshotLine(c), undefined, c);
});
