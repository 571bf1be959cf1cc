import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, runCli, tempDir } from "../../../test/support/run-cli.js";
import { Decimal } from "../../core/decimal.js";
import { openBinanceSource } from "../../data/binance/binance-source.js";
import { runDataBacktest } from "./run-data-backtest.js";

const TESTDATA = "src/data/binance/testdata";
const LAYOUT = `${TESTDATA}/layout`;
const BAD = `${TESTDATA}/bad`;

/** Small sizes and tick-delay fills, so the sample days trade. */
const CONFIG = { size_per_level: "0.001", spacing_bps: 0.5, levels: 3, fill_after_ticks: 1 };

function configFile(dir: string): string {
  const p = join(dir, "config.json");
  writeFileSync(p, JSON.stringify(CONFIG));
  return p;
}

const RANGE = ["--symbols", "BTCUSDT,ETHUSDT", "--from", "2026-01-01", "--to", "2026-01-04"];
/** The sample days of two symbols, with the trading config. */
const run = (dir: string, ...more: string[]) =>
  runCli(["backtest", "--data", LAYOUT, ...RANGE, "--config", configFile(dir), ...more]);

function tableRows(stdout: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of stdout.split("\n")) {
    const cells = line.trim().split(/\s+/);
    if (["BTCUSDT", "ETHUSDT", "TOTAL"].includes(cells[0] ?? ""))
      rows.set(cells[0] as string, cells);
  }
  return rows;
}

