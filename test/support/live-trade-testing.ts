/**
 * Test helpers for live_trade: a small two-symbol fixture whose grid rests
 * (so orders change only when the test fills them on the local exchange),
 * planted test credentials and a sleep that waits for its abort signal only.
 */

import { readFileSync } from "node:fs";
import { after, afterEach, before, beforeEach } from "node:test";
import type { Sleep } from "../../src/core/clock.js";
import { activeHandles, assertNoLeakedHandles, type HandleCounts } from "./handles.js";
import {
  BINANCE_ERRORS,
  LocalBinanceExchange,
  type ServerOrder,
} from "./local-binance-exchange.js";
import { makeTempFixture, snapshotLine } from "./temp-fixture.js";

/** Planted fake credentials: tests check that no output ever contains them. */
export const TEST_API_KEY = "PLANTEDKEY-3e5a7c9b1d2f4a6c8e0b"; // secret-guard: allow (planted fake)
export const TEST_API_SECRET = "PLANTEDSECRET-9f8e7d6c5b4a3f2e1d0c"; // secret-guard: allow (planted fake)

/** Environment of an armed live_trade run with the test credentials. */
export function armedEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    BINANCE_API_KEY: TEST_API_KEY,
    BINANCE_API_SECRET: TEST_API_SECRET,
    ARMED: "1",
    ALLOW_TESTNET_TRADE: "1",
    ...extra,
  };
}

export const TRADE_FIXTURE_START_TS = 1_700_000_000_000;

/**
 * `events` snapshots alternating BTCUSDT (mid about 100) and ETHUSDT (about
 * 50), `stepMs` apart, with a one-tick spread wobble: a two-level grid of
 * 0.1 per level is placed on each symbol's first snapshot and then rests.
 */
export function makeTradeFixture(
  events: number,
  stepMs = 100,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const lines: string[] = [];
  for (let i = 0; i < events; i++) {
    const symbol = i % 2 === 0 ? "BTCUSDT" : "ETHUSDT";
    const base = symbol === "BTCUSDT" ? 100 : 50;
    const bid = base + (i % 5) * 0.01;
    lines.push(
      snapshotLine(
        TRADE_FIXTURE_START_TS + i * stepMs,
        symbol,
        bid.toFixed(2),
        (bid + 0.02).toFixed(2),
      ),
    );
  }
  return makeTempFixture({
    "config.json": JSON.stringify({ name: "live_trade test", levels: 2, size_per_level: "0.1" }),
    "events.jsonl": `${lines.join("\n")}\n`,
  });
}

/** A Sleep that never ends by itself: it rejects when its signal aborts (no timer left). */
export const sleepUntilAborted: Sleep = (_ms, signal) =>
  new Promise<void>((_resolve, reject) => {
    if (signal === undefined) return;
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });

/** Open orders on the local exchange. */
export function openOnExchange(ex: LocalBinanceExchange): ServerOrder[] {
  return ex.orders.filter((o) => o.status === "NEW" || o.status === "PARTIALLY_FILLED");
}

/** Placement requests per client order id. */
export function placementsPerClientId(ex: LocalBinanceExchange): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of ex.requests) {
    if (r.method !== "POST" || !r.path.endsWith("/order")) continue;
    const id = r.params.get("newClientOrderId") ?? "";
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

/**
 * Registers the hooks of a test file whose every test gets a fresh local
 * exchange (test credentials), closed after it; at the end no handle may be
 * left behind. Read the current exchange from `.ex` inside a test.
 */
export function localExchangePerTest(): { readonly ex: LocalBinanceExchange } {
  let baseline: HandleCounts;
  let current: LocalBinanceExchange | undefined;
  before(() => {
    baseline = activeHandles();
  });
  after(async () => {
    await assertNoLeakedHandles(baseline, 2000);
  });
  beforeEach(async () => {
    current = await LocalBinanceExchange.start({
      apiKey: TEST_API_KEY,
      apiSecret: TEST_API_SECRET,
    });
  });
  afterEach(() => current?.close());
  return {
    get ex(): LocalBinanceExchange {
      if (current === undefined) throw new Error("no local exchange outside a test");
      return current;
    },
  };
}

/** The argv of an armed `grinder live --mode live_trade` on a fixture against `restUrl`. */
export function liveTradeArgs(fixtureDir: string, restUrl: string, wsApiUrl?: string): string[] {
  return [
    "--source",
    `fixture:${fixtureDir}`,
    "--mode",
    "live_trade",
    "--confirm",
    "TESTNET",
    "--rest-url",
    restUrl,
    // Without a local WebSocket API: REST polling only (no connection attempt to the testnet).
    ...(wsApiUrl === undefined ? ["--user-stream", "off"] : ["--ws-api-url", wsApiUrl]),
  ];
}

/** The next placement on `ex` is answered by an IP ban (418) with Retry-After `seconds`. */
export function banNextPlacement(ex: LocalBinanceExchange, seconds: number): void {
  ex.inject(
    { method: "POST", path: "/api/v3/order" },
    {
      kind: "reply",
      status: 418,
      body: BINANCE_ERRORS.banned(Date.now() + seconds * 1000),
      headers: { "retry-after": String(seconds) },
    },
  );
}

/** A journal's complete lines, parsed (a line being written is left out; no file: none). */
export function journalLines(path: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  const lines = text.split("\n");
  lines.pop();
  return lines.filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
}
