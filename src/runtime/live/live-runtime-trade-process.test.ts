/**
 * The real `grinder live --mode live_trade` process against the local Binance
 * exchange of this test process (127.0.0.1, random port): killed with
 * SIGKILL mid-run and started again on the same journal, it must not lose,
 * duplicate or leave behind any order. Also: the mainnet guard and arming
 * refusals of both commands (exit 2), and no credential in any output.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  activeHandles,
  assertNoLeakedHandles,
  type HandleCounts,
} from "../../../test/support/handles.js";
import {
  armedEnv,
  journalLines,
  liveTradeArgs,
  makeTradeFixture,
  openOnExchange,
  placementsPerClientId,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import {
  LocalBinanceExchange,
  type ServerOrder,
} from "../../../test/support/local-binance-exchange.js";
import { LocalBinanceWsApi } from "../../../test/support/local-binance-ws-api.js";
import { BIN, runCli, tempDir } from "../../../test/support/run-cli.js";
import { exchangeClientOrderId } from "../../venues/binance/client-order-id.js";

const TMP = tempDir("grinder-live-trade-proc-");
type Obj = Record<string, unknown>;

/** Every line any child printed (checked for the credentials at the end). */
const allOutput: string[] = [];

interface Proc {
  readonly child: ChildProcess;
  readonly out: string[];
  readonly err: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

function startLive(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, "live", ...args], {
    cwd: TMP,
    env: { ...process.env, GRINDER_HA_ENABLED: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const out: string[] = [];
  const err: string[] = [];
  const collect =
    (into: string[]) =>
    (b: Buffer): void => {
      const text = b.toString("utf8");
      allOutput.push(text);
      const lines = text.split("\n");
      if (into.length > 0 && lines.length > 0) into[into.length - 1] += lines.shift() as string;
      into.push(...lines);
    };
  child.stdout?.on("data", collect(out));
  child.stderr?.on("data", collect(err));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, out, err, exit };
}

/** Poll a condition on the event loop (the local exchange answers meanwhile). */
async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function exitWithin(
  p: Proc,
  ms: number,
): Promise<{ code: number | null; signal: string | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const journal = journalLines;

function events(lines: readonly Obj[], kind?: string): Obj[] {
  return lines
    .filter((l) => l.type === "events")
    .flatMap((l) => l.events as Obj[])
    .filter((e) => kind === undefined || e.kind === kind);
}

/** The exchange's client id of a journaled (kernel) client order id. */
function onExchange(lines: readonly Obj[], kernelId: unknown): string {
  const runId = lines.find((l) => l.type === "session")?.run_id;
  return exchangeClientOrderId(String(runId), String(kernelId));
}

function ourOpen(ex: LocalBinanceExchange): ServerOrder[] {
  return openOnExchange(ex).filter((o) => o.clientOrderId.startsWith("grinder-e"));
}

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
let wsApi: LocalBinanceWsApi;
let fx: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  baseline = activeHandles();
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  wsApi = LocalBinanceWsApi.attach(ex);
  // 400 snapshots 250 ms apart: 100 s of market, 10 s at --speed 10.
  fx = await makeTradeFixture(400, 250);
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  wsApi.close();
  await ex.close();
  await fx.cleanup();
  rmSync(TMP, { recursive: true, force: true });
  await assertNoLeakedHandles(baseline, 2000);
});

