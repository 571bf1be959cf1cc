import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../core/clock.js";
import { ConfigError } from "../core/errors.js";
import { SeededRandom } from "../core/prng.js";
import { ConnectorMetrics } from "./connector-metrics.js";
import { ConnectorClosedError } from "./errors/connector-closed-error.js";
import { ConnectorNonRetryableError } from "./errors/connector-non-retryable-error.js";
import { ConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { ConnectorTransientError } from "./errors/connector-transient-error.js";
import { isRetryable, retryWithPolicy } from "./retry.js";
import { makeRetryConfig } from "./retry-config.js";
import { makeRetryPolicy, retryDelayMs } from "./retry-policy.js";

const noRandom = (): number => assert.fail("no jitter draws no random number");

describe("retry policy", () => {
  it("backoff doubles and is capped", () => {
    const p = makeRetryPolicy({ baseDelayMs: 100, maxDelayMs: 500, jitter: "none" });
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((a) => retryDelayMs(p, a, noRandom)),
      [100, 200, 400, 500, 500],
    );
    const lin = makeRetryPolicy({
      baseDelayMs: 150,
      backoffMultiplier: 1.5,
      maxDelayMs: 10_000,
      jitter: "none",
    });
    // 150 * 1.5^3 = 506.25 -> truncated to 506
    assert.equal(retryDelayMs(lin, 3, noRandom), 506);
    // The defaults jitter ("equal"): 100 * 2^2 = 400 -> [200, 400].
    assert.equal(makeRetryPolicy().jitter, "equal");
    assert.equal(
      retryDelayMs(makeRetryPolicy(), 2, () => 0),
      200,
    );
    assert.equal(
      retryDelayMs(makeRetryPolicy(), 2, () => 0.999999),
      400,
    );
  });

  it("validation reports every problem", () => {
    assert.throws(
      () =>
        makeRetryPolicy({ maxAttempts: 0, baseDelayMs: 10, maxDelayMs: 5, backoffMultiplier: 0.5 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message ===
          "max_attempts must be >= 1; max_delay_ms must be >= base_delay_ms; backoff_multiplier must be >= 1.0",
    );
  });

  it("reconnect backoff of the data connector", () => {
    const c = makeRetryConfig({ baseDelayMs: 1000, maxDelayMs: 3000, jitter: "none" });
    assert.deepEqual(
      [-1, 0, 1, 2, 3].map((a) => retryDelayMs(c, a, noRandom)),
      [1000, 1000, 2000, 3000, 3000],
    );
  });

  it("classifies errors", () => {
    const p = makeRetryPolicy();
    assert.equal(isRetryable(new ConnectorTransientError("x"), p), true);
    assert.equal(isRetryable(new ConnectorTimeoutError("read", 1), p), true);
    assert.equal(
      isRetryable(new ConnectorTimeoutError("read", 1), makeRetryPolicy({ retryOnTimeout: false })),
      false,
    );
    assert.equal(isRetryable(new ConnectorNonRetryableError("x"), p), false);
    assert.equal(isRetryable(new ConnectorClosedError("read"), p), false);
    assert.equal(isRetryable(new Error("boom"), p), false);
  });
});

describe("retryWithPolicy", () => {
  it("retries transient failures with backoff on the injected sleep", async () => {
    const clock = new ManualClock();
    const metrics = new ConnectorMetrics();
    let calls = 0;
    const retried: number[] = [];
    const { result, stats } = await retryWithPolicy(
      "connect",
      async () => {
        calls += 1;
        if (calls < 3) throw new ConnectorTransientError(`fail ${calls}`);
        return "ok";
      },
      makeRetryPolicy({ maxAttempts: 5, baseDelayMs: 100, jitter: "none" }),
      { sleep: clock.sleep, metrics, onRetry: (a, _e, d) => retried.push(a * 1000 + d) },
    );
    assert.equal(result, "ok");
    assert.equal(stats.attempts, 3);
    assert.equal(stats.retries, 2);
    assert.equal(stats.totalDelayMs, 300);
    assert.equal(stats.errors.length, 2);
    assert.deepEqual(clock.sleeps, [100, 200]);
    assert.deepEqual(retried, [100, 1200]);
    assert.equal(metrics.retryCount("connect", "transient"), 2);
  });

  it("stops at max attempts and rethrows the last error", async () => {
    const clock = new ManualClock();
    let calls = 0;
    await assert.rejects(
      retryWithPolicy(
        "place",
        async () => {
          calls += 1;
          throw new ConnectorTimeoutError("write", 10);
        },
        makeRetryPolicy({ maxAttempts: 3, jitter: "none" }),
        { sleep: clock.sleep, metrics: new ConnectorMetrics() },
      ),
      (e: unknown) => e instanceof ConnectorTimeoutError,
    );
    assert.equal(calls, 3);
    assert.deepEqual(clock.sleeps, [100, 200]);
  });

  it("does not retry non-retryable errors", async () => {
    const clock = new ManualClock();
    let calls = 0;
    await assert.rejects(
      retryWithPolicy(
        "place",
        async () => {
          calls += 1;
          throw new ConnectorNonRetryableError("Binance error -2010: insufficient balance");
        },
        makeRetryPolicy({ maxAttempts: 5 }),
        { sleep: clock.sleep, metrics: new ConnectorMetrics() },
      ),
      /insufficient balance/,
    );
    assert.equal(calls, 1);
    assert.deepEqual(clock.sleeps, []);
  });

  it("waits at least the Retry-After the exchange asked for", async () => {
    const clock = new ManualClock();
    let calls = 0;
    await retryWithPolicy(
      "place",
      async () => {
        calls += 1;
        if (calls === 1) throw new ConnectorTransientError("429", { retryAfterMs: 2000 });
        return 1;
      },
      makeRetryPolicy(),
      { sleep: clock.sleep, metrics: new ConnectorMetrics() },
    );
    assert.deepEqual(clock.sleeps, [2000]);
  });

  it("jitters each delay from the injected random source", async () => {
    const clock = new ManualClock();
    const rng = new SeededRandom(42);
    let calls = 0;
    await retryWithPolicy(
      "connect",
      async () => {
        calls += 1;
        if (calls < 4) throw new ConnectorTransientError(`fail ${calls}`);
        return "ok";
      },
      makeRetryPolicy({ maxAttempts: 4, baseDelayMs: 100, jitter: "full" }),
      { sleep: clock.sleep, metrics: new ConnectorMetrics(), random: () => rng.next() },
    );
    // Seed 42 draws 0.6011, 0.4483, 0.8525: floor(r * (d + 1)) for d = 100, 200, 400.
    assert.deepEqual(clock.sleeps, [60, 90, 341]);
  });
});