describe("grinder backtest --data (through the real binary)", () => {
  const dir = tempDir();
  const outputs = join(dir, "out", "ticks.jsonl");
  const report = join(dir, "out", "report.html");
  const summary = join(dir, "out", "summary.json");
  const r = run(dir, "--outputs", outputs, "--report", report, "--out", summary);

  it("runs both symbols and prints a per-symbol table with totals", () => {
    assert.equal(r.code, 0, r.stderr);
    const rows = tableRows(r.stdout);
    // columns: symbol events orders fills realized unrealized position
    assert.deepEqual(rows.get("BTCUSDT")?.slice(0, 2), ["BTCUSDT", "74"]);
    assert.deepEqual(rows.get("ETHUSDT")?.slice(0, 2), ["ETHUSDT", "45"]);
    assert.deepEqual(rows.get("TOTAL")?.slice(0, 2), ["TOTAL", "119"]);
    const col = (sym: string, i: number): string => rows.get(sym)?.[i] ?? "?";
    for (const i of [2, 3]) {
      assert.equal(Number(col("BTCUSDT", i)) + Number(col("ETHUSDT", i)), Number(col("TOTAL", i)));
    }
    assert.ok(Number(col("TOTAL", 3)) > 0, "the sample days trade with this config");
    for (const i of [4, 5]) {
      const sum = Decimal.parse(col("BTCUSDT", i)).add(Decimal.parse(col("ETHUSDT", i)));
      assert.ok(sum.cmp(Decimal.parse(col("TOTAL", i))) === 0, `column ${i} adds up`);
    }
    assert.match(
      r.stdout,
      /^Backtest completed: 119 events, 2 symbol\(s\), \d+ fills, 3 missing day\(s\), digest [0-9a-f]{16}$/m,
    );
  });

  it("reports the gap days, never silently", () => {
    assert.match(r.stdout, /^Missing days: 3$/m);
    assert.match(r.stdout, /missing BTCUSDT 2026-01-03 \(no file; e\.g\. /);
    assert.match(r.stdout, /missing ETHUSDT 2026-01-04 /);
    assert.match(r.stderr, /warning: 3 missing day\(s\)/);
    const s = JSON.parse(readFileSync(summary, "utf8")) as Record<string, unknown>;
    assert.deepEqual(s.missing_days, [
      { date: "2026-01-03", symbol: "BTCUSDT" },
      { date: "2026-01-03", symbol: "ETHUSDT" },
      { date: "2026-01-04", symbol: "ETHUSDT" },
    ]);
    assert.equal(s.events_processed, 119);
  });

  it("streams one JSON line per output, consistent with the table", () => {
    const lines = readFileSync(outputs, "utf8").trimEnd().split("\n");
    assert.equal(lines.length, 119);
    const position = new Map<string, Decimal>();
    const events = new Map<string, number>();
    for (const line of lines) {
      const o = JSON.parse(line) as {
        symbol: string;
        fills: { side: string; quantity: string }[];
      };
      events.set(o.symbol, (events.get(o.symbol) ?? 0) + 1);
      for (const f of o.fills) {
        const q = Decimal.parse(f.quantity);
        const p = position.get(o.symbol) ?? Decimal.ZERO;
        position.set(o.symbol, f.side === "BUY" ? p.add(q) : p.sub(q));
      }
    }
    assert.deepEqual(
      [...events],
      [
        ["BTCUSDT", 74],
        ["ETHUSDT", 45],
      ],
    );
    const rows = tableRows(r.stdout);
    for (const sym of ["BTCUSDT", "ETHUSDT"]) {
      const shown = Decimal.parse(rows.get(sym)?.[6] ?? "?");
      const mine = position.get(sym) ?? Decimal.ZERO;
      assert.ok(mine.cmp(shown) === 0, `${sym} position ${mine.toString()} vs ${shown.toString()}`);
    }
    assert.deepEqual(
      readdirSync(join(dir, "out")).filter((f) => f.includes(".tmp-")),
      [],
    );
  });

  it("writes an HTML report with the chart data of each symbol", () => {
    const html = readFileSync(report, "utf8");
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(m !== null);
    const data = JSON.parse(m[1] as string) as {
      portfolio: { t: number[]; equity: number[] };
      symbols: { symbol: string; t: number[]; mid: number[]; fills: { t: number[] } }[];
    };
    assert.deepEqual(
      data.symbols.map((s) => [s.symbol, s.t.length]),
      [
        ["BTCUSDT", 74],
        ["ETHUSDT", 45],
      ],
    );
    const fills = Number(tableRows(r.stdout).get("BTCUSDT")?.[3]);
    assert.equal(data.symbols[0]?.fills.t.length, fills);
    assert.ok(data.symbols[0]?.mid.every((x) => x > 90_000 && x < 95_000));
    assert.equal(data.portfolio.t.length, 119);
    assert.equal(data.portfolio.equity[0], 10_000);
    assert.match(html, /missing days/);
  });

  it("gives the same digest on a second run", () => {
    const again = run(dir, "-q");
    assert.equal(again.code, 0, again.stderr);
    const digest = (s: string): string | undefined => /digest ([0-9a-f]{16})/.exec(s)?.[1];
    assert.equal(digest(again.stdout), digest(r.stdout));
    assert.equal(again.stdout.trim().split("\n").length, 1, "quiet: the verdict line only");
    assert.match(again.stderr, /warning: missing BTCUSDT 2026-01-03/);
  });
});

describe("grinder backtest --data: bad rows and bad flags", () => {
  const args = [
    "backtest",
    "--data",
    BAD,
    "--symbols",
    "BTCUSDT",
    "--from",
    "2026-01-01",
    "--to",
    "2026-01-01",
  ];

  it("stops on a bad row with exit 1 and file:line", () => {
    const dir = tempDir();
    const outputs = join(dir, "ticks.jsonl");
    const r = runCli([...args, "--outputs", outputs]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /BTCUSDT-bookTicker-2026-01-01\.csv:7: bad bookTicker row: column 2 \(best_bid_price\)/,
    );
    assert.equal(existsSync(outputs), false, "no partial outputs file");
    assert.deepEqual(readdirSync(dir), []);
  });

  it("skips and reports the bad row when asked", () => {
    const r = runCli([...args, "--on-bad-row", "skip"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^TOTAL\s+11\s/m);
    assert.match(r.stdout, /skipped 1 bad row\(s\); first: .*\.csv:7: bad bookTicker row/);
  });

  it("refuses data flags without --data, and unknown --config options", () => {
    const r = runCli(["backtest", "--symbols", "BTCUSDT"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--symbols needs --data/);
    const dir = tempDir();
    const cfg = join(dir, "c.json");
    writeFileSync(cfg, JSON.stringify({ spacing_bsp: 3 }));
    const bad = runCli([...args, "--on-bad-row", "skip", "--config", cfg]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /unknown option "spacing_bsp"/);
  });

  it("refuses a missing data directory", () => {
    const r = runCli(["backtest", "--data", "no/such/dir", ...RANGE]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /data directory not found: no\/such\/dir/);
  });
});

describe("runDataBacktest", () => {
  it("reads the source twice (selection, trading), streaming", async () => {
    const source = openBinanceSource({
      dataDir: join(REPO_ROOT, LAYOUT),
      symbols: ["BTCUSDT", "ETHUSDT"],
      kind: "bookTicker",
      from: "2026-01-01",
      to: "2026-01-02",
    });
    let passes = 0;
    const counted = {
      ...source,
      snapshots: () => {
        passes++;
        return source.snapshots();
      },
    };
    const r = await runDataBacktest(counted, { overrides: CONFIG, withSeries: true });
    assert.equal(passes, 2);
    assert.equal(r.run.eventsProcessed, 99);
    assert.deepEqual(
      r.symbols.map((s) => [s.symbol, s.events]),
      [
        ["BTCUSDT", 54],
        ["ETHUSDT", 45],
      ],
    );
    assert.equal(r.series?.portfolioSeen, 99);
  });
});
