import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createIdleTradingLoop } from "../../../test/support/idle-trading-loop.js";
import { LocalWsServer } from "../../../test/support/local-ws-server.js";
import {
  freePort,
  RedisServerProcess,
  redisServerAvailable,
  waitFor,
} from "../../../test/support/redis-server-process.js";
import { skipUnless } from "../../../test/support/required-tool.js";
import { REPO_ROOT, tempDir } from "../../../test/support/run-cli.js";
import type { OpsIo } from "../../core/io-types.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { HaRole } from "../../ops/ha/ha-state.js";
import {
  METRICS_CONTRACT_V1,
  requiredMetricsPatterns,
} from "../../ops/metrics/metrics-contract.js";
import {
  type LiveDeps,
  type LiveRuntimeHandle,
  runLiveCommand,
  type SignalSource,
} from "./live-runtime.js";
import type { LiveTradingLoop } from "./live-trading-loop.js";
import type { TradingLoop, TradingLoopContext } from "./trading-loop.js";

const TMP = tempDir("grinder-live-rt-");
after(() => rmSync(TMP, { recursive: true, force: true }));

const fixture = (name: string): string => join(REPO_ROOT, "fixtures", name);
let journals = 0;
/** A fresh journal path for one run. */
const journal = (): string => join(TMP, `journal-${++journals}.jsonl`);
/** A fixture source that runs for minutes in real time (stopped by the test). */
const slowFixture = (): string[] => [
  "--source",
  `fixture:${fixture("drawdown_kill_switch")}`,
  "--journal",
  journal(),
];

class FakeSignals extends EventEmitter implements SignalSource {
  send(sig: "SIGINT" | "SIGTERM"): void {
    this.emit(sig);
  }
}

function captureIo(): OpsIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

/** Start `grinder live` in-process; resolves once it serves, with its pieces and the run's promise. */
function startLive(
  argv: string[],
  env: Record<string, string>,
  deps: LiveDeps = {},
): Promise<{
  rt: LiveRuntimeHandle;
  done: Promise<number>;
  io: ReturnType<typeof captureIo>;
  signals: FakeSignals;
}> {
  const io = captureIo();
  const signals = new FakeSignals();
  return new Promise((resolve, reject) => {
    const done = runLiveCommand(
      ["--metrics-port", "0", "--metrics-host", "127.0.0.1", ...argv],
      env,
      io,
      {
        signals,
        ...deps,
        liveLoop: { connectorMetrics: new ConnectorMetrics(), ...deps.liveLoop },
        onStarted: (rt) => resolve({ rt, done, io, signals }),
      },
    );
    done.then(
      (code) => reject(new Error(`exited early with ${code}: ${io.err.join("\n")}`)),
      reject,
    );
  });
}

async function get(
  port: number,
  path: string,
): Promise<{ status: number; type: string | null; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, type: r.headers.get("content-type"), body: await r.text() };
}

