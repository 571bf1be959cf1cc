/**
 * Crash test of live spot trading (issue #12, "Done when"): the real
 * `grinder live --mode live_trade` process trades against the local Binance
 * exchange (REST and WebSocket API) fed by a local bookTicker stream, while
 * the exchange fills resting orders fully or in part at random (seeded),
 * also while grinder is down, and faults are injected (429 with Retry-After,
 * 418, 5xx applied or not, replies that never come before or after the order
 * was applied, a 307 redirect to another origin, a failing trade list, the
 * user data stream dropped). The process is SIGKILLed at random moments and
 * started again on the same journal, more than ten times; a last run settles
 * and stops. Then:
 *
 * - `grinder journal summary` equals the exchange's account per symbol: the
 *   position is the base balance's change, the fees are the commissions
 *   (a base-asset commission at its trade's price), the fills are the trades;
 * - no client order id was placed twice (one exchange order per id);
 * - no orphan: the exchange's open orders are exactly the engine's.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Decimal } from "../src/core/decimal.js";
import { SeededRandom } from "../src/core/prng.js";
import { summarizeJournal } from "../src/runtime/live/journal-summary.js";
import { activeHandles, assertNoLeakedHandles, type HandleCounts } from "./support/handles.js";
import {
  armedEnv,
  openOnExchange,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "./support/live-trade-testing.js";
import {
  BINANCE_ERRORS,
  type Fault,
  LocalBinanceExchange,
} from "./support/local-binance-exchange.js";
import { LocalBinanceWsApi } from "./support/local-binance-ws-api.js";
import { LocalWsServer } from "./support/local-ws-server.js";
import { BIN, runCli, tempDir } from "./support/run-cli.js";

const SEED = 20_261_129;
const KILLS = 12;
const TMP = tempDir("grinder-live-crash-");
type Obj = Record<string, unknown>;

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
let wsApi: LocalBinanceWsApi;
let market: LocalWsServer;
let ticker: ReturnType<typeof setInterval> | undefined;
const children: ChildProcess[] = [];

before(async () => {
  baseline = activeHandles();
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  wsApi = LocalBinanceWsApi.attach(ex);
  market = await LocalWsServer.start();
  // The market: both symbols every 25 ms, a one-tick wobble around 100 and 50 (the grid rests).
  let u = 0;
  ticker = setInterval(() => {
    u++;
    for (const c of market.clients) {
      if (c.subscriptions.length === 0 || c.ws.readyState !== c.ws.OPEN) continue;
      for (const [symbol, base] of [
        ["BTCUSDT", 100],
        ["ETHUSDT", 50],
      ] as const) {
        const bid = (base + (u % 5) * 0.01).toFixed(2);
        const ask = (base + (u % 5) * 0.01 + 0.02).toFixed(2);
        c.send({
          stream: `${symbol.toLowerCase()}@bookTicker`,
          data: { u, s: symbol, b: bid, B: "10", a: ask, A: "10", E: Date.now() },
        });
      }
    }
  }, 25);
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  clearInterval(ticker);
  wsApi.close();
  await market.close();
  await ex.close();
  rmSync(TMP, { recursive: true, force: true });
  await assertNoLeakedHandles(baseline, 3000);
});

interface Proc {
  readonly child: ChildProcess;
  readonly out: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startLive(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [BIN, "live", ...args], {
    cwd: TMP,
    env: { ...process.env, GRINDER_HA_ENABLED: "false", ...armedEnv() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const out: string[] = [];
  child.stdout?.on("data", (b: Buffer) => out.push(b.toString("utf8")));
  child.stderr?.on("data", (b: Buffer) => out.push(b.toString("utf8")));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, out, exit };
}

async function until(cond: () => boolean, ms: number, what: string, p?: Proc): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(
        `timed out waiting for ${what}${p ? `\n${p.out.join("").slice(-3000)}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The faults one run may meet (one drawn per run). */