describe("grinder live --mode live_trade as a process, killed mid-run", () => {
  it("SIGKILL, then a restart on the same journal: every order kept once, fills applied once, strays cancelled", {
    timeout: 90_000,
  }, async () => {
    const path = join(TMP, "kill.jsonl");
    const common = [
      ...liveTradeArgs(fx.dir, ex.url, wsApi.url),
      // The reference profile's grid (every level placed at once) is what this test counts.
      "--profile",
      "reference",
      "--poll-ms",
      "100",
      "--journal",
      path,
      "--metrics-port",
      "0",
      "--metrics-host",
      "127.0.0.1",
    ];
    const filled: string[] = [];
    const fillOne = (symbol: string, side: string): void => {
      const o = ourOpen(ex).find((x) => x.symbol === symbol && x.side === side);
      assert.ok(o !== undefined, `an open ${symbol} ${side} order`);
      ex.fill(o.clientOrderId);
      filled.push(o.clientOrderId);
    };

    // First run: the grid goes out; the market trades through two orders.
    const p1 = startLive([...common, "--speed", "10"], armedEnv());
    await until(() => ourOpen(ex).length >= 8, 15_000, "the grid on the exchange");
    fillOne("BTCUSDT", "BUY");
    fillOne("ETHUSDT", "SELL");
    await until(
      () =>
        events(journal(path), "OrderFilled").length >= 2 && placementsPerClientId(ex).size >= 10,
      15_000,
      "both fills journaled and their levels placed again",
    );
    // One more trade; the exchange applies the level's new placement but its reply never
    // comes back, and the process dies waiting for it.
    ex.inject({ method: "POST", path: "/api/v3/order" }, { kind: "hang", apply: true });
    const postsSoFar = ex.calls("/api/v3/order", "POST").length;
    fillOne("BTCUSDT", "SELL");
    await until(
      () => ex.calls("/api/v3/order", "POST").length > postsSoFar,
      15_000,
      "the placement after the third fill",
    );
    const inFlight = ex.calls("/api/v3/order", "POST").at(-1)?.params.get("newClientOrderId");
    assert.ok(inFlight !== undefined && inFlight !== null);
    p1.child.kill("SIGKILL");
    assert.deepEqual(await exitWithin(p1, 10_000), { code: null, signal: "SIGKILL" });
    const atKill = journal(path);
    assert.equal(
      events(atKill).filter((e) => onExchange(atKill, e.client_order_id) === inFlight).length,
      0,
      "its outcome never reached the journal",
    );
    assert.ok(
      atKill
        .filter((l) => l.type === "tick")
        .flatMap((l) => l.commands as Obj[])
        .some((c) => onExchange(atKill, c.client_order_id) === inFlight),
      "its command did (write-ahead)",
    );
    const seqAtKill = journal(path).filter((l) => l.type === "tick").length;
    assert.ok(seqAtKill < 400, "killed mid-run");

    // While it is down: another trade, one of our orders unknown to the engine, a manual order.
    fillOne("ETHUSDT", "BUY");
    const stray = ex.seedOrder({
      symbol: "BTCUSDT",
      clientOrderId: `grinder-e0-${"5a".repeat(8)}`,
      side: "BUY",
      price: "90.00",
      qty: "0.1",
    });
    const foreign = ex.seedOrder({
      symbol: "ETHUSDT",
      clientOrderId: "web_manual_1",
      side: "SELL",
      price: "60.00",
      qty: "1",
    });
    const postsBefore = new Map(placementsPerClientId(ex));

    // Second run on the same journal, to the end of the fixture.
    const p2 = startLive([...common, "--speed", "0", "--cancel-strays"], armedEnv());
    const { code } = await exitWithin(p2, 60_000);
    assert.equal(code, 0, [...p2.out, ...p2.err].join("\n"));
    const log = p2.out.join("\n");
    assert.match(
      log,
      /trading: reconciling with the exchange: \d+ tracked orders, symbols BTCUSDT,ETHUSDT, cancelling strays/,
    );
    assert.match(log, /exchange: stray_cancelled BTCUSDT grinder-e0-5a5a/);
    assert.match(log, /exchange: foreign ETHUSDT web_manual_1/);
    assert.match(log, /trading: reconciled: .*\b1 stray cancelled\b.*\b1 foreign\b/);

    const lines = journal(path);
    const end = lines.at(-1) as Obj;
    assert.equal(end.type, "session_end");
    assert.equal(end.reason, "feed finished");
    assert.equal(lines.filter((l) => l.type === "tick").length, 400, "every snapshot once");

    // The exchange ends with exactly the kernel's open orders, nothing untracked.
    const expected = end.venue_orders as Obj[];
    assert.ok(expected.length >= 8);
    assert.ok(
      expected.every((o) => o.state === "open"),
      "no order lost or pending at the end",
    );
    const openIds = ourOpen(ex).map((o) => o.clientOrderId);
    assert.equal(new Set(openIds).size, openIds.length, "no duplicate client ids");
    assert.deepEqual(
      [...openIds].sort(),
      expected.map((o) => String(o.exchange_client_order_id)).sort(),
    );
    assert.equal(stray.status, "CANCELED", "the planted stray was cancelled");
    assert.ok(wsApi.subscriptions >= 2, "each run subscribed to the account's user data stream");
    assert.equal(foreign.status, "NEW", "a foreign order is never touched");

    // No order was placed twice, across both runs.
    for (const [id, n] of placementsPerClientId(ex)) assert.equal(n, 1, `placements of ${id}`);
    // The restart adopted what the first run had placed (it placed only new levels).
    for (const id of postsBefore.keys())
      assert.equal(placementsPerClientId(ex).get(id), 1, `${id} not placed again`);

    // The order whose reply was lost was found (accepted) at the restart, not placed again.
    const adoptedAtRestart = events(
      lines.filter((l) => l.cause === "reconcile"),
      "OrderAccepted",
    );
    assert.ok(adoptedAtRestart.some((e) => onExchange(lines, e.client_order_id) === inFlight));
    assert.equal(placementsPerClientId(ex).get(inFlight), 1);
    assert.ok(openIds.includes(inFlight));

    // Every trade reached the ledger exactly once (found by the first run or at the restart).
    const fillEvents = events(lines, "OrderFilled");
    assert.deepEqual(
      fillEvents.map((e) => onExchange(lines, e.client_order_id)).sort(),
      [...filled].sort(),
    );
    assert.ok(
      fillEvents.every((e) => e.leaves_quantity === "0"),
      "each booked whole, once",
    );
    assert.equal((end.summary as Obj).total_fills, filled.length);
    assert.ok(
      events(
        lines.filter((l) => l.cause === "reconcile"),
        "OrderFilled",
      ).length >= 1,
      "the trade made while the process was down is found at the restart",
    );
  });
});

