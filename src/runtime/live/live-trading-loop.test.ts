import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { waitFor } from "../../../test/support/redis-server-process.js";
import { REPO_ROOT, tempDir } from "../../../test/support/run-cli.js";
import { canonicalJson, type JsonValue } from "../../core/canonical-json.js";
import { openFixture } from "../../data/fixture-reader.js";
import { ConnectorMetrics } from "../../net/connector-metrics.js";
import { HaRole } from "../../ops/ha/ha-state.js";
import { GrinderMetrics } from "../../ops/metrics/grinder-metrics.js";
import { runPaper } from "../backtest/run-paper.js";
import { DEFAULT_LIVE_OPTIONS, type LiveMode } from "./live-options.js";
import { type LiveLoopDeps, type LiveTick, LiveTradingLoop } from "./live-trading-loop.js";
import type { TradingLoopContext } from "./trading-loop.js";

const TMP = tempDir("grinder-live-loop-");
after(() => rmSync(TMP, { recursive: true, force: true }));

const fixture = (name: string): string => join(REPO_ROOT, "fixtures", name);

interface Harness {
  readonly loop: LiveTradingLoop;
  readonly metrics: GrinderMetrics;
  readonly logs: string[];
  readonly ticks: LiveTick[];
  /** Switch the fake HA role (calls onRoleChange like the runtime does). */
  setActive(active: boolean): void;
  /** Run to the end of the fixture (or until `abort`). */
  run(): Promise<void>;
  readonly abort: AbortController;
}

function harness(opts: {
  dir: string;
  mode: LiveMode;
  journal: string;
  active?: boolean;
  deps?: LiveLoopDeps;
  instanceId?: string;
  speed?: number;
  /** The HA lease's fencing epoch (undefined: HA off). */
  epoch?: number;
  /** The engine profile; "default" leaves it to `grinder live`'s default (realistic). */
  profile?: "reference" | "realistic" | "default";
}): Harness {
  const metrics = new GrinderMetrics({ clock: () => 0 });
  const logs: string[] = [];
  const ticks: LiveTick[] = [];
  let active = opts.active ?? true;
  const ctx: TradingLoopContext = {
    options: DEFAULT_LIVE_OPTIONS,
    metrics,
    role: () => (active ? HaRole.ACTIVE : HaRole.STANDBY),
    mayTrade: () => active,
    ...(opts.epoch !== undefined ? { epoch: () => opts.epoch } : {}),
    clock: () => 1_000,
    log: (l) => logs.push(l),
  };
  const abort = new AbortController();
  const loop = new LiveTradingLoop(
    ctx,
    {
      mode: opts.mode,
      source: { kind: "fixture", dir: opts.dir },
      symbols: [],
      filterFixtureSymbols: false,
      speed: opts.speed ?? 0,
      journalPath: opts.journal,
      configPath: undefined,
      // The reference profile unless asked: its outputs are what most tests compare.
      ...(opts.profile === "default" ? {} : { profile: opts.profile ?? "reference" }),
      instanceId: opts.instanceId ?? "test-1",
      env: {},
    },
    {
      connectorMetrics: new ConnectorMetrics(),
      ...opts.deps,
      onTick: (t) => {
        ticks.push(t);
        opts.deps?.onTick?.(t);
      },
    },
  );
  return {
    loop,
    metrics,
    logs,
    ticks,
    abort,
    setActive(a) {
      active = a;
      loop.onRoleChange(a ? HaRole.ACTIVE : HaRole.STANDBY);
    },
    run: () => loop.start(abort.signal),
  };
}

type Obj = Record<string, unknown>;

function journalLines(path: string): Obj[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Obj);
}

async function paperOutputs(
  dir: string,
  overrides?: Record<string, unknown>,
): Promise<{ outs: Obj[]; fields: Obj }> {
  const outs: Obj[] = [];
  const r = await runPaper(openFixture(dir), undefined, overrides, (o) => outs.push(o.json as Obj));
  return { outs, fields: r.fields as Obj };
}

/** JSON values as the journal holds them once read back. */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** A run summary without what differs by design: the event count and the look-ahead Top-K fields. */
function comparable(summary: unknown): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(plain(summary) as Obj))
    if (k !== "events_processed" && !k.startsWith("topk_")) out[k] = v;
  return out;
}

