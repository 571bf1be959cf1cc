import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runCli, tempDir } from "../../test/support/run-cli.js";
import { snapshotKey } from "../../test/support/snapshot-key.js";
import type { FixtureEvent } from "./fixture-events.js";
import { type FixtureStats, openFixture } from "./fixture-reader.js";
import { BATCH_ROWS, LOOKAHEAD, liveReadingWorkers } from "./reading-thread.js";

/** An event as text: a snapshot with its decimals' exact sign, coefficient and exponent. */
function key(e: FixtureEvent): string {
  return e.kind === "other" ? `${e.type} @ ${e.where}` : snapshotKey(e.snapshot);
}

interface Pass {
  readonly keys: string[];
  readonly stats?: FixtureStats;
  readonly error?: { name: string; code: unknown; message: string };
}

function pass(dir: string, dataThreads: number): Pass {
  const fixture = openFixture(dir, { dataThreads });
  const keys: string[] = [];
  try {
    for (const e of fixture.events()) keys.push(key(e));
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { keys, error: { name: err.name, code: err.code, message: err.message } };
  }
  return { keys, stats: fixture.stats };
}

function assertSamePasses(dir: string): Pass {
  const inThread = pass(dir, 0);
  const worker = pass(dir, 1);
  assert.equal(worker.keys.length, inThread.keys.length);
  assert.deepEqual(worker.keys, inThread.keys);
  assert.deepEqual(worker.stats, inThread.stats);
  assert.deepEqual(worker.error, inThread.error);
  return inThread;
}

const T0 = Date.parse("2026-01-01T00:00:00Z");
/** Lines: more than LOOKAHEAD + 1 batches, so the worker waits for room. */
const LINES = (LOOKAHEAD + 2) * BATCH_ROWS + 321;

/**
 * A fixture of `LINES` lines: BTCUSDT and ETHUSDT from the start, SOLUSDT
 * only from the third batch on (a symbol new to a later batch); every 101st
 * line a TRADE, every 997th a BOOK_TICKER, every 499th blank; every 103rd a
 * quantity of 21 digits (a BigInt coefficient), every 211th with its fields
 * in another order and spaces (the general JSON path), every 307th with
 * trailing zeros and a zero of five places; `at` replaces lines (1-based).
 */
function writeFixture(dir: string, at: ReadonlyMap<number, string> = new Map()): void {
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const n = i + 1;
    const ts = T0 + i * 10;
    const replaced = at.get(n);
    if (replaced !== undefined) lines.push(replaced);
    else if (i % 499 === 7) lines.push("");
    else if (i % 101 === 3) lines.push(JSON.stringify({ ts, type: "TRADE", symbol: "BTCUSDT" }));
    else if (i % 997 === 5) lines.push(JSON.stringify({ ts, type: "BOOK_TICKER" }));
    else {
      const symbols =
        i >= 2 * BATCH_ROWS ? ["BTCUSDT", "ETHUSDT", "SOLUSDT"] : ["BTCUSDT", "ETHUSDT"];
      const symbol = symbols[i % symbols.length] as string;
      const bid = 1000 + ((i * 7) % 500) / 100;
      const fields = {
        ts,
        type: "SNAPSHOT",
        symbol,
        bid_price: bid.toFixed(2),
        ask_price: (bid + 0.01).toFixed(2),
        bid_qty: i % 103 === 1 ? "123456789012345678901" : `${(i % 13) + 1}.${i % 1000}`,
        ask_qty: i % 307 === 2 ? "100.000" : "0.5",
        last_price: bid.toFixed(2),
        last_qty: i % 307 === 2 ? "0.00000" : "0.1",
      };
      if (i % 211 === 4) {
        const { symbol: s, ts: t, ...rest } = fields;
        lines.push(JSON.stringify({ symbol: s, ...rest, ts: t }, null, 1).replaceAll("\n", ""));
      } else lines.push(JSON.stringify(fields));
    }
  }
  writeFileSync(join(dir, "events.jsonl"), `${lines.join("\n")}\n`);
}

