import assert from "node:assert/strict";
import { test } from "node:test";
import { snapshotFromEvent } from "./snapshot-event.js";
import { parseSnapshotLine } from "./snapshot-line.js";

const LINE =
  '{"ts": 1000, "type": "SNAPSHOT", "symbol": "BTCUSDT", "bid_price": "50000.00", "ask_price": "50001.00", "bid_qty": "10.0", "ask_qty": "10.0", "last_price": "50000.50", "last_qty": "0.5"}';

test("the fast path gives the same snapshot as JSON.parse + validation", () => {
  const fast = parseSnapshotLine(LINE);
  const slow = snapshotFromEvent(JSON.parse(LINE) as Record<string, unknown>, "x");
  assert.ok(fast);
  assert.deepEqual(fast.toDict(), slow.toDict());
  assert.equal(fast.midPrice.toString(), "50000.50");
  const compact = LINE.replaceAll(": ", ":").replaceAll(", ", ",");
  assert.deepEqual(parseSnapshotLine(compact)?.toDict(), slow.toDict());
});

test("anything unusual is left to the general path", () => {
  const cases = [
    LINE.replace('"SNAPSHOT"', '"TRADE"'),
    LINE.replace('"10.0"', '"1e1"'),
    LINE.replace('"10.0"', "10.0"),
    LINE.replace("1000", '"1000"'),
    LINE.replace("1000", "01000"),
    LINE.replace(', "last_qty": "0.5"', ""),
    LINE.replace("}", ', "extra": 1}'),
    LINE.replace('"BTCUSDT"', '"BTC\\u0055SDT"'),
    LINE.replace('"50000.00"', '"12345678901234567.00"'),
    "{not json",
    "",
  ];
  for (const c of cases) assert.equal(parseSnapshotLine(c), undefined, c);
});

test("tailSnapshots: the last N snapshots per symbol, or undefined when a light scan cannot decide", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const { openFixture } = await import("./fixture-reader.js");
  const line = (ts: number, sym: string, bid: string): string =>
    LINE.replace("1000", String(ts)).replace("BTCUSDT", sym).replace('"50000.00"', `"${bid}"`);
  const write = (lines: string[]): string => {
    const dir = mkdtempSync(join(tmpdir(), "grinder-tail-"));
    writeFileSync(join(dir, "events.jsonl"), lines.join("\n") + "\n");
    return dir;
  };
  const lines = [1, 2, 3, 4, 5].flatMap((i) => [
    line(i * 10, "AAA", `${i}.00`),
    line(i * 10 + 1, "BBB", `${i}.50`),
  ]);
  const fx = openFixture(write(lines));
  const tail = fx.tailSnapshots?.(2);
  assert.deepEqual(
    tail?.map((s) => `${s.symbol}:${s.ts}:${s.bidPrice}`),
    ["AAA:40:4.00", "AAA:50:5.00", "BBB:41:4.50", "BBB:51:5.50"],
  );
  const full = [...fx.events()].flatMap((e) => (e.kind === "snapshot" ? [e.snapshot] : []));
  assert.deepEqual(
    tail?.map((s) => s.toDict()),
    [full[6], full[8], full[7], full[9]].map((s) => s?.toDict()),
  );
  // Out of order, or another event type: the full pass decides.
  assert.equal(
    openFixture(write([lines[1] as string, lines[0] as string])).tailSnapshots?.(2),
    undefined,
  );
  assert.equal(
    openFixture(write([...lines, '{"ts": 99, "type": "TRADE", "symbol": "AAA"}'])).tailSnapshots?.(
      2,
    ),
    undefined,
  );
});