describe("endpoint guard and arming, both commands", () => {
  it("--rest-url https://api.binance.com is refused with exit 2 by grinder live and grinder smoke-testnet", () => {
    const live = runCli(["live", "--rest-url", "https://api.binance.com", "--metrics-port", "0"], {
      GRINDER_HA_ENABLED: "false",
    });
    assert.equal(live.code, 2, live.stderr);
    assert.match(
      live.stderr,
      /^grinder live: --rest-url: Mainnet is forbidden: REST base URL host api\.binance\.com is a Binance production endpoint; use a testnet or demo URL$/m,
    );
    assert.doesNotMatch(live.stdout, /GRINDER starting/);
    const smoke = runCli(
      ["smoke-testnet", "--confirm", "TESTNET", "--rest-url", "https://api.binance.com"],
      armedEnv(),
    );
    assert.equal(smoke.code, 2, smoke.stderr);
    assert.match(smoke.stderr, /^grinder smoke-testnet: error: --rest-url: Mainnet is forbidden/m);
    const ws = runCli(["live", "--ws-url", "wss://stream.binance.com:9443/stream"], {
      GRINDER_HA_ENABLED: "false",
    });
    assert.equal(ws.code, 2);
    assert.match(ws.stderr, /grinder live: --ws-url: Mainnet is forbidden/);
    const wsApiProd = runCli(
      [
        "live",
        "--mode",
        "live_trade",
        "--confirm",
        "TESTNET",
        "--ws-api-url",
        "wss://ws-api.binance.com:443/ws-api/v3",
      ],
      armedEnv({ GRINDER_HA_ENABLED: "false" }),
    );
    assert.equal(wsApiProd.code, 2, wsApiProd.stderr);
    assert.match(
      wsApiProd.stderr,
      /grinder live: Mainnet is forbidden: WebSocket API URL host ws-api\.binance\.com/,
    );
    allOutput.push(wsApiProd.stdout, wsApiProd.stderr);
    allOutput.push(live.stdout, live.stderr, smoke.stdout, smoke.stderr);
  });

  it("live_trade without arming refuses to start (exit 2), placing nothing", () => {
    const before = ex.requests.length;
    const fixtureArg = `fixture:${fx.dir}`;
    const base = ["live", "--source", fixtureArg, "--mode", "live_trade", "--rest-url", ex.url];
    const journalArgs = ["--journal", join(TMP, "unarmed.jsonl"), "--metrics-port", "0"];
    const noConfirm = runCli([...base, ...journalArgs], armedEnv({ GRINDER_HA_ENABLED: "false" }));
    assert.equal(noConfirm.code, 2, noConfirm.stderr);
    assert.match(
      noConfirm.stderr,
      /grinder live: live_trade is not armed: --confirm TESTNET not given\. Real orders need --confirm TESTNET, ARMED=1, ALLOW_TESTNET_TRADE=1, BINANCE_API_KEY and BINANCE_API_SECRET/,
    );
    const unarmed = runCli(
      [...base, "--confirm", "TESTNET", ...journalArgs],
      armedEnv({ ARMED: "", GRINDER_HA_ENABLED: "false" }),
    );
    assert.equal(unarmed.code, 2, unarmed.stderr);
    assert.match(unarmed.stderr, /live_trade is not armed: ARMED=1 not set/);
    assert.doesNotMatch(unarmed.stdout + noConfirm.stdout, /GRINDER starting/, "refused first");
    assert.equal(ex.requests.length, before, "no request reached the exchange");
    allOutput.push(noConfirm.stdout, noConfirm.stderr, unarmed.stdout, unarmed.stderr);
  });

  it("no output ever contains the API key or secret", () => {
    const all = allOutput.join("\n");
    assert.ok(all.length > 1000, "the runs printed something");
    assert.ok(!all.includes(TEST_API_KEY), "API key leaked");
    assert.ok(!all.includes(TEST_API_SECRET), "API secret leaked");
    assert.ok(!all.includes("PLANTED"), "part of a credential leaked");
  });
});
