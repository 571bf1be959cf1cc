/**
 * The real `grinder live --mode live_trade --market um` process against the
 * local USD-M exchange of this test process: it sets the leverage, places
 * the grid, books a fill the exchange pushes on the user-data stream
 * (ORDER_TRADE_UPDATE) with its commission, and stops cleanly on SIGTERM.
 * Refusals (exit 2): an account in hedge mode, and an engine not on USD-M.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  armedEnv,
  journalLines,
  makeTradeFixture,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import { LocalUsdmExchange } from "../../../test/support/local-usdm-exchange.js";
import { waitFor } from "../../../test/support/redis-server-process.js";
import { BIN, tempDir } from "../../../test/support/run-cli.js";
import { Decimal } from "../../core/decimal.js";
import { exchangeClientOrderId } from "../../venues/binance/client-order-id.js";

const TMP = tempDir("grinder-live-usdm-proc-");
type Obj = Record<string, unknown>;

interface Proc {
  readonly out: string[];
  readonly err: string[];
  readonly child: ChildProcess;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const allOutput: string[] = [];

function startLive(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [BIN, "live", ...args], {
    cwd: TMP,
    env: { ...process.env, GRINDER_HA_ENABLED: "false", ...armedEnv() },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.on("data", (b: Buffer) => {
    allOutput.push(b.toString("utf8"));
    out.push(...b.toString("utf8").split("\n"));
  });
  child.stderr?.on("data", (b: Buffer) => {
    allOutput.push(b.toString("utf8"));
    err.push(...b.toString("utf8").split("\n"));
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { out, err, child, exit };
}

const journal = journalLines;

const eventsOf = (lines: readonly Obj[]): Obj[] =>
  lines.filter((l) => l.type === "events").flatMap((l) => l.events as Obj[]);

let ex: LocalUsdmExchange;
let fx: { dir: string; cleanup: () => Promise<void> };
const UM_CONFIG = join(TMP, "um.json");
const SPOT_CONFIG = join(TMP, "spot.json");

before(async () => {
  ex = await LocalUsdmExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  // 400 snapshots 250 ms apart: 100 s of market, 10 s at --speed 10.
  fx = await makeTradeFixture(400, 250);
  writeFileSync(UM_CONFIG, JSON.stringify({ market: "um", leverage: 4 }));
  writeFileSync(SPOT_CONFIG, JSON.stringify({ market: "spot" }));
});

after(async () => {
  await ex.close();
  await fx.cleanup();
  const text = allOutput.join("");
  assert.ok(
    !text.includes(TEST_API_KEY) && !text.includes(TEST_API_SECRET),
    "no credential printed",
  );
});

const args = (journalPath: string, config: string): string[] => [
  "--mode",
  "live_trade",
  "--market",
  "um",
  "--source",
  `fixture:${fx.dir}`,
  "--symbols",
  "BTCUSDT",
  "--speed",
  "10",
  "--config",
  config,
  "--journal",
  journalPath,
  "--rest-url",
  ex.url,
  "--ws-url",
  `${ex.wsUrl}/stream`,
  "--confirm",
  "TESTNET",
  "--poll-ms",
  "100",
  "--metrics-port",
  "0",
  "--metrics-host",
  "127.0.0.1",
];

describe("grinder live --mode live_trade --market um (real process, local USD-M exchange)", () => {
  it("sets the leverage, places the grid, books a pushed fill with its commission, stops on SIGTERM", async () => {
    const path = join(TMP, "journal-um.jsonl");
    const p = startLive(args(path, UM_CONFIG));
    try {
      await waitFor(() => ex.openOrders().length >= 4, 15_000, "the grid on the exchange", 20);
      assert.equal(ex.leverage.get("BTCUSDT"), 4);
      await waitFor(() => ex.streamCount === 1, 5000, "the user data stream", 20);
      const buy = ex
        .openOrders()
        .filter((o) => o.side === "BUY")
        .sort((a, b) => Number(b.price) - Number(a.price))[0];
      assert.ok(buy !== undefined);
      const trade = ex.execute(buy.clientOrderId);
      await waitFor(
        () => eventsOf(journal(path)).some((e) => e.kind === "OrderFilled"),
        10_000,
        "the fill in the journal",
        20,
      );
      p.child.kill("SIGTERM");
      const { code } = await p.exit;
      assert.equal(code, 0, p.err.join("\n"));
      const lines = journal(path);
      const fills = eventsOf(lines).filter((e) => e.kind === "OrderFilled");
      assert.equal(fills.length, 1);
      const f = fills[0] as Obj;
      const runId = String(lines.find((l) => l.type === "session")?.run_id);
      assert.equal(exchangeClientOrderId(runId, String(f.client_order_id)), buy.clientOrderId);
      // Maker 2 bps of the executed notional: price x quantity x 0.0002.
      const fee = Decimal.parse(buy.price)
        .mul(Decimal.parse(buy.origQty))
        .mul(Decimal.parse("0.0002"));
      assert.ok(Decimal.parse(String(f.fee)).eq(fee), `fee ${String(f.fee)}, expected ${fee}`);
      assert.equal(f.fee_asset, "USDT");
      assert.equal(f.liquidity, "maker");
      assert.equal(f.trade_id, String(trade.id));
      const end = lines.at(-1) as Obj;
      assert.equal(end.type, "session_end");
      assert.ok(
        p.out.some((l) => l.includes("USD-M")),
        "the exchange line names USD-M",
      );
    } finally {
      p.child.kill("SIGKILL");
    }
  });

  it("SIGKILL mid-run, a fill while down, a restart: the fill booked once from userTrades, no order placed twice", async () => {
    const path = join(TMP, "journal-um-restart.jsonl");
    const first = startLive(args(path, UM_CONFIG));
    try {
      await waitFor(
        () => ex.openOrders().filter((o) => o.side === "BUY").length >= 2,
        15_000,
        "the grid on the exchange",
        20,
      );
      await waitFor(
        () => eventsOf(journal(path)).filter((e) => e.kind === "OrderAccepted").length >= 4,
        10_000,
        "the placements in the journal",
        20,
      );
    } finally {
      first.child.kill("SIGKILL");
      await first.exit;
    }
    const runId = String(journal(path).find((l) => l.type === "session")?.run_id);
    const ours = new Set(
      journal(path)
        .filter((l) => l.type === "tick")
        .flatMap((l) => l.commands as Obj[])
        .map((c) => exchangeClientOrderId(runId, String(c.client_order_id))),
    );
    const buy = ex.openOrders().find((o) => o.side === "BUY" && ours.has(o.clientOrderId));
    assert.ok(buy !== undefined, "one of the run's BUY orders rests");
    const trade = ex.execute(buy.clientOrderId); // nobody listens
    const second = startLive(args(path, UM_CONFIG));
    try {
      await waitFor(
        () => eventsOf(journal(path)).some((e) => e.kind === "OrderFilled"),
        15_000,
        "the fill booked after the restart",
        20,
      );
      second.child.kill("SIGTERM");
      assert.equal((await second.exit).code, 0, second.err.join("\n"));
    } finally {
      second.child.kill("SIGKILL");
    }
    const fills = eventsOf(journal(path)).filter((e) => e.kind === "OrderFilled");
    assert.equal(fills.length, 1, "booked once");
    assert.equal(fills[0]?.trade_id, String(trade.id), "from the trade list, with its id");
    const fee = Decimal.parse(buy.price)
      .mul(Decimal.parse(buy.origQty))
      .mul(Decimal.parse("0.0002"));
    assert.ok(Decimal.parse(String(fills[0]?.fee)).eq(fee), `fee ${String(fills[0]?.fee)}`);
    const placed = new Map<string, number>();
    for (const r of ex.calls("/fapi/v1/order", "POST")) {
      const id = r.params.get("newClientOrderId") ?? "";
      if (ours.has(id)) placed.set(id, (placed.get(id) ?? 0) + 1);
    }
    assert.ok(
      [...placed.values()].every((n) => n === 1),
      "each client id placed once",
    );
  });

  it("refuses an account in hedge mode: exit 2, naming what to change, nothing placed", async () => {
    ex.dualSidePosition = true;
    const placed = ex.calls("/fapi/v1/order", "POST").length;
    try {
      const p = startLive(args(join(TMP, "journal-hedge.jsonl"), UM_CONFIG));
      const { code } = await p.exit;
      assert.equal(code, 2);
      const err = p.err.join("\n");
      assert.match(err, /hedge mode/);
      assert.match(err, /One-way/);
      assert.equal(ex.calls("/fapi/v1/order", "POST").length, placed);
    } finally {
      ex.dualSidePosition = false;
    }
  });

  it("refuses --market um with an engine on spot: exit 2 naming the option", async () => {
    const p = startLive(args(join(TMP, "journal-spot.jsonl"), SPOT_CONFIG));
    const { code } = await p.exit;
    assert.equal(code, 2);
    assert.match(p.err.join("\n"), /"market": "um"/);
  });
});