/** Sample value of a metric line `name{labels} value` (or `name value`), 0 when absent. */
function sample(text: string, series: string): number {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}

describe("live trading loop, fixture source, paper mode", () => {
  // Fixtures with at most topk_k symbols: the paper run's Top-K keeps every symbol.
  it("by default live paper is realistic: the simulated venue's fills (fees), outputs equal grinder paper --profile realistic", async () => {
    const name = "adaptive_grid";
    const journal = join(TMP, `paper-realistic-${name}.jsonl`);
    const h = harness({ dir: fixture(name), mode: "paper", journal, profile: "default" });
    await h.run();
    assert.ok(
      h.logs.some((l) => /Profile: realistic; options:/.test(l)),
      "the profile is said first",
    );
    const paper = await paperOutputs(fixture(name), { profile: "realistic" });
    assert.equal(h.ticks.length, paper.outs.length);
    let fees = 0;
    for (let i = 0; i < paper.outs.length; i++) {
      const live = h.ticks[i]?.output?.json;
      assert.equal(
        canonicalJson(live as JsonValue),
        canonicalJson(paper.outs[i] as JsonValue),
        `output ${i + 1}`,
      );
      for (const f of (paper.outs[i]?.fills as Obj[] | undefined) ?? [])
        if (typeof f.fee === "string" && f.fee !== "0") fees++;
    }
    assert.ok(fees > 0, "the simulated venue charged fees");
  });

  for (const name of [
    "drawdown_kill_switch",
    "controller_modes",
    "cycle_dd_guard",
    "rate_limit_spread",
    "adaptive_grid",
  ]) {
    it(`${name}: outputs equal grinder paper's, journal and metrics follow them`, async () => {
      const journal = join(TMP, `paper-${name}.jsonl`);
      const h = harness({ dir: fixture(name), mode: "paper", journal });
      await h.run();
      const paper = await paperOutputs(fixture(name));

      assert.equal(h.ticks.length, paper.outs.length);
      for (let i = 0; i < paper.outs.length; i++) {
        const live = h.ticks[i]?.output?.json;
        assert.ok(live !== undefined, `tick ${i + 1} has an output`);
        assert.equal(
          canonicalJson(live as JsonValue),
          canonicalJson(paper.outs[i] as JsonValue),
          `output ${i + 1}`,
        );
      }

      const lines = journalLines(journal);
      assert.equal(lines[0]?.type, "session");
      assert.equal(lines[0]?.next_seq, 1);
      const ticks = lines.filter((l) => l.type === "tick");
      assert.equal(ticks.length, paper.outs.length);
      ticks.forEach((t, i) => {
        assert.equal(t.seq, i + 1);
        assert.equal(t.executed, true);
        assert.deepEqual(t.output, plain(paper.outs[i]), `journaled output ${i + 1}`);
        assert.equal((t.snapshot as Obj).ts, paper.outs[i]?.ts);
      });
      const end = lines.at(-1) as Obj;
      assert.equal(end.type, "session_end");
      assert.equal(end.last_seq, paper.outs.length);
      assert.deepEqual(comparable(end.summary), comparable(paper.fields));

      // Metrics against the outputs, counted independently here.
      const text = h.metrics.render();
      let fills = 0;
      let placed = 0;
      const blocked = new Map<string, number>();
      let checked = 0;
      let tripped = false;
      for (const o of paper.outs) {
        fills += (o.fills as unknown[]).length;
        placed += (o.actions as Obj[]).filter((a) => a.action_type === "PLACE").length;
        const g = o.gating_result as Obj;
        if (g.allowed === false)
          blocked.set(String(g.reason), (blocked.get(String(g.reason)) ?? 0) + 1);
        else if (g.details !== null) checked++;
        if (o.kill_switch_triggered === true) tripped = true;
      }
      assert.equal(sample(text, "grinder_engine_events_total"), paper.outs.length);
      assert.equal(sample(text, "grinder_feed_snapshots_total"), paper.outs.length);
      assert.equal(sample(text, "grinder_fills_total"), fills);
      assert.equal(fills, paper.fields.total_fills);
      assert.equal(sample(text, "grinder_orders_placed_total"), placed);
      assert.equal(placed, paper.fields.orders_placed);
      const gateOf: Record<string, string> = {
        SPREAD_SPIKE: "toxicity_gate",
        PRICE_IMPACT_HIGH: "toxicity_gate",
        RATE_LIMIT_EXCEEDED: "rate_limiter",
        COOLDOWN_ACTIVE: "rate_limiter",
        KILL_SWITCH_ACTIVE: "risk_gate",
        MAX_NOTIONAL_EXCEEDED: "risk_gate",
      };
      let blockedTotal = 0;
      for (const [reason, n] of blocked) {
        const series = `grinder_gating_blocked_total{gate="${gateOf[reason]}",reason="${reason}"}`;
        assert.equal(sample(text, series), n, series);
        blockedTotal += n;
      }
      const allBlocked = text
        .split("\n")
        .filter((l) => l.startsWith("grinder_gating_blocked_total{"))
        .reduce((s, l) => s + Number(l.split(" ")[1]), 0);
      assert.equal(allBlocked, blockedTotal, "no blocked series beyond the outputs'");
      assert.equal(
        sample(text, 'grinder_gating_allowed_total{gate="toxicity_gate"}'),
        checked,
        "every gating check that passed counts once for the toxicity gate",
      );
      assert.equal(sample(text, "grinder_kill_switch_triggered"), tripped ? 1 : 0);
      assert.equal(
        sample(text, 'grinder_kill_switch_trips_total{reason="DRAWDOWN_LIMIT"}'),
        tripped ? 1 : 0,
      );
      if (paper.fields.kill_switch_enabled === true) {
        assert.equal(
          sample(text, "grinder_high_water_mark"),
          Number(Number(paper.fields.high_water_mark).toFixed(2)),
        );
        assert.equal(
          sample(text, "grinder_drawdown_pct"),
          Number(((plain(paper.fields) as Obj).final_drawdown_pct as number).toFixed(2)),
        );
      }
      assert.equal(sample(text, "grinder_takeovers_total"), 1);
      assert.equal(sample(text, "grinder_feed_connected"), 0, "fixture finished");
    });
  }

  it("drawdown_kill_switch trips the kill switch: the gauge, the trip and the blocks show it", async () => {
    const journal = join(TMP, "dks-metrics.jsonl");
    const h = harness({ dir: fixture("drawdown_kill_switch"), mode: "paper", journal });
    await h.run();
    const text = h.metrics.render();
    assert.equal(sample(text, "grinder_kill_switch_triggered"), 1);
    assert.equal(sample(text, 'grinder_kill_switch_trips_total{reason="DRAWDOWN_LIMIT"}'), 1);
    assert.ok(
      sample(text, 'grinder_gating_blocked_total{gate="risk_gate",reason="KILL_SWITCH_ACTIVE"}') >
        400,
    );
    assert.equal(sample(text, "grinder_drawdown_pct"), 59.35, "equity kept falling after the halt");
    assert.equal(sample(text, "grinder_high_water_mark"), 3000.35);
    assert.ok(h.logs.some((l) => l.includes("kill switch tripped at seq")));
  });
});