describe("grinder live (in-process)", () => {
  it("--allow-host joins GRINDER_ALLOW_HOSTS; an IP address or an unnamed host exits 2", async () => {
    const run = async (argv: string[], env: Record<string, string> = {}) => {
      const io = captureIo();
      const code = await runLiveCommand(["--metrics-port", "0", ...argv], env, io);
      return { code, err: io.err.join("\n") };
    };
    const ws = ["--ws-url", "wss://feed.internal/stream", "--duration-s", "1"];
    const unnamed = await run(ws);
    assert.equal(unnamed.code, 2);
    assert.match(unnamed.err, /--ws-url: WebSocket URL: host feed\.internal is not allowed/);
    const ip = await run([...ws, "--allow-host", "10.0.0.5"]);
    assert.equal(ip.code, 2);
    assert.match(ip.err, /--allow-host: "10\.0\.0\.5" is an IP address/);
    const envIp = await run(ws, { GRINDER_ALLOW_HOSTS: "feed.internal,3232235521" });
    assert.equal(envIp.code, 2);
    assert.match(envIp.err, /GRINDER_ALLOW_HOSTS: "3232235521" is an IP address/);
  });

  it("serves the endpoints, exports every contract metric, stops on SIGTERM", async () => {
    let now = 1_700_000_000_000;
    const { rt, done, io, signals } = await startLive(slowFixture(), {}, { clock: () => now });
    now += 2_500;
    const h = await get(rt.port, "/healthz");
    assert.deepEqual(h, {
      status: 200,
      type: "application/json",
      body: '{"status": "ok", "uptime_s": 2.5}',
    });
    const r = await get(rt.port, "/readyz");
    assert.deepEqual([r.status, r.body], [503, '{"ready": false, "role": "unknown"}']);
    const m = await get(rt.port, "/metrics");
    assert.equal(m.status, 200);
    assert.equal(m.type, "text/plain; version=0.0.4; charset=utf-8");
    for (const spec of METRICS_CONTRACT_V1) {
      assert.ok(m.body.includes(`# TYPE ${spec.name} ${spec.type}\n`), spec.name);
    }
    for (const p of requiredMetricsPatterns()) assert.ok(m.body.includes(p), p);
    assert.ok(m.body.includes("\ngrinder_uptime_seconds 2.50\n"));
    assert.ok(m.body.includes('grinder_ha_role{role="unknown"} 1\n'));
    assert.equal((await get(rt.port, "/other")).status, 404);

    signals.send("SIGTERM");
    assert.equal(await done, 0);
    assert.ok(io.out.includes("shutting down: SIGTERM"), io.out.join("\n"));
    assert.equal(io.out.at(-1), "GRINDER stopped.");
    assert.equal(signals.listenerCount("SIGTERM"), 0, "signal handlers removed");
    assert.equal(signals.listenerCount("SIGINT"), 0);
    await assert.rejects(fetch(`http://127.0.0.1:${rt.port}/healthz`));
  });

  it("stops by itself after --duration-s", async () => {
    const { done, io } = await startLive(["--duration-s", "1", ...slowFixture()], {});
    assert.equal(await done, 0);
    assert.ok(io.out.some((l) => l === "shutting down: duration of 1 s reached"));
  });

  it("wires a custom trading loop: context, role changes, metrics; a failure exits 1", async () => {
    let ctxSeen: TradingLoopContext | null = null;
    const roles: string[] = [];
    const factory = (ctx: TradingLoopContext): TradingLoop => {
      ctxSeen = ctx;
      return {
        start: async () => {
          ctx.metrics.recordGatingBlocked("toxicity_gate", "SPREAD_SPIKE");
          await new Promise((r) => setTimeout(r, 5));
          throw new Error("feed broke");
        },
        onRoleChange: (role) => roles.push(role),
      };
    };
    const io = captureIo();
    const code = await runLiveCommand(
      [
        "--metrics-port",
        "0",
        "--metrics-host",
        "127.0.0.1",
        "--symbols",
        "solusdt",
        "--mode",
        "paper",
      ],
      {},
      io,
      { tradingLoopFactory: factory, signals: new FakeSignals() },
    );
    assert.equal(code, 1);
    assert.ok(io.err.includes("trading loop failed: feed broke"));
    const ctx = ctxSeen as TradingLoopContext | null;
    assert.ok(ctx !== null);
    assert.deepEqual(ctx.options.symbols, ["SOLUSDT"]);
    assert.equal(ctx.options.mode, "paper");
    assert.equal(ctx.role(), HaRole.UNKNOWN);
    assert.equal(ctx.mayTrade(), true, "HA off: trading allowed");
    assert.deepEqual(roles, []);
  });

  it("refuses bad flags and bad environment with exit code 2, naming the culprit", async () => {
    const io = captureIo();
    assert.equal(await runLiveCommand(["--metrics-port", "x"], {}, io), 2);
    assert.match(io.err[0] ?? "", /^grinder live: --metrics-port: expected a whole number/);
    const io2 = captureIo();
    assert.equal(await runLiveCommand([], { GRINDER_HA_LOCK_TTL_MS: "abc" }, io2), 2);
    assert.match(io2.err[0] ?? "", /GRINDER_HA_LOCK_TTL_MS/);
    const io3 = captureIo();
    assert.equal(await runLiveCommand(["--source", "fixture:/nonexistent/dir"], {}, io3), 2);
    assert.match(io3.err[0] ?? "", /does not exist/);
    const io4 = captureIo();
    assert.equal(await runLiveCommand(["--help"], {}, io4), 0);
    assert.match(io4.out[0] ?? "", /^Usage: grinder live/);
    assert.match(io4.out[0] ?? "", /--journal FILE/);
  });

  it("refuses bad trading options (speed, config file, journal) with exit code 2", async () => {
    const src = ["--source", `fixture:${fixture("toxic_jump")}`, "--journal", journal()];
    const cases: [string[], RegExp][] = [
      [["--speed", "fast"], /--speed: expected a number >= 0/],
      [["--speed", "1", "--speed", "2"], /--speed: given twice/],
      [["--bogus", "1"], /unknown option --bogus \(options: .*--journal/],
      [[...src, "--config", join(TMP, "nope.json")], /cannot read config file .*nope\.json/],
      [
        [
          "--source",
          `fixture:${fixture("toxic_jump")}`,
          "--journal",
          join(REPO_ROOT, "package.json", "x.jsonl"),
        ],
        /cannot write there/,
      ],
    ];
    const badConfig = join(TMP, "bad-config.json");
    writeFileSync(badConfig, JSON.stringify({ spacing_bps: 5, not_an_option: 1 }));
    cases.push([[...src, "--config", badConfig], /unknown option "not_an_option"/]);
    for (const [argv, re] of cases) {
      const io = captureIo();
      const code = await runLiveCommand(
        ["--metrics-port", "0", "--metrics-host", "127.0.0.1", ...argv],
        {},
        io,
        { signals: new FakeSignals() },
      );
      assert.equal(code, 2, argv.join(" "));
      assert.match(io.err[0] ?? "", re);
    }
  });

  it("exits 1 when the metrics port is taken", async () => {
    const { rt, signals, done } = await startLive(slowFixture(), {});
    const io = captureIo();
    const code = await runLiveCommand(
      ["--metrics-port", String(rt.port), "--metrics-host", "127.0.0.1"],
      {},
      io,
      { signals: new FakeSignals(), tradingLoopFactory: createIdleTradingLoop },
    );
    assert.equal(code, 1);
    assert.match(io.err[0] ?? "", /cannot serve on 127\.0\.0\.1/);
    signals.send("SIGINT");
    assert.equal(await done, 0);
  });
});

/** Value of one sample line of a /metrics body (0 when absent). */
function sample(text: string, series: string): number {
  for (const line of text.split("\n"))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return 0;
}

type Obj = Record<string, unknown>;

function journalLines(path: string): Obj[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Obj);
}

