import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeTimers } from "../../test/support/fake-timers.js";
import { isConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { withTimeout } from "./with-timeout.js";

describe("withTimeout", () => {
  it("resolves when the operation finishes first and clears its timer", async () => {
    const timers = new FakeTimers();
    const v = await withTimeout("read", 100, async () => 7, timers);
    assert.equal(v, 7);
    assert.equal(timers.size, 0);
  });

  it("rejects with a timeout error naming the operation and aborts the signal", async () => {
    const timers = new FakeTimers();
    let seen: AbortSignal | undefined;
    const p = withTimeout(
      "write",
      250,
      (signal) => {
        seen = signal;
        return new Promise<number>(() => {});
      },
      timers,
    );
    timers.advance(249);
    assert.equal(seen?.aborted, false);
    timers.advance(1);
    await assert.rejects(p, (e: unknown) => {
      assert.ok(isConnectorTimeoutError(e));
      assert.equal(e.op, "write");
      assert.equal(e.timeoutMs, 250);
      assert.equal(e.message, "Timeout during write after 250ms");
      return true;
    });
    assert.equal(seen?.aborted, true);
  });

  it("passes operation errors through", async () => {
    const timers = new FakeTimers();
    await assert.rejects(
      withTimeout("connect", 100, async () => Promise.reject(new Error("refused")), timers),
      /refused/,
    );
    assert.equal(timers.size, 0);
  });

  it("zero timeout means no deadline", async () => {
    const timers = new FakeTimers();
    assert.equal(await withTimeout("close", 0, async () => "ok", timers), "ok");
    assert.equal(timers.size, 0);
  });
});