describe("live trading loop, read_only mode", () => {
  it("computes and journals decisions, places and fills nothing", async () => {
    const journal = join(TMP, "ro.jsonl");
    const h = harness({ dir: fixture("cycle_dd_guard"), mode: "read_only", journal });
    await h.run();
    const lines = journalLines(journal);
    const ticks = lines.filter((l) => l.type === "tick");
    assert.equal(ticks.length, 480);
    let decidedPlaces = 0;
    for (const t of ticks) {
      assert.equal(t.executed, false);
      assert.equal(t.mode, "read_only");
      const out = t.output as Obj;
      for (const k of ["fills", "pnl_snapshot", "events", "cycle_intents", "drawdown_check"])
        assert.ok(!(k in out), `read_only output has no ${k}`);
      assert.ok("gating_result" in out && "plan" in out && "actions" in out);
      decidedPlaces += (out.actions as Obj[]).filter((a) => a.action_type === "PLACE").length;
    }
    assert.ok(decidedPlaces > 0, "the engine still decides");
    const text = h.metrics.render();
    assert.equal(sample(text, "grinder_engine_events_total"), 480);
    assert.equal(sample(text, "grinder_orders_placed_total"), 0);
    assert.equal(sample(text, "grinder_fills_total"), 0);
    assert.equal(sample(text, "grinder_kill_switch_triggered"), 0);
    assert.equal(sample(text, "grinder_high_water_mark"), 0);
    assert.ok(sample(text, 'grinder_gating_allowed_total{gate="toxicity_gate"}') > 0);
    assert.equal(lines.at(-1)?.type, "session_end");
  });

  it("refuses to continue a journal of the other mode", () => {
    const journal = join(TMP, "ro-mismatch.jsonl");
    const a = harness({ dir: fixture("toxic_jump"), mode: "read_only", journal });
    return a.run().then(() => {
      assert.throws(
        () => harness({ dir: fixture("toxic_jump"), mode: "paper", journal }),
        /ro-mismatch\.jsonl:1: the journal was written in mode read_only; this run is mode paper\. .*start afresh with --journal FILE .* or --state-dir DIR/,
      );
    });
  });
});

