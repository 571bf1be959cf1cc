/**
 * Signed writes through BinanceSpotVenue never follow a redirect: a POST
 * (place) and a DELETE (cancel) answered by a 307 to another host fail with
 * the target named, and nothing (no signature, no API key) reaches it.
 */

import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { armedEnv } from "../../../test/support/live-trade-testing.js";
import { Decimal } from "../../core/decimal.js";
import type { OrderEvent, SubmitOrder } from "../../domain/orders.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { BinanceSpotVenue } from "./binance-spot-venue.js";

function listen(handler: Parameters<typeof createServer>[1]): Promise<Server> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const urlOf = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

describe("BinanceSpotVenue: signed writes refuse redirects", () => {
  let target: Server;
  let redirector: Server;
  const seenByTarget: string[] = [];
  const seenByRedirector: string[] = [];

  before(async () => {
    target = await listen((req, res) => {
      seenByTarget.push(`${req.method} ${req.url}`);
      res.end("{}");
    });
    redirector = await listen((req, res) => {
      seenByRedirector.push(`${req.method} ${req.url?.split("?")[0]}`);
      if (req.url?.startsWith("/api/v3/time")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ serverTime: Date.now() }));
        return;
      }
      res.writeHead(307, { location: `${urlOf(target)}/api/v3/order` });
      res.end();
    });
  });

  after(() => {
    target.close();
    redirector.close();
  });

  it("a placement and a cancel answered by a 307 fail naming the target; it sees nothing", async () => {
    const venue = new BinanceSpotVenue({
      restUrl: urlOf(redirector),
      env: armedEnv(),
      confirmed: true,
      runId: "0123456789ab",
      connectorMetrics: new ConnectorMetrics(),
      sleep: async () => {},
      unknownStatusQueryDelayMs: 0,
    });
    const events: OrderEvent[] = [];
    venue.setListener((e) => {
      if (e.kind !== "FundingApplied") events.push(e);
    });
    const submit: SubmitOrder = {
      kind: "SubmitOrder",
      ts: 1_700_000_000_000,
      clientOrderId: "BTCUSDT:1700000000000:1:BUY:1",
      symbol: "BTCUSDT",
      side: "BUY",
      price: Decimal.parse("99.90"),
      quantity: Decimal.parse("0.100"),
      levelId: 1,
      actionIndex: 0,
    };
    await venue.submit(submit);
    const redirectTo = `redirect to ${urlOf(target)}/api/v3/order refused`;
    assert.equal(events.length, 1);
    const rejected = events[0];
    assert.equal(rejected?.kind, "OrderRejected");
    assert.ok(
      rejected?.kind === "OrderRejected" && rejected.reason.includes(redirectTo),
      JSON.stringify(rejected),
    );

    // An order the venue holds as open (as after a journal replay), cancelled: DELETE -> 307.
    const open: SubmitOrder = { ...submit, clientOrderId: "BTCUSDT:1700000000000:2:BUY:2" };
    venue.restore(open);
    venue.restore({
      kind: "OrderAccepted",
      ts: open.ts,
      clientOrderId: open.clientOrderId,
      symbol: open.symbol,
      venueOrderId: "77",
    });
    await venue.cancel({
      kind: "CancelOrder",
      ts: open.ts + 1,
      clientOrderId: open.clientOrderId,
      symbol: open.symbol,
    });
    const cancelRejected = events[1];
    assert.equal(cancelRejected?.kind, "OrderCancelRejected");
    assert.ok(
      cancelRejected?.kind === "OrderCancelRejected" && cancelRejected.reason.includes(redirectTo),
      JSON.stringify(cancelRejected),
    );
    assert.deepEqual(seenByTarget, [], "the redirect's target received nothing");
    assert.ok(seenByRedirector.includes("POST /api/v3/order"), seenByRedirector.join(", "));
    assert.ok(seenByRedirector.includes("DELETE /api/v3/order"), seenByRedirector.join(", "));
  });
});
