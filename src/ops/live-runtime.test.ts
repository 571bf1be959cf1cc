import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { HaRole } from "./ha/ha-state.js";
import {
  type LiveDeps,
  type LiveRuntimeHandle,
  runLiveCommand,
  type SignalSource,
} from "./live-runtime.js";
import { METRICS_CONTRACT_V1, requiredMetricsPatterns } from "./metrics/metrics-contract.js";
import type { OpsIo } from "./ops-io.js";
import {
  freePort,
  RedisServerProcess,
  redisServerAvailable,
  waitFor,
} from "./testing/redis-server-process.js";
import type { TradingLoop, TradingLoopContext } from "./trading-loop.js";

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
  it("serves the endpoints, exports every contract metric, stops on SIGTERM", async () => {
    let now = 1_700_000_000_000;
    const { rt, done, io, signals } = await startLive([], {}, { clock: () => now });
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
    const { done, io } = await startLive(["--duration-s", "1"], {});
    assert.equal(await done, 0);
    assert.ok(io.out.some((l) => l === "shutting down: duration of 1 s reached"));
  });

  it("wires a custom trading loop: context, role changes, metrics; a failure exits 1", async () => {
    let ctxSeen: TradingLoopContext | null = null;
    const roles: HaRole[] = [];
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
  });

  it("exits 1 when the metrics port is taken", async () => {
    const { rt, signals, done } = await startLive([], {});
    const io = captureIo();
    const code = await runLiveCommand(
      ["--metrics-port", String(rt.port), "--metrics-host", "127.0.0.1"],
      {},
      io,
      { signals: new FakeSignals() },
    );
    assert.equal(code, 1);
    assert.match(io.err[0] ?? "", /cannot serve on 127\.0\.0\.1/);
    signals.send("SIGINT");
    assert.equal(await done, 0);
  });
});

const HAVE_REDIS = redisServerAvailable();
describe("grinder live with HA (private redis-server)", {
  skip: HAVE_REDIS ? false : "redis-server is not installed",
}, () => {
  it("becomes ACTIVE: /readyz 200, role metric, loop told; releases the lock on SIGINT", async () => {
    const redis = new RedisServerProcess(await freePort());
    await redis.start();
    const roles: HaRole[] = [];
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
});
