import assert from "node:assert/strict";
import { it } from "node:test";
import { ManualClock } from "./clock.js";

it("a manual clock moves only when set, advanced or slept on, and records its sleeps", async () => {
  const c = new ManualClock(1000);
  assert.equal(c.nowMs(), 1000);
  c.advance(5);
  assert.equal(c.nowMs(), 1005);
  c.set(42);
  assert.equal(c.nowMs(), 42);
  await c.sleep(100);
  await c.sleep(-3);
  assert.equal(c.nowMs(), 142, "a negative sleep does not move time back");
  assert.deepEqual(c.sleeps, [100, -3]);
  const aborted = new AbortController();
  aborted.abort(new Error("stop"));
  await assert.rejects(c.sleep(10, aborted.signal), /stop/);
  assert.equal(c.nowMs(), 142);
});
