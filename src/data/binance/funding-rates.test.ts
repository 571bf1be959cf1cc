import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../../test/support/run-cli.js";
import { monthsInRange, readFundingFile, readFundingRates } from "./funding-rates.js";

const HEADER = "calc_time,funding_interval_hours,last_funding_rate";

test("months of a day range", () => {
  assert.deepEqual(monthsInRange("2025-11-30", "2026-02-01"), [
    "2025-11",
    "2025-12",
    "2026-01",
    "2026-02",
  ]);
  assert.deepEqual(monthsInRange("2026-03-02", "2026-03-02"), ["2026-03"]);
});

test("reads the monthly layout, keeps rates exact and in time order; missing months are reported", () => {
  const root = tempDir();
  const dir = join(root, "futures", "um", "monthly", "fundingRate", "BTCUSDT");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "BTCUSDT-fundingRate-2026-03.csv"),
    `${HEADER}\n1772438400000,8,-0.00001234\n1772409600000,8,0.00010000\n`,
  );
  const r = readFundingRates(root, ["BTCUSDT", "ETHUSDT"], "2026-03-01", "2026-03-31");
  assert.deepEqual(
    (r.bySymbol.get("BTCUSDT") ?? []).map((e) => [e.ts, e.rate.toString()]),
    [
      [1772409600000, "0.00010000"],
      [1772438400000, "-0.00001234"],
    ],
  );
  assert.deepEqual(r.missing, ["ETHUSDT 2026-03"]);
});

test("a bad row names the file, the line and the column", () => {
  const root = tempDir();
  const p = join(root, "BTCUSDT-fundingRate-2026-03.csv");
  writeFileSync(p, `${HEADER}\n1772409600000,8,abc\n`);
  assert.throws(
    () => readFundingFile(p),
    new RegExp(`${p.replace(/[.]/g, "\\.")}:2: column 3 \\(last_funding_rate\\)`),
  );
  writeFileSync(p, "calc_time,rate\n");
  assert.throws(() => readFundingFile(p), /header does not match the fundingRate layout/);
});

test("a row outside the month its file is named for is an error naming file:line", () => {
  const root = tempDir();
  const dir = join(root, "futures", "um", "monthly", "fundingRate", "BTCUSDT");
  mkdirSync(dir, { recursive: true });
  // 1772409600000 is 2026-03-02T00:00Z; 1775088000000 is 2026-04-02T00:00Z.
  const p = join(dir, "BTCUSDT-fundingRate-2026-03.csv");
  writeFileSync(p, `${HEADER}\n1772409600000,8,0.0001\n1775088000000,8,0.0001\n`);
  assert.throws(
    () => readFundingRates(root, ["BTCUSDT"], "2026-03-01", "2026-03-31"),
    /fundingRate-2026-03\.csv:3: column 1 \(calc_time\): time 1775088000000 \(2026-04-02T00:00:00\.000Z\) is outside the file's month: expected 2026-03 UTC/,
  );
});
