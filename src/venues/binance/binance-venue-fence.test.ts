/**
 * HA fencing of BinanceSpotVenue's writes: the fence is checked before every
 * attempt (a deposed instance sends nothing), and the fence's signal ends a
 * retry's wait (a lost lease aborts the in-flight request loop: the retry
 * after a 429 is never sent).
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { armedEnv, localExchangePerTest } from "../../../test/support/live-trade-testing.js";
import { BINANCE_ERRORS } from "../../../test/support/local-binance-exchange.js";
import { Decimal } from "../../core/decimal.js";
import type { OrderEvent, SubmitOrder } from "../../domain/orders.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { makeRetryPolicy } from "../../net/retry-policy.js";
import { WriteFencedError } from "../common/write-fence.js";
import { BinanceSpotVenue } from "./binance-spot-venue.js";

const local = localExchangePerTest();

function order(n: number): SubmitOrder {
  return {
    kind: "SubmitOrder",
    ts: 1_700_000_000_000 + n,
    clientOrderId: `BTCUSDT:1700000000000:${n}:BUY:${n}`,
    symbol: "BTCUSDT",
    side: "BUY",
    price: Decimal.parse("99.90"),
    quantity: Decimal.parse("0.100"),
    levelId: 1,
    actionIndex: 0,
  };
}

function venueWith(sleeps: number[], onSleep: (signal: AbortSignal | undefined) => Promise<void>) {
  const venue = new BinanceSpotVenue({
    restUrl: local.ex.url,
    env: armedEnv(),
    confirmed: true,
    runId: "0123456789ab",
    connectorMetrics: new ConnectorMetrics(),
    retryPolicy: makeRetryPolicy({ maxAttempts: 3 }),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return onSleep(signal);
    },
    unknownStatusQueryDelayMs: 0,
  });
  const events: OrderEvent[] = [];
  venue.setListener((e) => {
    if (e.kind !== "FundingApplied") events.push(e);
  });
  return { venue, events };
}

const posts = () => local.ex.calls("/api/v3/order", "POST").length;

describe("BinanceSpotVenue write fence", () => {
  it("a fenced instance sends nothing: the write is refused before any request", async () => {
    const { venue, events } = venueWith([], async () => {});
    let may = true;
    venue.setWriteFence({ mayWrite: () => may, signal: undefined });
    await venue.submit(order(1));
    assert.equal(posts(), 1, "while the lease holds, the order goes out");
    may = false;
    await venue.submit(order(2));
    assert.equal(posts(), 1, "no request once the lease is lost");
    const last = events.at(-1);
    assert.ok(
      last?.kind === "OrderRejected" && /no longer holds the HA lease \(fenced\)/.test(last.reason),
      JSON.stringify(last),
    );
  });

  it("a lost lease ends the retry wait after a 429: the retry is never sent", async () => {
    const lease = new AbortController();
    const sleeps: number[] = [];
    let waiting: () => void = () => {};
    const inWait = new Promise<void>((r) => {
      waiting = r;
    });
    const { venue, events } = venueWith(sleeps, (signal) => {
      waiting();
      // Waits until the fence aborts (no timer: the test never sleeps).
      return new Promise<void>((_resolve, reject) => {
        if (signal === undefined) return;
        if (signal.aborted) reject(signal.reason);
        else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    });
    venue.setWriteFence({ mayWrite: () => !lease.signal.aborted, signal: lease.signal });
    local.ex.inject(
      { method: "POST", path: "/api/v3/order" },
      { kind: "reply", status: 429, body: BINANCE_ERRORS.tooMany, headers: { "retry-after": "2" } },
    );
    const submitted = venue.submit(order(3));
    await inWait;
    assert.deepEqual(sleeps, [2000], "waiting out Retry-After before the retry");
    lease.abort(new WriteFencedError("test: lease lost"));
    await submitted;
    assert.equal(posts(), 1, "only the first attempt reached the exchange");
    const last = events.at(-1);
    assert.ok(last?.kind === "OrderRejected" && /fenced/.test(last.reason), JSON.stringify(last));
  });
});