describe("grinder live: the trading loop in the runtime", () => {
  it("a feed that cannot connect is retried with backoff; endpoints stay up; metrics show it", async () => {
    const closed = await freePort(); // nothing listens there
    const j = journal();
    const { rt, done, signals, io } = await startLive(
      ["--source", "binance", "--journal", j, "--symbols", "BTCUSDT"],
      { GRINDER_BINANCE_WS_URL: `ws://127.0.0.1:${closed}/stream` },
      { liveLoop: { feedRetry: { baseDelayMs: 20, maxDelayMs: 80, jitter: "none" } } },
    );
    await waitFor(
      () =>
        sample(
          rt.metrics.render(),
          'grinder_connector_retries_total{op="feed_connect",reason="transient"}',
        ) >= 4,
      5000,
      "four feed retries",
    );
    const h = await get(rt.port, "/healthz");
    assert.equal(h.status, 200);
    const m = await get(rt.port, "/metrics");
    assert.equal(m.status, 200);
    assert.equal(sample(m.body, "grinder_feed_connected"), 0);
    assert.ok(sample(m.body, "grinder_feed_reconnects_total") >= 4);
    assert.equal(sample(m.body, "grinder_feed_snapshots_total"), 0);
    assert.equal(sample(m.body, "grinder_up"), 1);
    const retries = io.out.filter((l) => l.includes("feed retry"));
    assert.match(retries[0] ?? "", /feed retry 1 in 20 ms \(transient: WebSocket connect failed/);
    assert.match(retries[1] ?? "", /feed retry 2 in 40 ms/);
    assert.match(retries[3] ?? "", /feed retry 4 in 80 ms/, "capped at maxDelayMs");
    signals.send("SIGTERM");
    assert.equal(await done, 0);
    assert.equal(io.out.at(-1), "GRINDER stopped.");
  });

  it("binance source over a loopback WebSocket: snapshots traded, journaled; a drop is reconnected", async () => {
    const server = await LocalWsServer.start();
    try {
      const j = journal();
      const { rt, done, signals } = await startLive(
        ["--source", "binance", "--mode", "paper", "--symbols", "LOOPUSDT", "--journal", j],
        { GRINDER_BINANCE_WS_URL: server.url },
        {
          liveLoop: {
            feedRetry: { baseDelayMs: 20 },
            connector: { reconnect: { baseDelayMs: 10, maxRetries: 5 } },
          },
        },
      );
      const c1 = await server.waitForClient(1);
      await c1.waitForSubscriptions(1);
      assert.deepEqual(c1.subscriptions[0], ["loopusdt@bookTicker"]);
      const frame = (u: number, bid: string, ask: string): unknown => ({
        stream: "loopusdt@bookTicker",
        data: { u, s: "LOOPUSDT", b: bid, B: "10", a: ask, A: "10", E: 1_700_000_000_000 + u },
      });
      for (let u = 1; u <= 5; u++) c1.send(frame(u, "1.0000", "1.0002"));
      const loop = rt.loop as LiveTradingLoop;
      await waitFor(() => loop.tradedSnapshots === 5, 3000, "five snapshots traded");
      assert.equal(sample(rt.metrics.render(), "grinder_feed_connected"), 1);
      c1.drop();
      const c2 = await server.waitForClient(2);
      await c2.waitForSubscriptions(1);
      for (let u = 6; u <= 8; u++) c2.send(frame(u, "1.0001", "1.0003"));
      await waitFor(() => loop.tradedSnapshots === 8, 3000, "eight snapshots traded");
      const text = rt.metrics.render();
      assert.ok(sample(text, "grinder_feed_reconnects_total") >= 1);
      assert.equal(sample(text, "grinder_engine_events_total"), 8);
      assert.equal(sample(text, "grinder_feed_connected"), 1);
      signals.send("SIGTERM");
      assert.equal(await done, 0);
      const lines = journalLines(j);
      const ticks = lines.filter((l) => l.type === "tick");
      assert.deepEqual(
        ticks.map((t) => (t.snapshot as Obj).ts),
        [1, 2, 3, 4, 5, 6, 7, 8].map((u) => 1_700_000_000_000 + u),
      );
      const first = ticks[0] as Obj;
      assert.equal((first.snapshot as Obj).bid_price, "1.0000");
      assert.ok(((first.output as Obj).actions as unknown[]).length > 0, "grid placed");
      assert.equal(lines.at(-1)?.type, "session_end");
    } finally {
      await server.close();
    }
  });
});

const HAVE_REDIS = redisServerAvailable();
describe("grinder live with HA (private redis-server)", {
  skip: skipUnless(HAVE_REDIS, "redis-server is not installed"),
}, () => {
  it("becomes ACTIVE: /readyz 200, role metric, loop told; releases the lock on SIGINT", async () => {
    const redis = new RedisServerProcess(await freePort());
    await redis.start();
    const roles: string[] = [];
    try {
      const env = {
        GRINDER_HA_ENABLED: "true",
        GRINDER_REDIS_URL: redis.url,
        GRINDER_HA_LOCK_TTL_MS: "1000",
        GRINDER_HA_RENEW_INTERVAL_MS: "100",
        GRINDER_HA_INSTANCE_ID: "live-test-1",
      };
      const { rt, done, signals, io } = await startLive([], env, {
        electorOverrides: { acquireGraceMs: 50 },
        tradingLoopFactory: () => ({
          start: (signal) =>
            new Promise<void>((res) => signal.addEventListener("abort", () => res())),
          onRoleChange: (role) => roles.push(role),
        }),
      });
      await waitFor(() => rt.haState.role === HaRole.ACTIVE, 3000, "ACTIVE");
      const r = await get(rt.port, "/readyz");
      assert.deepEqual([r.status, r.body], [200, '{"ready": true, "role": "active"}']);
      const m = await get(rt.port, "/metrics");
      assert.ok(m.body.includes('grinder_ha_role{role="active"} 1\n'));
      assert.ok(m.body.includes('grinder_ha_role{role="unknown"} 0\n'));
      signals.send("SIGINT");
      assert.equal(await done, 0);
      assert.deepEqual(roles, [HaRole.STANDBY, HaRole.ACTIVE, HaRole.STANDBY]);
      assert.ok(
        io.out.some((l) => l.includes("released the lock held by live-test-1")),
        io.out.join("\n"),
      );
    } finally {
      await redis.stop();
    }
  });

  it("two instances, one journal: only the ACTIVE trades and journals fills; the STANDBY takes over from it", async () => {
    const redis = new RedisServerProcess(await freePort());
    await redis.start();
    let sampler: ReturnType<typeof setInterval> | undefined;
    try {
      const j = journal();
      const env = (id: string): Record<string, string> => ({
        GRINDER_HA_ENABLED: "true",
        GRINDER_REDIS_URL: redis.url,
        // A stopping gives the lock back, so B's takeover does not wait for the TTL; a TTL
        // well above a loaded machine's pauses keeps A from losing the lease mid-test.
        GRINDER_HA_LOCK_TTL_MS: "3000",
        GRINDER_HA_RENEW_INTERVAL_MS: "100",
        GRINDER_HA_INSTANCE_ID: id,
      });
      const argv = [
        "--source",
        `fixture:${fixture("controller_modes")}`,
        "--mode",
        "paper",
        "--speed",
        "40",
        "--journal",
        j,
      ];
      const deps: LiveDeps = {
        electorOverrides: { acquireGraceMs: 50 },
        liveLoop: { followIntervalMs: 20 },
      };
      const a = await startLive(argv, env("ha-a"), deps);
      await waitFor(() => a.rt.haState.role === HaRole.ACTIVE, 3000, "A ACTIVE");
      let bTakeover: { seq: number; replayed: number } | undefined;
      const b = await startLive(argv, env("ha-b"), {
        ...deps,
        liveLoop: {
          followIntervalMs: 20,
          onTakeover: (info) => {
            bTakeover = { ...info };
          },
        },
      });
      let bothActive = 0;
      sampler = setInterval(() => {
        if (a.rt.haState.role === HaRole.ACTIVE && b.rt.haState.role === HaRole.ACTIVE)
          bothActive++;
      }, 2);
      const aLoop = a.rt.loop as LiveTradingLoop;
      const bLoop = b.rt.loop as LiveTradingLoop;
      await waitFor(
        () => aLoop.tradedSnapshots >= 60 && bLoop.feedSnapshots >= 30 && bLoop.replayedEvents > 0,
        5000,
        "A trading, B following its feed and the journal",
      );
      assert.equal(b.rt.haState.role, HaRole.STANDBY);
      assert.equal(bLoop.trading, false);
      assert.equal(bLoop.tradedSnapshots, 0, "the STANDBY does not trade");
      assert.ok(bLoop.latest.size > 0, "the STANDBY keeps the latest snapshots");
      const bStandby = b.rt.metrics.render();
      assert.equal(sample(bStandby, "grinder_engine_events_total"), 0);
      assert.equal(sample(bStandby, "grinder_fills_total"), 0);
      assert.ok(sample(bStandby, "grinder_feed_snapshots_total") >= 30);
      assert.equal(sample(bStandby, 'grinder_ha_role{role="standby"}'), 1);

      // Stop A: it closes its journal, then gives the lock back; B takes over from the journal.
      a.signals.send("SIGTERM");
      assert.equal(await a.done, 0);
      const aSeq = aLoop.journalSeq;
      const aFills = sample(a.rt.metrics.render(), "grinder_fills_total");
      assert.ok(aFills > 0, "A had fills");
      await waitFor(() => bLoop.tradedSnapshots >= 30, 5000, "B trading");
      assert.equal(b.rt.haState.role, HaRole.ACTIVE);
      assert.equal(bLoop.replayedEvents, aSeq, "B applied everything A journaled");
      assert.ok(bTakeover !== undefined && bTakeover.seq === aSeq);
      assert.ok(
        bTakeover.replayed < aSeq,
        `B followed the journal as STANDBY: only ${bTakeover.replayed} lines left at takeover`,
      );
      const bActive = b.rt.metrics.render();
      assert.equal(sample(bActive, "grinder_takeovers_total"), 1);
      b.signals.send("SIGTERM");
      assert.equal(await b.done, 0);
      clearInterval(sampler);
      assert.equal(bothActive, 0, "never two ACTIVE");

      const lines = journalLines(j);
      assert.deepEqual(
        lines.filter((l) => l.type !== "tick").map((l) => `${l.type}:${l.instance_id}`),
        ["session:ha-a", "session_end:ha-a", "session:ha-b", "session_end:ha-b"],
        "the STANDBY wrote nothing while A was ACTIVE",
      );
      const ticks = lines.filter((l) => l.type === "tick");
      assert.deepEqual(
        ticks.map((t) => t.seq),
        ticks.map((_, i) => i + 1),
      );
      const bSession = lines.find((l) => l.type === "session" && l.instance_id === "ha-b");
      assert.equal(bSession?.next_seq, aSeq + 1);
      const fillsIn = (ts: Obj[]): number =>
        ts.reduce((n, t) => n + ((t.output as Obj).fills as unknown[]).length, 0);
      assert.equal(fillsIn(ticks.slice(0, aSeq)), aFills, "A's fills are journaled");
      assert.equal(
        fillsIn(ticks.slice(aSeq)),
        sample(b.rt.metrics.render(), "grinder_fills_total"),
        "B's fills are journaled",
      );
      assert.ok(ticks.length === aSeq + bLoop.tradedSnapshots);
    } finally {
      if (sampler !== undefined) clearInterval(sampler);
      await redis.stop();
    }
  });
});