describe("fixture-thread: the worker's events are the in-thread events", () => {
  it("over several batches: new symbols, skipped types, blank lines, BigInt and exponent values, the general path", () => {
    const dir = tempDir("grinder-fixture-thread-");
    writeFixture(dir);
    const p = assertSamePasses(dir);
    const blank = Math.ceil((LINES - 7) / 499);
    assert.equal(p.keys.length, LINES - blank);
    assert.ok(p.keys.some((k) => k.startsWith("TRADE @ ") && k.endsWith("events.jsonl:4")));
    assert.ok(p.keys.some((k) => k.includes(" SOLUSDT ")));
    assert.ok(p.keys.some((k) => k.includes(" 123456789012345678901e0 ")));
    assert.ok(p.keys.some((k) => k.includes(" 100000e-3 ") && k.endsWith(" 0e-5")));
    assert.equal(p.stats?.inOrder, true);
    assert.ok((p.stats?.skippedByType.get("BOOK_TICKER") ?? 0) > 0);
  });

  it("a bad line: the same error naming file:line, after the same events", () => {
    const dir = tempDir("grinder-fixture-thread-");
    const badLine = BATCH_ROWS + 1000;
    writeFixture(dir, new Map([[badLine, '{"ts": 1, "type": "SNAPSHOT", "symbol": "BTCUSDT"}']]));
    const p = assertSamePasses(dir);
    assert.equal(p.error?.code, "INVALID_INPUT");
    assert.match(p.error?.message ?? "", new RegExp(`events\\.jsonl:${badLine}: `));
    assert.ok(p.keys.length > BATCH_ROWS);
  });

  it("an unordered file: the first pass stops on it alike, the next reads it sorted alike", () => {
    const dir = tempDir("grinder-fixture-thread-");
    // A snapshot older than the lines before it, in the fourth batch.
    const late = JSON.stringify({
      ts: T0 + 5,
      type: "SNAPSHOT",
      symbol: "ETHUSDT",
      bid_price: "1.00",
      ask_price: "1.01",
      bid_qty: "1",
      ask_qty: "1",
      last_price: "1.00",
      last_qty: "1",
    });
    writeFixture(dir, new Map([[3 * BATCH_ROWS + 9, late]]));
    const runs = [0, 1].map((threads) => {
      const fixture = openFixture(dir, { dataThreads: threads });
      const first: string[] = [];
      assert.throws(() => {
        for (const e of fixture.events()) first.push(key(e));
      }, /events are not in ts order; re-reading sorted/);
      const second = [...fixture.events()].map(key);
      return { first, second, stats: fixture.stats };
    });
    const [a, b] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.deepEqual(b.first, a.first);
    assert.deepEqual(b.second, a.second);
    assert.deepEqual(b.stats, a.stats);
    assert.equal(a.stats.inOrder, false);
    assert.ok(a.first.length > 2 * BATCH_ROWS);
    // Sorted: the events without a quote first (ts 0), then the late snapshot in its place.
    const times = a.second.filter((k) => !k.includes(" @ ")).map((k) => k.split(" ")[0]);
    assert.deepEqual(times.slice(0, 3), [T0, T0 + 5, T0 + 10].map(String));
  });

  it("a pass stopped early (break, or a throw in the loop) leaves no worker running", async () => {
    const dir = tempDir("grinder-fixture-thread-");
    writeFixture(dir);
    const fixture = openFixture(dir, { dataThreads: 1 });
    const settle = async (): Promise<number> => {
      for (let i = 0; i < 500 && liveReadingWorkers() > 0; i++) await sleep(10);
      return liveReadingWorkers();
    };
    assert.equal(await settle(), 0);
    let n = 0;
    for (const _ of fixture.events()) if (++n === 10) break;
    assert.throws(() => {
      for (const e of fixture.events()) {
        if (e.kind === "snapshot" && e.snapshot.ts > T0 + 5000) throw new Error("stop");
      }
    }, /^Error: stop$/);
    assert.equal(liveReadingWorkers(), 2);
    assert.equal(await settle(), 0);
    assert.equal([...fixture.events()].length, pass(dir, 0).keys.length);
  });
});

describe("grinder replay and paper --data-threads 1: the same runs", () => {
  const dir = tempDir("grinder-fixture-thread-cli-");
  writeFixture(dir);
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ size_per_level: "0.01", spacing_bps: 0.5, levels: 3, fill_after_ticks: 1 }),
  );
  for (const command of ["replay", "paper"]) {
    it(command, () => {
      const outs = ["0", "1"].map((threads) => {
        const out = join(tempDir("grinder-fixture-thread-out-"), "result.json");
        const r = runCli([command, "--fixture", dir, "--out", out, "--data-threads", threads]);
        assert.equal(r.code, 0, r.stderr);
        return { stdout: r.stdout, stderr: r.stderr, result: readFileSync(out, "utf8") };
      });
      const [a, b] = outs as [(typeof outs)[0], (typeof outs)[0]];
      assert.match(a.stdout, /Output digest: [0-9a-f]{16}/);
      assert.equal(b.stdout, a.stdout);
      assert.equal(b.stderr, a.stderr);
      assert.equal(b.result, a.result);
      // The environment sets the default; the flag's value is checked.
      const env = runCli([command, "--fixture", dir], { GRINDER_DATA_THREADS: "1" });
      assert.equal(env.stdout, a.stdout);
      const bad = runCli([command, "--fixture", dir, "--data-threads", "2"]);
      assert.equal(bad.code, 1);
      assert.match(
        bad.stderr,
        new RegExp(`grinder ${command}: --data-threads expects 0 or 1, got "2"`),
      );
    });
  }
});
