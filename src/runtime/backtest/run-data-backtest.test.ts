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

interface OutputLine {
  readonly ts: number;
  readonly symbol: string;
  readonly fills: { ts: number; side: string; price: string; quantity: string }[];
}

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
  const fillsCsv = join(dir, "out", "fills.csv");
  const equityCsv = join(dir, "out", "equity.csv");
  // bookTicker files are USD-M: funding is paid (funding_rate every 8 h, no dump here).
  const fundingCsv = join(dir, "out", "funding.csv");
  const r = run(
    dir,
    "--digest",
    "--outputs",
    outputs,
    "--report",
    report,
    "--out",
    summary,
    "--fills",
    fillsCsv,
    "--equity",
    equityCsv,
    "--funding",
    fundingCsv,
  );
  /** Every output of the run (from --outputs). */
  const outs = (): OutputLine[] =>
    readFileSync(outputs, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as OutputLine);
  const csv = (path: string): string[][] =>
    readFileSync(path, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => l.split(","));

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

  it("writes every fill as a CSV row, as the outputs have them", () => {
    const rows = csv(fillsCsv);
    assert.deepEqual(rows[0], [
      "ts",
      "symbol",
      "side",
      "price",
      "qty",
      "fee",
      "fee_asset",
      "liquidity",
      "order_id",
      "order_submit_ts",
    ]);
    const fromOutputs = outs().flatMap((o) =>
      o.fills.map((f) => [String(f.ts), o.symbol, f.side, f.price, f.quantity]),
    );
    assert.equal(rows.length - 1, Number(tableRows(r.stdout).get("TOTAL")?.[3]));
    assert.deepEqual(
      rows.slice(1).map((x) => x.slice(0, 5)),
      fromOutputs,
    );
    for (const row of rows.slice(1)) {
      // Data backtests run the realistic profile: a fee in the quote asset on every fill.
      assert.ok(Decimal.parse(row[5] ?? "?").isPositive(), row.join(","));
      assert.equal(row[6], "USDT");
      assert.match(row[7] ?? "", /^(maker|taker)$/);
      assert.match(row[8] ?? "", /^(BTCUSDT|ETHUSDT):\d+:\d+:(BUY|SELL):\d+$/);
      assert.ok(Number(row[9]) > 0 && Number(row[9]) <= Number(row[0]), row.join(","));
    }
  });

  it("writes equity points at every fill, every minute with data, and the end", () => {
    const rows = csv(equityCsv);
    assert.deepEqual(rows[0], [
      "ts",
      "equity",
      "realized",
      "unrealized",
      "fees",
      "position_notional",
    ]);
    const points = rows.slice(1).map((x) => ({ ts: Number(x[0]), row: x }));
    for (let i = 1; i < points.length; i++) {
      assert.ok((points[i]?.ts ?? 0) >= (points[i - 1]?.ts ?? 0), "in time order");
    }
    const o = outs();
    const at = new Set(points.map((p) => p.ts));
    const minutes = new Set(points.map((p) => Math.floor(p.ts / 60_000)));
    for (const line of o) {
      if (line.fills.length > 0) assert.ok(at.has(line.ts), `a point at the fill at ${line.ts}`);
      assert.ok(minutes.has(Math.floor(line.ts / 60_000)), `a point in the minute of ${line.ts}`);
    }
    const first = points[0]?.row;
    const last = points[points.length - 1]?.row;
    assert.deepEqual([first?.[0], first?.[1]], [String(o[0]?.ts), "10000"]);
    assert.equal(last?.[0], String(o[o.length - 1]?.ts));
    // equity = 10000 + realized + unrealized - fees + funding received so far, on every row.
    const payments = csv(fundingCsv)
      .slice(1)
      .map((x) => ({ ts: Number(x[0]), payment: Decimal.parse(x[5] as string) }));
    for (const { ts, row } of points) {
      const [, e, re, un, fe] = row.map((x) => x) as string[];
      const funding = payments
        .filter((p) => p.ts <= ts)
        .reduce((a, p) => a.add(p.payment), Decimal.ZERO);
      const sum = Decimal.parse("10000").add(Decimal.parse(re as string));
      const expected = sum
        .add(Decimal.parse(un as string))
        .sub(Decimal.parse(fe as string))
        .add(funding);
      assert.ok(
        Decimal.parse(e as string)
          .sub(expected)
          .abs()
          .lte(Decimal.parse("1E-20")),
      );
    }
    const json = JSON.parse(readFileSync(summary, "utf8")) as { final_equity: string };
    assert.ok(Decimal.parse(json.final_equity).eq(Decimal.parse(last?.[1] ?? "?")));
  });

  it("writes the summary and the engine options to --out, and prints the summary", () => {
    const json = JSON.parse(readFileSync(summary, "utf8")) as {
      summary: Record<string, unknown>;
      options: Record<string, unknown>;
      initial_capital: string;
      final_equity: string;
    };
    const s = json.summary;
    assert.deepEqual(Object.keys(s).sort(), [
      "blocked_by_reason",
      "calmar",
      "fees",
      "fills",
      "funding",
      "gross_pnl",
      "liquidation_distance_pct",
      "liquidations",
      "maker_share",
      "max_drawdown_duration_s",
      "max_drawdown_pct",
      "max_effective_leverage",
      "max_margin_use_pct",
      "max_position_notional",
      "net_pnl",
      "orders_cancelled",
      "orders_filtered",
      "orders_rejected",
      "orders_submitted",
      "return_pct",
      "round_trips",
      "sharpe",
      "sortino",
      "time_in_market_pct",
      "turnover",
      "win_rate",
    ]);
    const total = tableRows(r.stdout).get("TOTAL") ?? [];
    assert.equal(s.fills, Number(total[3]));
    assert.equal(s.orders_submitted, Number(total[2]));
    // net PnL = final equity - initial capital (funding included in both), to 28 digits.
    const net = Decimal.parse(json.final_equity).sub(Decimal.parse(json.initial_capital));
    assert.ok(
      Decimal.parse(s.net_pnl as string)
        .sub(net)
        .abs()
        .lte(Decimal.parse("1E-20")),
    );
    // Fees, turnover and maker share: from the fills CSV (every fee in USDT, the quote).
    const fillRows = csv(fillsCsv).slice(1);
    const sum = (rows: string[][], f: (x: string[]) => Decimal): Decimal =>
      rows.reduce((a, x) => a.add(f(x)), Decimal.ZERO);
    const notional = (x: string[]): Decimal =>
      Decimal.parse(x[3] as string).mul(Decimal.parse(x[4] as string));
    assert.ok(
      Decimal.parse(s.fees as string).eq(sum(fillRows, (x) => Decimal.parse(x[5] as string))),
    );
    // Funding: the sum of the --funding rows (USD-M), paid on the position held.
    const fundingRows = csv(fundingCsv).slice(1);
    assert.ok(fundingRows.length > 0, "funding paid at some funding time");
    assert.ok(
      Decimal.parse(s.funding as string).eq(sum(fundingRows, (x) => Decimal.parse(x[5] as string))),
    );
    const turnover = sum(fillRows, notional);
    assert.ok(Decimal.parse(s.turnover as string).eq(turnover));
    const maker = sum(
      fillRows.filter((x) => x[7] === "maker"),
      notional,
    );
    assert.equal(s.maker_share, maker.div(turnover).toNumber());
    // Every fill of a symbol has the same size here, so a FIFO round trip closes at each
    // fill that shrinks the position.
    const pos = new Map<string, Decimal>();
    const size = new Map<string, string>();
    let closing = 0;
    for (const x of fillRows) {
      const sym = x[1] as string;
      assert.equal(size.get(sym) ?? x[4], x[4], `${sym} fills of one size`);
      size.set(sym, x[4] as string);
      const before = pos.get(sym) ?? Decimal.ZERO;
      const q = Decimal.parse(x[4] as string);
      const after = x[2] === "BUY" ? before.add(q) : before.sub(q);
      if (after.abs().lt(before.abs())) closing++;
      pos.set(sym, after);
    }
    assert.equal(s.round_trips, closing);
    assert.ok(closing > 0, "this config closes positions on the sample days");
    // Options: the defaults with the --config file over them; decimals as strings.
    assert.equal(json.options.size_per_level, "0.001");
    assert.equal(json.options.spacing_bps, 0.5);
    assert.equal(json.options.levels, 3);
    assert.equal(json.options.fill_after_ticks, 1);
    assert.equal(json.options.initial_capital, "10000");
    assert.equal(json.options.max_notional_per_symbol, "5000");
    // Printed after the per-symbol table, rounded.
    const table = r.stdout.indexOf("\nTOTAL ");
    const printed = r.stdout.indexOf("\nSummary (rounded;");
    assert.ok(table > 0 && printed > table, "summary after the per-symbol table");
    assert.match(r.stdout, new RegExp(`^Fills\\s+${s.fills}$`, "m"));
    assert.match(r.stdout, new RegExp(`^Round trips\\s+${closing}$`, "m"));
    assert.match(r.stdout, /^Fees\s+\d+\.\d\d USDT$/m);
    assert.match(r.stdout, /^Maker share \(notional\)\s+\d+\.\d\d %$/m);
  });

  it("writes an HTML report with the chart data of each symbol and the run's equity", () => {
    const html = readFileSync(report, "utf8");
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(m !== null);
    const data = JSON.parse(m[1] as string) as {
      portfolio: { t: number[]; equity: (number | null)[] };
      symbols: {
        symbol: string;
        line: { t: number[]; mid: (number | null)[] };
        fills: { t: number[] };
      }[];
    };
    // Per symbol one row per output, plus a null row in each stretch of more than 10 minutes
    // without data (counted here from the outputs).
    const o = outs();
    for (const [k, sym] of ["BTCUSDT", "ETHUSDT"].entries()) {
      const ts = o.filter((x) => x.symbol === sym).map((x) => x.ts);
      const gaps = ts.filter((t, i) => i > 0 && t - (ts[i - 1] as number) > 600_000).length;
      const line = data.symbols[k]?.line;
      assert.equal(data.symbols[k]?.symbol, sym);
      assert.equal(line?.mid.filter((x) => x !== null).length, ts.length);
      assert.equal(line?.mid.filter((x) => x === null).length, gaps);
      assert.ok(gaps > 0, "the sample days have gaps");
      assert.ok(line?.mid.every((x) => x === null || (sym === "BTCUSDT" ? x > 90_000 : x < 4000)));
    }
    const fills = Number(tableRows(r.stdout).get("BTCUSDT")?.[3]);
    assert.equal(data.symbols[0]?.fills.t.length, fills);
    // The equity drawn is the equity CSV's, point by point (gap rows aside).
    const rows = csv(equityCsv).slice(1);
    const drawn = data.portfolio.t.flatMap((t, i) =>
      data.portfolio.equity[i] === null ? [] : [[t, data.portfolio.equity[i]]],
    );
    assert.deepEqual(
      drawn,
      rows.map((x) => [Number(x[0]), Number(x[1])]),
    );
    assert.equal(data.portfolio.equity[0], 10_000);
    assert.match(html, /<li>missing day: BTCUSDT 2026-01-03 \(no file\)<\/li>/);
    assert.match(html, /<h2>Blocked by reason<\/h2>/);
  });

  it("gives the same digest on a second run", () => {
    const again = run(dir, "-q", "--digest");
    assert.equal(again.code, 0, again.stderr);
    const digest = (s: string): string | undefined => /digest ([0-9a-f]{16})/.exec(s)?.[1];
    assert.equal(digest(again.stdout), digest(r.stdout));
    assert.equal(again.stdout.trim().split("\n").length, 1, "quiet: the verdict line only");
    assert.match(again.stderr, /warning: missing BTCUSDT 2026-01-03/);
  });

  it("computes no digest unless --digest is given, and says so", () => {
    const plain = run(dir);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Output digest: not computed \(--digest\)$/m);
    assert.match(
      plain.stdout,
      /^Backtest completed: 119 events, 2 symbol\(s\), \d+ fills, 3 missing day\(s\)$/m,
    );
    // The same trading: the table is that of the run with --digest.
    assert.deepEqual(tableRows(plain.stdout), tableRows(r.stdout));
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
  it("reads the source once when Top-K v0 chooses among the symbols (from the last files' tail), streaming", async () => {
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
    const equityPath = join(tempDir(), "equity.csv");
    // K = 1 of 2 symbols: the selection reads each symbol's last prices from its last files
    // (source.tailSnapshots), not a pass over the data.
    const overrides = { ...CONFIG, topk_k: 1 };
    const r = await runDataBacktest(counted, { overrides, withSeries: true, equityPath });
    assert.equal(passes, 1);
    assert.equal(r.run.eventsProcessed, 99);
    assert.deepEqual(
      r.symbols.map((s) => [s.symbol, s.events]),
      [
        ["BTCUSDT", 54],
        ["ETHUSDT", 45],
      ],
    );
    // The report's equity series saw every point the equity CSV has (header aside).
    const rows = readFileSync(equityPath, "utf8").trimEnd().split("\n").length - 1;
    assert.ok(rows > 2);
    assert.equal(r.series?.portfolioSeen, rows);
    assert.equal(r.summary.fills, r.run.totalFills);
  });
});
