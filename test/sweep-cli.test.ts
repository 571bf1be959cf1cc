/**
 * `grinder sweep` on Binance dumps: every CSV row equals a single `grinder
 * backtest --data --config` run with the trial's options; worker threads and
 * a single thread give the same CSV; walk-forward picks, per window, the best
 * train row of the CSV (checked here from the CSV, independently of the
 * code's choice) and its test row equals a single backtest of the test day.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BTC, ETH, writeBookTicker } from "./support/binance-dumps.js";
import { REPO_ROOT, runCli, tempDir } from "./support/run-cli.js";

const DAYS = ["2026-03-01", "2026-03-02", "2026-03-03"];
const SYMBOLS = "BTCUSDT,ETHUSDT";

function makeData(): string {
  const root = tempDir("grinder-sweep-data-");
  DAYS.forEach((d, i) => {
    writeBookTicker(root, BTC, d, 2500, 21 + i);
    writeBookTicker(root, ETH, d, 2500, 31 + i);
  });
  return root;
}

/** CSV rows as records (the writer quotes cells holding commas or quotes). */
function readCsv(path: string): Record<string, string>[] {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n");
  const split = (line: string): string[] => {
    const out: string[] = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i] as string;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") {
        out.push(cur);
        cur = "";
      } else cur += c;
    }
    out.push(cur);
    return out;
  };
  const header = split(lines[0] as string);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
  });
}

/** grinder sweep over the test's data and days, then `extra` flags. */
function sweepArgs(data: string, from: string, to: string, extra: readonly string[]): string[] {
  return ["sweep", "--data", data, "--symbols", SYMBOLS, "--from", from, "--to", to, ...extra];
}

interface BacktestJson {
  readonly final_equity: string;
  readonly summary: Readonly<Record<string, unknown>>;
}