test("the chunked reader: CRLF, blank lines, no final newline, lines across 1 MB chunk boundaries", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const { openFixture } = await import("./fixture-reader.js");
  const write = (text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), "grinder-read-"));
    writeFileSync(join(dir, "events.jsonl"), text);
    return dir;
  };
  const line = (ts: number): string => LINE.replace("1000", String(ts));
  const ts = (dir: string): number[] =>
    [...openFixture(dir).events()].flatMap((e) => (e.kind === "snapshot" ? [e.snapshot.ts] : []));
  assert.deepEqual(ts(write(`${line(1)}\r\n\r\n${line(2)}\r\n`)), [1, 2]);
  assert.deepEqual(ts(write(`${line(1)}\n\n   \n${line(2)}`)), [1, 2]);
  // ~6,000 lines of ~190 bytes: several 1 MB chunks, lines cut at their edges.
  const many = Array.from({ length: 6000 }, (_, i) => line(i + 1));
  assert.deepEqual(
    ts(write(many.join("\n"))),
    many.map((_, i) => i + 1),
  );
  // A bad line far into the file still names its line number.
  const bad = [...many.slice(0, 5000), "{oops", ...many.slice(5000)].join("\n");
  assert.throws(() => ts(write(bad)), /events\.jsonl:5001: invalid JSON/);
});

test("the byte reader: a byte order mark, a line longer than the 1 MiB buffer, bytes that are not UTF-8", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const { openFixture } = await import("./fixture-reader.js");
  const write = (bytes: Buffer): string => {
    const dir = mkdtempSync(join(tmpdir(), "grinder-bytes-"));
    writeFileSync(join(dir, "events.jsonl"), bytes);
    return dir;
  };
  const line = (ts: number): string => LINE.replace("1000", String(ts));
  const snaps = (dir: string) =>
    [...openFixture(dir).events()].flatMap((e) => (e.kind === "snapshot" ? [e.snapshot] : []));
  // A UTF-8 byte order mark opens the file: skipped, as a text decoder skips it.
  const bom = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(`${line(1)}\n${line(2)}`),
  ]);
  assert.deepEqual(
    snaps(write(bom)).map((s) => s.ts),
    [1, 2],
  );
  // 1.5 MB of blanks inside one object: the buffer grows, the lines after it still read.
  const long = LINE.replace('{"ts": 1000', `{${" ".repeat(1_500_000)}"ts": 7`);
  const read = snaps(write(Buffer.from([line(1), long, line(9)].join("\n"))));
  assert.deepEqual(
    read.map((s) => s.ts),
    [1, 7, 9],
  );
  assert.deepEqual(read[1]?.toDict(), parseSnapshotLine(line(7))?.toDict());
  // A byte that is not UTF-8 in the symbol: not the fast path; the general path names the line.
  const bad = Buffer.from(`${line(1)}\n${line(2).replace("BTCUSDT", "BTC\u00ffSDT")}\n`, "latin1");
  assert.throws(() => snaps(write(bad)), /events\.jsonl:2: field "symbol"/);
  // The tail scan reads its kept lines back by file offset, past the mark and CRLF endings.
  const crlf = Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from(
      [1, 2, 3, 4].map((i) => line(i).replace("BTCUSDT", i % 2 ? "AAA" : "BBB")).join("\r\n"),
    ),
  ]);
  assert.deepEqual(
    openFixture(write(crlf))
      .tailSnapshots?.(1)
      ?.map((s) => `${s.symbol}:${s.ts}`),
    ["AAA:3", "BBB:4"],
  );
});

test("the fast path on bytes: a symbol of non-ASCII bytes is left to the general path", () => {
  assert.equal(parseSnapshotLine(LINE.replace("BTCUSDT", "BTCÜSDT")), undefined);
  assert.equal(parseSnapshotLine(LINE.replace("BTCUSDT", "btcusdt")), undefined);
  // A symbol seen before is recognised from its bytes.
  assert.equal(parseSnapshotLine(LINE)?.symbol, "BTCUSDT");
  assert.equal(parseSnapshotLine(LINE.replace("BTCUSDT", "ETHUSDT"))?.symbol, "ETHUSDT");
  assert.equal(parseSnapshotLine(LINE)?.symbol, "BTCUSDT");
});
