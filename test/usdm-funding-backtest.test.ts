/**
 * A data backtest over USD-M bookTicker dumps with a fundingRate file: every
 * `--funding` row equals position x mark x rate at its funding time, checked
 * against the `--fills` export (position = signed fills up to that time), the
 * dump's quotes (mark = the mid in force) and the funding file (rate).
 */

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Decimal, dec } from "../src/core/decimal.js";
import { BTC, writeBookTicker } from "./support/binance-dumps.js";
import { runCli, tempDir } from "./support/run-cli.js";
import { csvRecords, positionAt } from "./support/usdm-venue.js";

const H = 3_600_000;

const csv = csvRecords;

test("USD-M bookTicker with a fundingRate dump: --funding rows are position x mark x rate", () => {
  const root = tempDir();
  writeBookTicker(root, BTC, "2026-03-02", 4000, 31);
  writeBookTicker(root, BTC, "2026-03-03", 4000, 32);
  const day = Date.parse("2026-03-02T00:00:00Z");
  const rates = [
    "0.00010000",
    "-0.00005000",
    "0.00012500",
    "0.00020000",
    "-0.00001000",
    "0.00003000",
  ];
  const fundingDir = join(root, "futures", "um", "monthly", "fundingRate", "BTCUSDT");
  mkdirSync(fundingDir, { recursive: true });
  writeFileSync(
    join(fundingDir, "BTCUSDT-fundingRate-2026-03.csv"),
    [
      "calc_time,funding_interval_hours,last_funding_rate",
      ...rates.map((r, i) => `${day + i * 8 * H},8,${r}`),
    ].join("\n") + "\n",
  );
  const out = tempDir();
  const cfg = join(out, "cfg.json");
  writeFileSync(cfg, JSON.stringify({ leverage: 3 }));
  const r = runCli([
    "backtest",
    "--data",
    root,
    "--symbols",
    "BTCUSDT",
    "--from",
    "2026-03-02",
    "--to",
    "2026-03-03",
    "--config",
    cfg,
    "--fills",
    join(out, "fills.csv"),
    "--funding",
    join(out, "funding.csv"),
    "--out",
    join(out, "summary.json"),
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Funding: 1 fundingRate file\(s\) read/);
  const fills = csv(join(out, "fills.csv"));
  const funding = csv(join(out, "funding.csv"));
  assert.ok(fills.length > 0, "the run traded");
  // The quotes as written: BTCUSDT rows (event_time, mid).
  const quotes: { ts: number; mid: Decimal }[] = [];
  for (const d of ["2026-03-02", "2026-03-03"]) {
    const path = join(
      root,
      "futures",
      "um",
      "daily",
      "bookTicker",
      "BTCUSDT",
      `BTCUSDT-bookTicker-${d}.csv`,
    );
    for (const line of readFileSync(path, "utf8").trim().split("\n").slice(1)) {
      const f = line.split(",");
      quotes.push({
        ts: Number(f[6]),
        mid: dec(f[1] as string)
          .add(dec(f[3] as string))
          .div(dec("2")),
      });
    }
  }
  // Funding times after the first event: 08:00, 16:00 of day 1; 00:00, 08:00, 16:00 of day 2.
  const expectedTimes = [1, 2, 3, 4, 5].map((i) => day + i * 8 * H);
  let total = Decimal.ZERO;
  let checked = 0;
  for (const t of expectedTimes) {
    const position = positionAt(fills, t);
    const row = funding.find((f) => Number(f.ts) === t);
    if (position.isZero()) {
      assert.equal(row, undefined, `no payment when flat at ${new Date(t).toISOString()}`);
      continue;
    }
    assert.ok(row !== undefined, `a payment at ${new Date(t).toISOString()}`);
    const mark = [...quotes].reverse().find((q) => q.ts < t)?.mid as Decimal;
    const rate = dec(rates[(t - day) / (8 * H)] as string);
    assert.ok(
      dec(row.position as string).eq(position),
      `position at ${t}: ${row.position} vs ${position}`,
    );
    assert.ok(dec(row.mark_price as string).eq(mark), `mark at ${t}: ${row.mark_price} vs ${mark}`);
    assert.ok(dec(row.rate as string).eq(rate));
    assert.ok(
      dec(row.payment as string).eq(position.mul(mark).mul(rate).negate()),
      `payment at ${t}`,
    );
    total = total.add(dec(row.payment as string));
    checked++;
  }
  assert.equal(funding.length, checked, "no other funding rows");
  assert.ok(checked >= 2, `funding paid at ${checked} time(s)`);
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
    summary: {
      funding: string;
      liquidations: number;
      max_effective_leverage: number;
      max_margin_use_pct: number;
      liquidation_distance_pct: Record<string, number | null>;
    };
  };
  // The margin keys of a USD-M run: liquidations = the liquidation fills of the export;
  // a position was open, so leverage, margin use and the distance are positive.
  const m = summary.summary;
  assert.equal(m.liquidations, fills.filter((f) => f.liquidity === "liquidation").length);
  assert.ok(m.max_effective_leverage > 0, `leverage ${m.max_effective_leverage}`);
  assert.ok(m.max_margin_use_pct > 0, `margin use ${m.max_margin_use_pct}`);
  assert.deepEqual(Object.keys(m.liquidation_distance_pct), ["BTCUSDT"]);
  assert.ok((m.liquidation_distance_pct.BTCUSDT ?? 0) > 0);
  assert.ok(
    dec(summary.summary.funding).eq(total),
    `summary funding ${summary.summary.funding} vs ${total}`,
  );
});