const FAULTS: readonly { readonly name: string; readonly inject: () => void }[] = [
  { name: "none", inject: () => {} },
  {
    name: "429 on a placement, Retry-After 0",
    inject: () =>
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        {
          kind: "reply",
          status: 429,
          body: BINANCE_ERRORS.tooMany,
          headers: { "retry-after": "0" },
        },
        2,
      ),
  },
  {
    name: "418 on a placement, Retry-After 1",
    inject: () =>
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        {
          kind: "reply",
          status: 418,
          body: BINANCE_ERRORS.banned(Date.now() + 1000),
          headers: { "retry-after": "1" },
        },
      ),
  },
  {
    name: "503 after the placement was applied",
    inject: () =>
      ex.inject(
        { method: "POST", path: "/api/v3/order" },
        { kind: "reply", status: 503, body: BINANCE_ERRORS.serverError, apply: true },
      ),
  },
  {
    name: "a placement reply that never comes (applied)",
    inject: () =>
      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true }),
  },
  {
    name: "a placement reply that never comes (not applied)",
    inject: () =>
      ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: false }),
  },
  {
    name: "307 to another origin",
    inject: () => {
      const redirect: Fault = {
        kind: "reply",
        status: 307,
        body: "",
        headers: { location: "http://127.0.0.2:9/api/v3/order" },
      };
      ex.inject({ method: "POST", path: "/api/v3/order" }, redirect);
    },
  },
  {
    name: "the trade list fails",
    inject: () =>
      ex.inject(
        { method: "GET", path: "/api/v3/myTrades" },
        { kind: "reply", status: 500, body: BINANCE_ERRORS.serverError },
        3,
      ),
  },
  { name: "the user data stream dropped", inject: () => wsApi.dropAll() },
];