function singleBacktest(data: string, from: string, to: string, config: object): BacktestJson {
  const dir = tempDir();
  const cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify(config));
  const out = join(dir, "out.json");
  const r = runCli([
    "backtest",
    "--data",
    data,
    "--symbols",
    SYMBOLS,
    "--from",
    from,
    "--to",
    to,
    "--config",
    cfg,
    "--out",
    out,
    "--quiet",
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return JSON.parse(readFileSync(out, "utf8")) as BacktestJson;
}

/** The row's summary cells equal the backtest's summary and final equity. */
function assertRowEquals(row: Record<string, string>, b: BacktestJson): void {
  assert.equal(row.final_equity, b.final_equity);
  for (const [k, v] of Object.entries(b.summary)) {
    const cell = row[k];
    const expected = v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
    assert.equal(cell, expected, `summary key ${k}`);
  }
}

describe("grinder sweep (local)", () => {
  const data = makeData();

  test("each row equals a single backtest; threads and one thread agree", () => {
    const dir = tempDir();
    const csv2 = join(dir, "two.csv");
    const csv1 = join(dir, "one.csv");
    const html = join(dir, "sweep.html");
    const args = sweepArgs(data, DAYS[0] as string, DAYS[1] as string, [
      "--grid",
      "spacing_bps=5,20",
      "--grid",
      "levels=2,4",
      "--objective",
      "return_pct",
    ]);
    const r2 = runCli([...args, "--jobs", "2", "--out", csv2, "--report", html]);
    assert.equal(r2.code, 0, r2.stdout + r2.stderr);
    assert.match(r2.stdout, /Sweep: 4 trial\(s\) over spacing_bps \(2\), levels \(2\)/);
    assert.match(r2.stdout, /Objective: return_pct \(max\)/);
    const r1 = runCli([...args, "--jobs", "1", "--out", csv1]);
    assert.equal(r1.code, 0, r1.stdout + r1.stderr);
    assert.equal(readFileSync(csv1, "utf8"), readFileSync(csv2, "utf8"));
    const rows = readCsv(csv2);
    assert.deepEqual(
      rows.map((r) => [r.spacing_bps, r.levels]),
      [
        ["5", "2"],
        ["5", "4"],
        ["20", "2"],
        ["20", "4"],
      ],
    );
    assert.equal(new Set(rows.map((r) => r.trial_id)).size, 4);
    for (const row of rows) {
      const b = singleBacktest(data, DAYS[0] as string, DAYS[1] as string, {
        spacing_bps: Number(row.spacing_bps),
        levels: Number(row.levels),
      });
      assertRowEquals(row, b);
      assert.equal(row.objective_return_pct_max, String(b.summary.return_pct));
    }
    const page = readFileSync(html, "utf8");
    assert.match(page, /<html/);
    for (const row of rows) assert.ok(page.includes(row.trial_id as string), "trial id in report");
  });

  test("walk-forward: the best train row of each window is the one tested", () => {
    const dir = tempDir();
    const csv = join(dir, "wf.csv");
    const r = runCli(
      sweepArgs(data, DAYS[0] as string, DAYS[2] as string, [
        "--grid",
        "spacing_bps=5,20",
        "--grid",
        "levels=2,4",
        "--walk-forward",
        "train=1d,test=1d",
        "--objective",
        "net_pnl",
        "--out",
        csv,
      ]),
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Walk-forward: 2 window\(s\)/);
    const rows = readCsv(csv);
    for (const w of ["0", "1"]) {
      const train = rows.filter((x) => x.window === w && x.span === "train");
      const tests = rows.filter((x) => x.window === w && x.span === "test");
      assert.equal(train.length, 4);
      assert.equal(tests.length, 1);
      let best = train[0] as Record<string, string>;
      for (const t of train) if (Number(t.net_pnl) > Number(best.net_pnl)) best = t;
      const chosen = tests[0] as Record<string, string>;
      assert.deepEqual([chosen.spacing_bps, chosen.levels], [best.spacing_bps, best.levels]);
      const day = DAYS[Number(w) + 1] as string;
      assertRowEquals(
        chosen,
        singleBacktest(data, day, day, {
          spacing_bps: Number(chosen.spacing_bps),
          levels: Number(chosen.levels),
        }),
      );
    }
  });

  test("bad flags are errors naming them, and nothing is written", () => {
    const out = join(tempDir(), "never.csv");
    const r = runCli(
      sweepArgs(data, DAYS[0] as string, DAYS[0] as string, [
        "--grid",
        "spacing_bsp=5,20",
        "--grid",
        "levels=x",
        "--out",
        out,
      ]),
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /unknown option "spacing_bsp"/);
    assert.match(r.stderr, /levels expects a number, got "x"/);
    assert.equal(existsSync(out), false);
    const wf = runCli(
      sweepArgs(data, DAYS[0] as string, DAYS[1] as string, [
        "--grid",
        "levels=2",
        "--walk-forward",
        "train=2d,test=1d",
      ]),
    );
    assert.notEqual(wf.code, 0);
    assert.match(wf.stderr, /one window needs 3/);
  });
});

describe("grinder sweep --fixtures", () => {
  test("each row's fills and PnL equal grinder paper's with the trial's options", () => {
    const fixture = join(REPO_ROOT, "fixtures", "rate_limit_spread");
    const dir = tempDir();
    const csv = join(dir, "fx.csv");
    const r = runCli([
      "sweep",
      "--fixtures",
      fixture,
      "--grid",
      "spacing_bps=5,25",
      "--grid",
      "levels=2,3",
      "--jobs",
      "2",
      "--out",
      csv,
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const rows = readCsv(csv);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      const cfg = join(dir, `c-${row.trial}.json`);
      writeFileSync(
        cfg,
        JSON.stringify({ spacing_bps: Number(row.spacing_bps), levels: Number(row.levels) }),
      );
      const out = join(dir, `p-${row.trial}.json`);
      const p = runCli(["paper", "--fixture", fixture, "--config", cfg, "--out", out]);
      assert.equal(p.code, 0, p.stdout + p.stderr);
      const paper = JSON.parse(readFileSync(out, "utf8")) as {
        readonly total_fills: number;
        readonly orders_placed: number;
      };
      assert.equal(Number(row.fills), paper.total_fills);
      assert.equal(Number(row.orders_submitted), paper.orders_placed);
    }
  });
});