describe("live trading loop, HA fencing of the journal", () => {
  it("lines carry the writer's epoch; a lease older than the journal's last line does not take over and keeps running", async () => {
    const dir = fixture("cycle_dd_guard");
    const journal = join(TMP, "fenced-epoch.jsonl");
    const a = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "A",
      epoch: 5,
      deps: {
        onTick: (t) => {
          if (t.seq === 20) a.abort.abort("stop A");
        },
      },
    });
    await a.run();
    const written = journalLines(journal);
    assert.ok(written.length >= 22);
    assert.ok(
      written.every((l) => l.epoch === 5),
      "every line under epoch 5",
    );
    const size = readFileSync(journal, "utf8").length;
    // B holds a lease with epoch 4: older than the journal. It must not write; the run ends normally.
    const b = harness({ dir, mode: "paper", journal, instanceId: "B", epoch: 4 });
    await b.run();
    assert.equal(readFileSync(journal, "utf8").length, size, "nothing appended");
    const refused = b.logs.filter((l) => l.includes("not taking over"));
    assert.equal(refused.length, 1, b.logs.join("\n"));
    assert.match(
      refused[0] as string,
      /its last line has fencing epoch 5, newer than this writer's 4: another instance took over; not appending/,
    );
    assert.equal(b.ticks.length, 0);
    // C under epoch 6 continues the journal.
    const c = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "C",
      epoch: 6,
      deps: {
        onTick: (t) => {
          if (t.seq === 25) c.abort.abort("stop C");
        },
      },
    });
    await c.run();
    const all = journalLines(journal);
    const fromC = all.slice(written.length);
    assert.ok(fromC.length > 0 && fromC.every((l) => l.epoch === 6));
    assert.ok(c.logs.some((l) => l.includes("writing under fencing epoch 6")));
  });
});