describe("live_trade crash test: SIGKILL at random moments, random partial fills, faults", () => {
  it(`${KILLS} kills and restarts: the journal's ledger equals the account, no duplicate, no orphan`, {
    timeout: 120_000,
  }, async (t) => {
    const rng = new SeededRandom(SEED);
    const journal = join(TMP, "crash.jsonl");
    const config = join(TMP, "config.json");
    writeFileSync(
      config,
      JSON.stringify({ levels: 2, size_per_level: "0.1", max_orders_per_minute: 100000 }),
    );
    const args = [
      "--source",
      "binance",
      "--ws-url",
      market.url,
      "--symbols",
      "BTCUSDT,ETHUSDT",
      "--config",
      config,
      "--mode",
      "live_trade",
      "--confirm",
      "TESTNET",
      "--rest-url",
      ex.url,
      "--ws-api-url",
      wsApi.url,
      "--poll-ms",
      "100",
      "--backstop-ms",
      "500",
      "--journal",
      journal,
      "--metrics-port",
      "0",
      "--metrics-host",
      "127.0.0.1",
    ];
    ex.startRandomFills({ seed: SEED, intervalMs: 90, fullShare: 0.4 });
    // Every fault kind at least once, in a seeded order.
    const order = [...FAULTS];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [
        order[j] as (typeof FAULTS)[number],
        order[i] as (typeof FAULTS)[number],
      ];
    }
    const faultsMet: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const subscribed = wsApi.subscriptions;
      const p = startLive(args);
      await until(() => wsApi.subscriptions > subscribed, 20_000, `run ${k + 1} subscribed`, p);
      const fault = order[k % order.length] as (typeof FAULTS)[number];
      faultsMet.push(fault.name);
      fault.inject();
      await wait(rng.int(150, 900));
      p.child.kill("SIGKILL");
      assert.equal((await p.exit).signal, "SIGKILL", p.out.join(""));
      ex.clearFaults();
      await wait(rng.int(0, 300)); // fills while down
    }
    assert.equal(new Set(faultsMet).size, FAULTS.length, "every fault met");

    // The last run: the market stops filling, the run books everything, then stops cleanly.
    const subscribed = wsApi.subscriptions;
    const last = startLive(args);
    await until(() => wsApi.subscriptions > subscribed, 20_000, "the last run subscribed", last);
    ex.stopRandomFills();
    const tradesNow = ex.trades.length;
    const booked = (): number => {
      try {
        return Object.values(summarizeJournal(journal).symbols).reduce((n, s) => n + s.fills, 0);
      } catch {
        return -1; // a line being written
      }
    };
    await until(() => booked() === tradesNow, 20_000, `all ${tradesNow} trades booked`, last);
    await wait(300);
    last.child.kill("SIGTERM");
    assert.equal((await last.exit).code, 0, last.out.join("").slice(-3000));
    assert.ok(tradesNow >= 20, `the market traded (${tradesNow} trades)`);
    assert.ok(
      ex.trades.some((t) => Decimal.parse(t.qty).lt(Decimal.parse("0.1"))),
      "partial fills among them",
    );

    // The journal's ledger (the real binary) equals the exchange's account, per symbol.
    const r = runCli(["journal", "summary", "--journal", journal]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as {
      symbols: Record<string, { position: string; fees: string; fills: number }>;
      last_epoch: number;
    };
    const start = { BTC: "100", ETH: "1000" } as const;
    const account = ex.account();
    for (const [symbol, base] of [
      ["BTCUSDT", "BTC"],
      ["ETHUSDT", "ETH"],
    ] as const) {
      const trades = ex.trades.filter((t) => t.symbol === symbol);
      const s = summary.symbols[symbol];
      assert.ok(s !== undefined, `${symbol} traded`);
      assert.equal(s.fills, trades.length, `${symbol}: one fill per trade`);
      const change = (account.get(base) as Decimal).sub(Decimal.parse(start[base]));
      assert.ok(
        Decimal.parse(s.position).eq(change),
        `${symbol}: position ${s.position} = ${base} change ${change}`,
      );
      const fees = trades.reduce(
        (sum, t) =>
          sum.add(
            t.commissionAsset === base
              ? Decimal.parse(t.commission).mul(Decimal.parse(t.price))
              : Decimal.parse(t.commission),
          ),
        Decimal.ZERO,
      );
      assert.ok(Decimal.parse(s.fees).eq(fees), `${symbol}: fees ${s.fees} = commissions ${fees}`);
    }
    assert.equal(summary.last_epoch, 0, "not under HA");
    assert.ok(
      (await import("node:fs")).existsSync(`${journal}.exchange-info.json`),
      "the exchange's filters kept for the journal",
    );

    // No client order id placed twice: one exchange order per id.
    const perId = new Map<string, number>();
    for (const o of ex.orders) perId.set(o.clientOrderId, (perId.get(o.clientOrderId) ?? 0) + 1);
    for (const [id, n] of perId) assert.equal(n, 1, `orders under ${id}`);

    // No orphan: the exchange's open orders are exactly the engine's at the end.
    const lines = (await import("node:fs"))
      .readFileSync(journal, "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Obj);
    const end = lines.at(-1) as Obj;
    assert.equal(end.type, "session_end");
    const engine = (end.venue_orders as Obj[])
      .map((o) => String(o.exchange_client_order_id))
      .sort();
    assert.ok(
      (end.venue_orders as Obj[]).every((o) => o.state === "open"),
      "nothing pending",
    );
    assert.deepEqual(
      openOnExchange(ex)
        .map((o) => o.clientOrderId)
        .sort(),
      engine,
    );
    const lastTick = [...lines].reverse().find((l) => l.type === "tick");
    assert.ok(engine.length >= 1, `orders are resting\n${JSON.stringify(lastTick).slice(0, 3000)}`);
    t.diagnostic(
      `${tradesNow} trades, ${ex.orders.length} orders, ${engine.length} open at the end; faults: ${faultsMet.join("; ")}`,
    );
    assert.equal(
      lines.filter((l) => l.type === "session").length,
      KILLS + 1,
      "one session per run",
    );
  });
});
