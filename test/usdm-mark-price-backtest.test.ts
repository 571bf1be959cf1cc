/**
 * A USD-M data backtest with markPriceKlines dumps under --data: every
 * `--funding` row's mark is the close of the mark price kline that closed
 * last before the funding time (a daily file for 2026-03-02, the monthly file
 * for 2026-03-03; the daily file preferred for its day), and the payment is
 * position x that close x rate. Without the dumps the run says it used the mid.
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { dec } from "../src/core/decimal.js";
import { BTC, writeBookTicker } from "./support/binance-dumps.js";
import { runCli, tempDir } from "./support/run-cli.js";
import { csvRecords, positionAt } from "./support/usdm-venue.js";

const H = 3_600_000;
const MIN = 60_000;
const DAY1 = Date.parse("2026-03-02T00:00:00Z");
const DAY2 = Date.parse("2026-03-03T00:00:00Z");
const MARCH1 = Date.parse("2026-03-01T00:00:00Z");
const KLINES_HEADER =
  "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";

/** The daily file's close of the minute opening at `open`: 93400 + minute of the day mod 50. */
const dailyClose = (open: number): string => (93_400 + (((open - DAY1) / MIN) % 50)).toFixed(1);
/** The monthly file's close: 93500 + minute since March 1st mod 37 (other values than the daily's). */
const monthlyClose = (open: number): string => (93_500 + (((open - MARCH1) / MIN) % 37)).toFixed(1);

function klineRow(open: number, close: string): string {
  return [open, close, close, close, close, "0", open + MIN - 1, "0", "60", "0", "0", "0"].join(
    ",",
  );
}

const csv = csvRecords;

function run(root: string) {
  const out = tempDir();
  const cfg = join(out, "cfg.json");
  writeFileSync(cfg, JSON.stringify({ leverage: 3 }));
  const r = runCli([
    "backtest",
    ...["--data", root, "--symbols", "BTCUSDT", "--from", "2026-03-02", "--to", "2026-03-03"],
    ...["--config", cfg, "--fills", join(out, "fills.csv"), "--funding", join(out, "funding.csv")],
    ...["--report", join(out, "r.html")],
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return {
    r,
    fills: csv(join(out, "fills.csv")),
    funding: csv(join(out, "funding.csv")),
    html: readFileSync(join(out, "r.html"), "utf8"),
  };
}

test("USD-M with markPriceKlines: funding at the last kline close before the funding time", () => {
  const root = tempDir();
  writeBookTicker(root, BTC, "2026-03-02", 4000, 31);
  writeBookTicker(root, BTC, "2026-03-03", 4000, 32);
  const daily = join(root, "futures", "um", "daily", "markPriceKlines", "BTCUSDT", "1m");
  const monthly = join(root, "futures", "um", "monthly", "markPriceKlines", "BTCUSDT", "1m");
  mkdirSync(daily, { recursive: true });
  mkdirSync(monthly, { recursive: true });
  const dayRows: string[] = [KLINES_HEADER];
  for (let i = 0; i < 1440; i++) dayRows.push(klineRow(DAY1 + i * MIN, dailyClose(DAY1 + i * MIN)));
  writeFileSync(join(daily, "BTCUSDT-1m-2026-03-02.csv"), `${dayRows.join("\n")}\n`);
  // The monthly file (no header, as older dumps): March 1st to 3rd.
  const monthRows: string[] = [];
  for (let i = 0; i < 3 * 1440; i++) {
    monthRows.push(klineRow(MARCH1 + i * MIN, monthlyClose(MARCH1 + i * MIN)));
  }
  writeFileSync(join(monthly, "BTCUSDT-1m-2026-03.csv"), `${monthRows.join("\n")}\n`);

  const { r, fills, funding, html } = run(root);
  assert.match(
    r.stdout,
    /mark price: the close of markPriceKlines 1m \(2 file\(s\)\), the mid where no close is at most 120 s old/,
  );
  assert.ok(fills.length > 0, "the run traded");
  // Constant funding_rate 0.0001 every 8 h: 08:00, 16:00 of day 1; 00:00, 08:00, 16:00 of day 2.
  const rate = dec("0.0001");
  let checked = 0;
  for (const t of [DAY1 + 8 * H, DAY1 + 16 * H, DAY2, DAY2 + 8 * H, DAY2 + 16 * H]) {
    const position = positionAt(fills, t);
    const row = funding.find((f) => Number(f.ts) === t);
    if (position.isZero()) {
      assert.equal(row, undefined);
      continue;
    }
    assert.ok(row !== undefined, `a payment at ${new Date(t).toISOString()}`);
    // The kline that closed last before t opened at t - 1 minute; days up to 03-02 23:59
    // come from the daily file, later ones from the monthly file.
    const open = t - MIN;
    const mark = dec(open < DAY2 ? dailyClose(open) : monthlyClose(open));
    assert.ok(dec(row.mark_price as string).eq(mark), `mark at ${t}: ${row.mark_price} vs ${mark}`);
    assert.ok(dec(row.position as string).eq(position), `position at ${t}`);
    assert.ok(
      dec(row.payment as string).eq(position.mul(mark).mul(rate).negate()),
      `payment at ${t}`,
    );
    checked++;
  }
  assert.equal(funding.length, checked, "no other funding rows");
  assert.ok(checked >= 2, `funding paid at ${checked} time(s)`);
  // The report of a USD-M run: the leverage and margin chart, funding on the equity chart,
  // the distance to liquidation in the panel, the mark source in the notes.
  assert.match(html, /data-chart="margin"/);
  assert.match(
    html,
    /data-key="liquidation_distance_pct"><dt>[^<]*<\/dt><dd>BTCUSDT \d+\.\d\d %<\/dd>/,
  );
  assert.match(html, /<li>mark price: the close of markPriceKlines 1m/);
  const data = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  const portfolio = (JSON.parse(data?.[1] ?? "{}") as { portfolio: Record<string, unknown[]> })
    .portfolio;
  assert.ok(
    (portfolio.funding ?? []).some((x) => typeof x === "number" && x !== 0),
    "funding",
  );
  assert.ok(
    (portfolio.lev ?? []).some((x) => typeof x === "number" && x > 0),
    "leverage",
  );
});

test("USD-M without markPriceKlines: the run says the mark is the mid", () => {
  const root = tempDir();
  writeBookTicker(root, BTC, "2026-03-02", 2000, 31);
  const out = tempDir();
  const r = runCli([
    "backtest",
    ...["--data", root, "--symbols", "BTCUSDT", "--from", "2026-03-02", "--to", "2026-03-02"],
    ...["--out", join(out, "s.json")],
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /mark price: the mid of the quotes \(no markPriceKlines under --data\)/);
  assert.match(readFileSync(join(out, "s.json"), "utf8"), /mark price: the mid of the quotes/);
});
