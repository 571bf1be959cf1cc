import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { tempDir } from "../../../test/support/run-cli.js";
import {
  fileSpan,
  findMarkPriceFiles,
  markPriceKlinesFeed,
  markPriceRows,
} from "./mark-price-klines.js";

const DAY = Date.parse("2026-01-01T00:00:00Z");
const MIN = 60_000;

function row(open: number, close: string): string {
  return [open, close, close, close, close, "0", open + MIN - 1, "0", "60", "0", "0", "0"].join(
    ",",
  );
}

function layout(root: string): string {
  const dir = join(root, "data", "futures", "um", "daily", "markPriceKlines", "BTCUSDT", "1m");
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("markPriceKlines feed", () => {
  it("is a step function of the closes, the mid (undefined) before the first and after 2 minutes", () => {
    const root = tempDir();
    // Minutes 0, 1 and 5 (2 to 4 missing).
    const rows = [row(DAY, "100.5"), row(DAY + MIN, "101"), row(DAY + 5 * MIN, "99.9")];
    writeFileSync(join(layout(root), "BTCUSDT-1m-2026-01-01.csv"), `${rows.join("\n")}\n`);
    const files = findMarkPriceFiles(root, ["BTCUSDT", "ETHUSDT"], ["2026-01-01", "2026-01-02"]);
    assert.equal(files.count, 1);
    assert.deepEqual(files.missing, [
      "BTCUSDT 2026-01-02",
      "ETHUSDT 2026-01-01",
      "ETHUSDT 2026-01-02",
    ]);
    const feed = markPriceKlinesFeed(files);
    const at = (ts: number): string | undefined => feed.markAt("BTCUSDT", ts)?.toString();
    assert.equal(at(DAY + MIN - 2), undefined); // before the first close (00:00:59.999)
    assert.equal(at(DAY + MIN - 1), "100.5"); // at it
    assert.equal(at(DAY + 2 * MIN - 1), "101");
    assert.equal(at(DAY + 4 * MIN - 1), "101"); // 2 minutes old: still the mark
    assert.equal(at(DAY + 4 * MIN), undefined); // older: the mid
    assert.equal(at(DAY + 6 * MIN - 1), "99.9");
    assert.equal(feed.markAt("ETHUSDT", DAY + 6 * MIN), undefined);
  });

  it("closes the file it is reading when closed before its end", {
    skip: existsSync("/proc/self/fd") ? false : "no /proc/self/fd here",
  }, () => {
    const root = tempDir();
    const rows = Array.from({ length: 10 }, (_, i) => row(DAY + i * MIN, "100"));
    writeFileSync(join(layout(root), "BTCUSDT-1m-2026-01-01.csv"), `${rows.join("\n")}\n`);
    const open = (): number => readdirSync("/proc/self/fd").length;
    const before = open();
    const feed = markPriceKlinesFeed(findMarkPriceFiles(root, ["BTCUSDT"], ["2026-01-01"]));
    assert.equal(feed.markAt("BTCUSDT", DAY + 2 * MIN)?.toString(), "100");
    assert.equal(open(), before + 1, "the file is open while read");
    feed.close?.();
    assert.equal(open(), before);
  });

  it("names the file, line and column of a bad row", () => {
    const root = tempDir();
    const path = join(layout(root), "BTCUSDT-1m-2026-01-01.csv");
    writeFileSync(path, `${row(DAY, "100")}\n${row(DAY + MIN, "abc")}\n`);
    const feed = markPriceKlinesFeed(findMarkPriceFiles(root, ["BTCUSDT"], ["2026-01-01"]));
    assert.throws(
      () => feed.markAt("BTCUSDT", DAY + 3 * MIN),
      (e: Error) => e.message.includes(`${path}:2: column 5 (close)`),
    );
  });

  it("a row outside its file's day or month is an error naming file:line", () => {
    const root = tempDir();
    const path = join(layout(root), "BTCUSDT-1m-2026-01-01.csv");
    // The third row closes three days later.
    const rows = [row(DAY, "100"), row(DAY + MIN, "101"), row(DAY + 3 * 86_400_000, "102")];
    writeFileSync(path, `${rows.join("\n")}\n`);
    assert.throws(
      () => [...markPriceRows(path)],
      (e: Error) =>
        e.message.includes(`${path}:3`) &&
        /close_time.*outside the file's span: expected a time in 2026-01-01 UTC/.test(e.message),
    );
    // The last kline of the day closes at 23:59:59.999, inside it.
    writeFileSync(path, `${row(DAY + 86_400_000 - MIN, "100")}\n`);
    assert.equal([...markPriceRows(path)].length, 1);
    assert.deepEqual(fileSpan("x/BTCUSDT-1m-2024-02.zip"), {
      from: Date.parse("2024-02-01T00:00:00Z"),
      to: Date.parse("2024-03-01T00:00:00Z"),
      label: "2024-02",
    });
  });
});