describe("live trading loop, takeover from the journal", () => {
  it("A journals N events and stops; B rebuilds A's state exactly and finishes the run as paper would", async () => {
    const dir = fixture("cycle_dd_guard");
    const journal = join(TMP, "takeover.jsonl");
    const N = 150;
    const a = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "A",
      deps: {
        onTick: (t) => {
          if (t.seq === N) a.abort.abort("stop A");
        },
      },
    });
    await a.run();
    assert.equal(a.loop.journalSeq, N);
    const aSummary = plain(a.loop.summary());
    const aEnd = journalLines(journal).at(-1) as Obj;
    assert.equal(aEnd.type, "session_end");
    assert.deepEqual(aEnd.summary, aSummary);
    assert.ok(((aSummary as Obj).total_fills as number) > 0, "A had fills");
    assert.ok(
      Object.keys((aSummary as Obj).final_positions as Obj).length > 0,
      "A holds positions",
    );

    let atTakeover: unknown;
    const b = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "B",
      deps: {
        onTakeover: (info) => {
          assert.equal(info.replayed, N + 2, "A's session line, N ticks, A's summary line");
          assert.equal(info.seq, N);
          atTakeover = plain(b.loop.summary());
        },
      },
    });
    await b.run();
    assert.deepEqual(atTakeover, aSummary, "B's rebuilt ledger, positions and guards are A's");
    assert.equal(b.loop.replayedEvents, N);

    const paper = await paperOutputs(dir);
    const lines = journalLines(journal);
    const ticks = lines.filter((l) => l.type === "tick");
    assert.deepEqual(
      ticks.map((t) => t.seq),
      paper.outs.map((_, i) => i + 1),
    );
    ticks.forEach((t, i) => {
      assert.deepEqual(t.output, plain(paper.outs[i]), `seq ${i + 1}`);
    });
    assert.equal(b.ticks[0]?.seq, N + 1, "B continues after A's last event");
    const sessions = lines.filter((l) => l.type === "session");
    assert.deepEqual(
      sessions.map((s) => [s.instance_id, s.next_seq]),
      [
        ["A", 1],
        ["B", N + 1],
      ],
    );
    assert.deepEqual(
      comparable(b.loop.summary()),
      comparable(paper.fields),
      "A then B = one paper run",
    );
    const text = b.metrics.render();
    assert.equal(sample(text, "grinder_engine_events_total"), paper.outs.length - N);
    assert.equal(sample(text, "grinder_takeovers_total"), 1);
  });

  it("a STANDBY follows the feed without writing; promoted, it takes over from the journal", async () => {
    const dir = fixture("drawdown_kill_switch");
    const journal = join(TMP, "roles.jsonl");
    const K = 120;
    let b: Harness | undefined;
    // B's feed runs at real time on a frozen clock: every wait blocks until the failover,
    // so B is still at the start of the fixture when it takes over.
    let release: () => void = () => {};
    const failover = new Promise<void>((r) => {
      release = r;
    });
    const a = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "A",
      deps: {
        onTick: (t) => {
          if (t.seq === K) {
            // Failover: A loses the lock, B gets it.
            a.setActive(false);
            b?.setActive(true);
            release();
          }
        },
      },
    });
    let aSummaryAtFailover: unknown;
    let bAtTakeover: unknown;
    b = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "B",
      active: false,
      speed: 1,
      deps: {
        sleep: () => failover,
        onTakeover: () => {
          aSummaryAtFailover = plain(a.loop.summary());
          bAtTakeover = plain(b?.loop.summary());
        },
      },
    });
    await Promise.all([a.run(), b.run()]);
    assert.equal(a.ticks.length, K, "A trades only while ACTIVE");
    assert.ok(a.loop.feedSnapshots > K, "A kept following its feed as STANDBY");
    assert.equal(a.loop.trading, false);
    assert.ok(b.ticks.length > 0, "B trades once ACTIVE");
    assert.equal(b.ticks[0]?.seq, K + 1);
    assert.equal(b.loop.feedSnapshots, 700, "B consumed its whole feed");
    assert.equal(b.ticks.length, 700 - K, "B skipped exactly what the journal held");
    assert.deepEqual(bAtTakeover, aSummaryAtFailover, "B starts from A's exact state");
    const lastA = a.ticks.at(-1)?.snapshot;
    const firstB = b.ticks[0]?.snapshot;
    assert.ok(lastA !== undefined && firstB !== undefined);
    assert.ok(
      firstB.ts > lastA.ts || (firstB.ts === lastA.ts && firstB.symbol !== lastA.symbol),
      "B never re-trades an event the journal holds",
    );
    const lines = journalLines(journal);
    const seqs = lines.filter((l) => l.type === "tick").map((l) => l.seq as number);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      "one writer at a time: seq unbroken",
    );
    assert.deepEqual(
      lines.filter((l) => l.type !== "tick").map((l) => `${l.type}:${l.instance_id}`),
      ["session:A", "session:B", "session_end:B"],
      "A wrote no summary after losing the role",
    );
    assert.equal(sample(a.metrics.render(), "grinder_engine_events_total"), K);
  });

  it("a STANDBY follows the journal without writing; promoted, it only applies what is new", async () => {
    const dir = fixture("cycle_dd_guard");
    const journal = join(TMP, "follow.jsonl");
    const N = 200;
    const a = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "A",
      deps: {
        onTick: (t) => {
          if (t.seq === N) a.abort.abort("stop A");
        },
      },
    });
    await a.run();
    const before = readFileSync(journal, "utf8");

    // B: STANDBY, its feed held after the first snapshot until released.
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let takeover: { seq: number; replayed: number } | undefined;
    const b = harness({
      dir,
      mode: "paper",
      journal,
      instanceId: "B",
      active: false,
      speed: 1,
      deps: {
        sleep: () => held,
        followIntervalMs: 0,
        onTakeover: (info) => {
          takeover = { ...info };
        },
      },
    });
    const running = b.run();
    await waitFor(() => b.loop.replayedEvents === N, 5000, "B following the journal");
    assert.equal(b.loop.trading, false);
    assert.equal(readFileSync(journal, "utf8"), before, "the STANDBY wrote nothing");
    assert.deepEqual(plain(b.loop.summary()), plain(a.loop.summary()), "B mirrors A's state");
    assert.equal(sample(b.metrics.render(), "grinder_engine_events_total"), 0);

    b.setActive(true);
    release();
    await running;
    assert.deepEqual(takeover, { seq: N, replayed: 0 }, "nothing left to replay at takeover");
    assert.equal(b.ticks[0]?.seq, N + 1);
    const paper = await paperOutputs(dir);
    assert.deepEqual(comparable(b.loop.summary()), comparable(paper.fields));
    const ticks = journalLines(journal).filter((l) => l.type === "tick");
    assert.equal(ticks.length, paper.outs.length);
  });

  it("a journal that does not replay to the same outputs is refused", async () => {
    const dir = fixture("toxic_jump");
    const journal = join(TMP, "tampered.jsonl");
    await harness({ dir, mode: "paper", journal }).run();
    const lines = readFileSync(journal, "utf8").split("\n");
    // Change one snapshot's bid: the replayed output no longer matches the journaled one.
    const i = lines.findIndex((l) => l.includes('"seq":20,'));
    const tampered = JSON.parse(lines[i] as string) as Obj;
    const snap = tampered.snapshot as Obj;
    snap.bid_price = String(Number(snap.bid_price) * 0.5);
    lines[i] = JSON.stringify(tampered);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(journal, lines.join("\n"));
    const b = harness({ dir, mode: "paper", journal });
    await assert.rejects(
      b.run(),
      /tampered\.jsonl:\d+: replay diverged from the journal at seq 20/,
    );
  });

  it("a journal whose command batch or venue answers differ from the replay's is refused", async () => {
    const dir = fixture("toxic_jump");
    const journal = join(TMP, "tampered-commands.jsonl");
    await harness({ dir, mode: "paper", journal }).run();
    const original = readFileSync(journal, "utf8");
    const lines = original.split("\n");
    const i = lines.findIndex((l) => {
      const o = l === "" ? {} : (JSON.parse(l) as Obj);
      return (
        o.type === "tick" && (o.commands as Obj[]).length > 0 && (o.events as Obj[]).length > 0
      );
    });
    assert.ok(i > 0, "a tick with commands and venue answers");
    const { writeFileSync } = await import("node:fs");
    const tamper = (edit: (line: Obj) => void): void => {
      const copy = [...lines];
      const line = JSON.parse(copy[i] as string) as Obj;
      edit(line);
      copy[i] = JSON.stringify(line);
      writeFileSync(journal, copy.join("\n"));
    };
    const seq = (JSON.parse(lines[i] as string) as Obj).seq;
    tamper((l) => {
      ((l.commands as Obj[])[0] as Record<string, unknown>).level_id = 99;
    });
    await assert.rejects(
      harness({ dir, mode: "paper", journal }).run(),
      new RegExp(`replay diverged from the journal at seq ${seq}: commands: `),
    );
    tamper((l) => {
      (l.events as Obj[]).pop();
    });
    await assert.rejects(
      harness({ dir, mode: "paper", journal }).run(),
      new RegExp(`replay diverged from the journal at seq ${seq}: venue events: `),
    );
  });
});
