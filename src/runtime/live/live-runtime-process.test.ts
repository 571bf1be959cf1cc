/**
 * The real `grinder live` process (node dist/cli/bin.js live): endpoints while
 * it trades, a clean stop on SIGTERM with the journal closed, and a feed that
 * cannot connect. Loopback and fixtures only.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { freePort, waitFor } from "../../../test/support/redis-server-process.js";
import { BIN, REPO_ROOT, tempDir } from "../../../test/support/run-cli.js";

const TMP = tempDir("grinder-live-proc-");
after(() => rmSync(TMP, { recursive: true, force: true }));

interface Proc {
  readonly child: ChildProcess;
  readonly out: string[];
  readonly err: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port(): number | undefined;
}

function startProcess(args: string[], env: Record<string, string> = {}, cwd = TMP): Proc {
  const child = spawn(process.execPath, [BIN, "live", ...args], {
    cwd,
    env: { ...process.env, GRINDER_HA_ENABLED: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  const err: string[] = [];
  const collect =
    (into: string[]) =>
    (b: Buffer): void => {
      const lines = b.toString("utf8").split("\n");
      if (into.length > 0 && lines.length > 0) {
        // Continue a line cut between two chunks.
        into[into.length - 1] += lines.shift() as string;
      }
      into.push(...lines);
    };
  child.stdout?.on("data", collect(out));
  child.stderr?.on("data", collect(err));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    out,
    err,
    exit,
    port() {
      for (const l of out) {
        const m = /health: {2}http:\/\/localhost:(\d+)\/healthz/.exec(l);
        if (m) return Number(m[1]);
      }
      return undefined;
    },
  };
}

async function get(
  port: number,
  path: string,
): Promise<{ status: number; body: string; type: string | null }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, type: r.headers.get("content-type"), body: await r.text() };
}

function sample(text: string, series: string): number {
  for (const line of text.split("\n"))
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  return 0;
}

async function metricsOf(port: number): Promise<string> {
  return (await get(port, "/metrics")).body;
}

/** Poll an async condition. */
async function until(cond: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  for (;;) {
    if (await cond()) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("grinder live as a process", () => {
  it("fixture source, paper mode: serves, trades, journals; SIGTERM stops it cleanly", async () => {
    const journal = join(TMP, "proc-paper.jsonl");
    const p = startProcess([
      "--source",
      `fixture:${join(REPO_ROOT, "fixtures", "controller_modes")}`,
      "--mode",
      "paper",
      "--speed",
      "20",
      "--journal",
      journal,
      "--metrics-port",
      "0",
      "--metrics-host",
      "127.0.0.1",
    ]);
    try {
      await waitFor(() => p.port() !== undefined, 10_000, "the listening line");
      const port = p.port() as number;
      await until(
        async () => sample(await metricsOf(port), "grinder_engine_events_total") >= 40,
        10_000,
        "40 traded events",
      );
      const h = await get(port, "/healthz");
      assert.equal(h.status, 200);
      assert.match(h.body, /^\{"status": "ok", "uptime_s": \d+\.\d+\}$/);
      const r = await get(port, "/readyz");
      assert.deepEqual([r.status, r.body], [503, '{"ready": false, "role": "unknown"}']);
      const m = await get(port, "/metrics");
      assert.equal(m.type, "text/plain; version=0.0.4; charset=utf-8");
      assert.equal(sample(m.body, "grinder_feed_connected"), 1);
      assert.ok(sample(m.body, "grinder_fills_total") > 0, "paper fills");
      assert.equal(sample(m.body, "grinder_takeovers_total"), 1);

      p.child.kill("SIGTERM");
      const { code, signal } = await p.exit;
      assert.deepEqual({ code, signal }, { code: 0, signal: null }, p.err.join("\n"));
      const out = p.out.filter((l) => l !== "");
      assert.ok(out.includes("shutting down: SIGTERM"), out.join("\n"));
      assert.equal(out.at(-1), "GRINDER stopped.");
      const lines = readFileSync(journal, "utf8").split("\n");
      assert.equal(lines.at(-1), "", "the journal ends with a complete line");
      const last = JSON.parse(lines.at(-2) as string) as Record<string, unknown>;
      assert.equal(last.type, "session_end");
      assert.equal(last.reason, "shutdown: SIGTERM");
      const ticks = lines.filter((l) => l.startsWith('{"type":"tick"'));
      assert.equal(last.last_seq, ticks.length);
      assert.ok(ticks.length >= 40);
    } finally {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    }
  });

  it("a Binance feed on a closed loopback port: endpoints up, failures in the metrics, clean stop", async () => {
    const closed = await freePort();
    // The default journal place (./state) cannot be created here: a file is in the way.
    const cwd = join(TMP, "cwd");
    const tmp = join(TMP, "tmp");
    mkdirSync(cwd);
    mkdirSync(tmp);
    writeFileSync(join(cwd, "state"), "not a directory");
    const p = startProcess(
      ["--metrics-port", "0", "--metrics-host", "127.0.0.1"],
      { GRINDER_BINANCE_WS_URL: `ws://127.0.0.1:${closed}/stream`, TMPDIR: tmp },
      cwd,
    );
    try {
      await waitFor(() => p.port() !== undefined, 10_000, "the listening line");
      const port = p.port() as number;
      await until(
        async () =>
          sample(
            await metricsOf(port),
            'grinder_connector_retries_total{op="feed_connect",reason="transient"}',
          ) >= 1,
        10_000,
        "a feed retry",
      );
      assert.equal((await get(port, "/healthz")).status, 200);
      const m = await metricsOf(port);
      assert.equal(sample(m, "grinder_feed_connected"), 0);
      assert.ok(sample(m, "grinder_feed_reconnects_total") >= 1);
      assert.ok(p.out.some((l) => l.includes("source: binance  mode: read_only")));
      p.child.kill("SIGTERM");
      const { code } = await p.exit;
      assert.equal(code, 0, p.err.join("\n"));
      assert.equal(p.out.filter((l) => l !== "").at(-1), "GRINDER stopped.");
      const name = "journal-read_only-binance-BTCUSDT_ETHUSDT.jsonl";
      const fallback = join(tmp, "grinder-state", name);
      assert.match(
        p.err.join("\n"),
        /warning: journal state\/journal-read_only-binance-BTCUSDT_ETHUSDT\.jsonl: cannot write there .*journaling to .*grinder-state\/journal-read_only-binance-BTCUSDT_ETHUSDT\.jsonl instead/,
      );
      assert.ok(p.out.some((l) => l === `  journal: ${fallback}`));
      const lines = readFileSync(fallback, "utf8").split("\n");
      assert.match(lines[0] ?? "", /^\{"type":"session"/);
    } finally {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    }
  });

  it("state paths per mode, source and symbols: a binance paper run starts after a fixture paper run; a mismatch names file, reason and flags", async () => {
    const cwd = join(TMP, "paths");
    mkdirSync(cwd);
    const closed = await freePort();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [BIN, "live", "--metrics-port", "0", ...args], {
        cwd,
        encoding: "utf8",
        env: {
          ...process.env,
          GRINDER_HA_ENABLED: "false",
          GRINDER_BINANCE_WS_URL: `ws://127.0.0.1:${closed}/stream`,
        },
        timeout: 60_000,
      });
    const fx = join(REPO_ROOT, "fixtures", "toxic_jump");
    const fixtureRun = run(["--source", `fixture:${fx}`, "--mode", "paper", "--speed", "0"]);
    assert.equal(fixtureRun.status, 0, fixtureRun.stderr);
    assert.match(fixtureRun.stdout, /journal: state\/journal-paper-fixture-toxic_jump-all\.jsonl/);
    // The same directory, Binance market data, paper: a journal of its own; it starts.
    const binanceRun = run(["--source", "binance", "--mode", "paper", "--duration-s", "1"]);
    assert.equal(binanceRun.status, 0, binanceRun.stderr);
    assert.match(binanceRun.stdout, /journal: state\/journal-paper-binance-BTCUSDT_ETHUSDT\.jsonl/);
    assert.match(binanceRun.stdout, /GRINDER running/);
    assert.deepEqual(readdirSync(join(cwd, "state")).sort(), [
      "journal-paper-binance-BTCUSDT_ETHUSDT.jsonl",
      "journal-paper-fixture-toxic_jump-all.jsonl",
    ]);
    // The fixture's journal named explicitly for a Binance run: refused, exit 2.
    const mismatch = run([
      "--source",
      "binance",
      "--mode",
      "paper",
      "--journal",
      "state/journal-paper-fixture-toxic_jump-all.jsonl",
      "--duration-s",
      "1",
    ]);
    assert.equal(mismatch.status, 2, mismatch.stdout + mismatch.stderr);
    assert.match(
      mismatch.stderr,
      /state\/journal-paper-fixture-toxic_jump-all\.jsonl:1: the journal was written from market data fixture:.*toxic_jump; this run reads binance\. .*start afresh with --journal FILE .*or --state-dir DIR/,
    );
    // Another mode on the fixture's journal: refused the same way.
    const otherMode = run([
      "--source",
      `fixture:${fx}`,
      "--mode",
      "read_only",
      "--journal",
      "state/journal-paper-fixture-toxic_jump-all.jsonl",
    ]);
    assert.equal(otherMode.status, 2);
    assert.match(
      otherMode.stderr,
      /journal-paper-fixture-toxic_jump-all\.jsonl:1: the journal was written in mode paper; this run is mode read_only\. Continue it in mode paper, or start afresh with --journal FILE/,
    );
  });
});
