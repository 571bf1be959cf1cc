/**
 * The connector metrics of the Metrics Contract and the latency histograms on
 * the real port of a `grinder live --mode live_trade` process, under faults
 * the local exchange injects: the first five placements answer 503.
 *
 * Expected (default retry policy: 3 attempts; circuit breaker: opens after 5
 * consecutive failures, stays open 30 s). The first tick places BTCUSDT's grid
 * (4 orders): the 1st order fails 3 times (2 retries), the 2nd twice (the 5th
 * failure opens the circuit; 2 retries), its 3rd attempt and every later
 * placement are refused by the open circuit without a request. So: retries
 * {op="place",reason="transient"} = 4, one trip, circuit "place" open, and at
 * least 3 + 4 (ETHUSDT's grid) refusals and 8 placements (idempotency misses).
 */

import assert from "node:assert/strict";
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  armedEnv,
  banNextPlacement,
  liveTradeArgs,
  makeTradeFixture,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import {
  BINANCE_ERRORS,
  LocalBinanceExchange,
} from "../../../test/support/local-binance-exchange.js";
import { waitFor } from "../../../test/support/redis-server-process.js";
import { BIN, tempDir } from "../../../test/support/run-cli.js";

const TMP = tempDir("grinder-trade-metrics-");
let ex: LocalBinanceExchange;
let fx: { dir: string; cleanup: () => Promise<void> };
const children: ChildProcess[] = [];
let runs = 0;

before(async () => {
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  fx = await makeTradeFixture(400, 250);
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await ex.close();
  await fx.cleanup();
  rmSync(TMP, { recursive: true, force: true });
});

function sample(text: string, series: string): number | undefined {
  for (const line of text.split("\n"))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return undefined;
}

/** Start `grinder live --mode live_trade` on a fixture; resolves once it serves, with its port. */
async function startTrading(
  dir: string,
): Promise<{ p: ChildProcessWithoutNullStreams; out: string[]; port: number }> {
  const p = spawn(
    process.execPath,
    [
      BIN,
      "live",
      ...liveTradeArgs(dir, ex.url),
      "--speed",
      "10",
      "--journal",
      join(TMP, `j-${++runs}.jsonl`),
      "--metrics-port",
      "0",
    ],
    { cwd: TMP, env: { ...process.env, ...armedEnv({ GRINDER_HA_ENABLED: "false" }) } },
  );
  children.push(p);
  const out: string[] = [];
  p.stdout.on("data", (b: Buffer) => out.push(b.toString("utf8")));
  p.stderr.on("data", (b: Buffer) => out.push(b.toString("utf8")));
  await waitFor(() => /health: {2}http:\/\/localhost:\d+/.test(out.join("")), 15_000, "port", 20);
  const port = Number(/health: {2}http:\/\/localhost:(\d+)/.exec(out.join(""))?.[1]);
  return { p, out, port };
}

describe("live_trade metrics on the real port", () => {
  it("connector retries, idempotency, circuit state, trips and refusals, and the latency histograms, under injected faults", {
    timeout: 60_000,
  }, async () => {
    ex.inject(
      { method: "POST", path: "/api/v3/order" },
      { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError },
      5,
    );
    const { p, out, port } = await startTrading(fx.dir);
    let text = "";
    const read = async (): Promise<string> => {
      text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text;
    };
    const refused = 'grinder_circuit_rejected_total{op="place"}';
    const deadline = Date.now() + 30_000;
    while ((sample(await read(), refused) ?? 0) < 7 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(ex.calls("/api/v3/order", "POST").length, 5, "refused placements send nothing");

    assert.equal(sample(text, 'grinder_connector_retries_total{op="place",reason="transient"}'), 4);
    assert.equal(sample(text, 'grinder_circuit_trips_total{op="place",reason="threshold"}'), 1);
    assert.equal(sample(text, 'grinder_circuit_state{op="place",state="open"}'), 1);
    assert.equal(sample(text, 'grinder_circuit_state{op="place",state="closed"}'), 0);
    assert.ok((sample(text, refused) ?? 0) >= 7, text);
    assert.ok((sample(text, 'grinder_idempotency_misses_total{op="place"}') ?? 0) >= 8);
    // The histograms (prom-client) follow the contract series.
    assert.match(text, /# TYPE grinder_order_ack_latency_seconds histogram\n/);
    assert.match(text, /# TYPE grinder_tick_to_order_latency_seconds histogram\n/);
    assert.ok((sample(text, "grinder_order_ack_latency_seconds_count") ?? 0) >= 8);
    assert.ok((sample(text, "grinder_tick_to_order_latency_seconds_count") ?? 0) >= 2);
    assert.equal(
      sample(text, 'grinder_order_ack_latency_seconds_bucket{le="+Inf"}'),
      sample(text, "grinder_order_ack_latency_seconds_count"),
    );
    assert.ok((sample(text, "grinder_order_ack_latency_seconds_sum") ?? 0) > 0);

    p.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => p.on("exit", (c) => r(c)));
    assert.equal(code, 0, out.join(""));
  });

  it("a 418: /readyz's body and the metrics on the real port name the halt, logged once", {
    timeout: 60_000,
  }, async () => {
    // The first placement meets the ban (Retry-After 120 s): nothing is decided meanwhile.
    banNextPlacement(ex, 120);
    const { p, out, port } = await startTrading(fx.dir);
    let ready = { status: 0, body: "" };
    const haltDeadline = Date.now() + 20_000;
    while (!ready.body.includes('"halted"') && Date.now() < haltDeadline) {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      ready = { status: r.status, body: await r.text() };
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.match(
      ready.body,
      /^\{"ready": false, "role": "unknown", "halted": \{"reason": "ip_ban", "until": "[0-9T:.-]+Z", "until_s": \d+\}\}$/,
    );
    assert.equal(ready.status, 503, "HA off: not ready, as before");
    const halted = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.equal(sample(halted, 'grinder_venue_halted{reason="ip_ban"}'), 1);
    const until = Number(/"until_s": (\d+)/.exec(ready.body)?.[1]);
    assert.equal(sample(halted, "grinder_venue_halted_until_seconds"), until);
    // Retry-After 120 s from the reply: the halt ends about two minutes after now.
    assert.ok(Math.abs(until - (Date.now() / 1000 + 120)) < 10, `until ${until}`);
    await new Promise((res) => setTimeout(res, 1500)); // more snapshots arrive while halted
    const lines = out.join("").split("\n");
    assert.equal(lines.filter((l) => l.includes("exchange writes halted (ip_ban)")).length, 1);

    p.kill("SIGTERM");
    const code = await new Promise<number | null>((r) => p.on("exit", (c) => r(c)));
    assert.equal(code, 0, out.join(""));
    assert.equal(ex.calls("/api/v3/order", "POST").length, 5 + 1, "one placement met the ban");
  });
});
