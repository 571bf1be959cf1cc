import assert from "node:assert/strict";
import { appendFileSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { tempDir } from "../../../test/support/run-cli.js";
import { Decimal } from "../../core/decimal.js";
import { Snapshot } from "../../domain/snapshot.js";
import { epochOf, JOURNAL_VERSION, type JournalTickLine } from "./journal-lines.js";
import {
  isJournalFencedError,
  journalSize,
  LiveJournalWriter,
  prepareJournalLocation,
  readJournal,
  readJournalHead,
  repairJournalTail,
} from "./live-journal.js";

const TMP = tempDir("grinder-journal-");
after(() => rmSync(TMP, { recursive: true, force: true }));

const D = (s: string): Decimal => Decimal.parse(s);

function snap(ts: number, bid: string, ask: string): Snapshot {
  return new Snapshot({
    ts,
    symbol: "BTCUSDT",
    bidPrice: D(bid),
    askPrice: D(ask),
    bidQty: D("1.500"),
    askQty: D("0E-3"),
    lastPrice: D("1E+2"),
    lastQty: D("0.00010"),
  });
}

function tick(seq: number, s: Snapshot, output: unknown = { ok: true }): JournalTickLine {
  return {
    type: "tick",
    seq,
    wall_ms: 5,
    mode: "paper",
    executed: true,
    snapshot: s.toDict(),
    commands: [],
    output,
  };
}

describe("live journal", () => {
  it("round-trips lines and snapshots exactly (decimal exponents kept)", () => {
    const path = join(TMP, "a", "b", "j.jsonl");
    const w = LiveJournalWriter.open(path);
    w.append({
      type: "session",
      v: JOURNAL_VERSION,
      instance_id: "i1",
      mode: "paper",
      source: "fixture:x",
      options_fingerprint: "abc",
      wall_ms: 1,
      next_seq: 1,
    });
    const s1 = snap(1000, "100.10", "100.30");
    w.append(tick(1, s1), true);
    w.append(tick(2, snap(2000, "99.9", "100")));
    assert.equal(w.lines, 3);
    assert.equal(w.size, statSync(path).size);
    w.close();
    w.close(); // idempotent
    assert.throws(() => w.append(tick(3, s1)), /closed/);

    const entries = [...readJournal(path)];
    assert.deepEqual(
      entries.map((e) => [e.lineNo, e.line.type]),
      [
        [1, "session"],
        [2, "tick"],
        [3, "tick"],
      ],
    );
    const e = entries[1];
    assert.ok(e !== undefined && "snapshot" in e);
    assert.deepEqual(e.snapshot.toDict(), s1.toDict());
    assert.equal(e.snapshot.lastPrice.toString(), "1E+2");
    assert.equal(e.snapshot.askQty.toString(), "0.000");
    assert.equal(e.snapshot.lastQty.toString(), "0.00010");
    assert.equal(e.snapshot.midPrice.toString(), s1.midPrice.toString());
    assert.deepEqual(e.line.type === "tick" ? e.line.output : null, { ok: true });
    assert.equal(readJournalHead(path)?.type, "session");
  });

  it("reads nothing from a missing or empty journal", () => {
    assert.deepEqual([...readJournal(join(TMP, "missing.jsonl"))], []);
    assert.equal(readJournalHead(join(TMP, "missing.jsonl")), undefined);
    assert.equal(journalSize(join(TMP, "missing.jsonl")), 0);
    const empty = join(TMP, "empty.jsonl");
    writeFileSync(empty, "");
    assert.deepEqual([...readJournal(empty)], []);
  });

  it("names file:line and field of a bad line", () => {
    const path = join(TMP, "bad.jsonl");
    const good = JSON.stringify(tick(1, snap(1, "1", "2")));
    writeFileSync(path, `${good}\n${good.replace('"seq":1', '"seq":"2"')}\n`);
    assert.throws(() => [...readJournal(path)], /bad\.jsonl:2: field "seq": expected an integer/);
    writeFileSync(path, `${good}\nnot json\n`);
    assert.throws(() => [...readJournal(path)], /bad\.jsonl:2: invalid JSON/);
    writeFileSync(path, `{"type":"other"}\n`);
    assert.throws(() => [...readJournal(path)], /bad\.jsonl:1: unknown line type "other"/);
    const noBid = { ...tick(1, snap(1, "1", "2")) } as Record<string, unknown>;
    noBid.snapshot = { ts: 1, symbol: "X" };
    writeFileSync(path, `${JSON.stringify(noBid)}\n`);
    assert.throws(() => [...readJournal(path)], /bad\.jsonl:1: field "bid_price"/);
  });

  it("live_trade lines: the session's run id, commands and venue events decoded, untracked orders", () => {
    const path = join(TMP, "trade.jsonl");
    const session = {
      type: "session",
      v: JOURNAL_VERSION,
      instance_id: "i",
      mode: "live_trade",
      source: "binance",
      options_fingerprint: "f",
      wall_ms: 1,
      next_seq: 1,
      run_id: "0123456789ab",
    };
    const submit = {
      kind: "SubmitOrder",
      ts: 1,
      client_order_id: "BTCUSDT:1:1:BUY:3",
      symbol: "BTCUSDT",
      side: "BUY",
      price: "99.90",
      quantity: "0.100",
      level_id: 1,
      action_index: 2,
    };
    const t = { ...tick(1, snap(1, "99", "101")), mode: "live_trade", commands: [submit] };
    const filled = {
      kind: "OrderFilled",
      ts: 5,
      client_order_id: "BTCUSDT:1:1:BUY:3",
      symbol: "BTCUSDT",
      side: "BUY",
      price: "99.90",
      quantity: "0.100",
      fee: "0",
      fee_asset: "",
      liquidity: "maker",
      trade_id: "1003:0.100",
      leaves_quantity: "0",
    };
    const events = {
      type: "events",
      seq: 1,
      wall_ms: 2,
      cause: "reconcile",
      events: [filled],
      untracked: [
        { symbol: "BTCUSDT", client_order_id: "web_1", action: "foreign", detail: "left alone" },
      ],
    };
    writeFileSync(path, [session, t, events].map((l) => `${JSON.stringify(l)}\n`).join(""));
    const entries = [...readJournal(path)];
    assert.deepEqual(
      entries.map((e) => e.line),
      [session, t, events],
    );
    const te = entries[1];
    assert.ok(te !== undefined && te.line.type === "tick" && "commands" in te);
    assert.equal(te.commands[0]?.kind, "SubmitOrder");
    assert.equal(
      te.commands[0]?.kind === "SubmitOrder" && te.commands[0].price.toString(),
      "99.90",
    );
    const ee = entries[2];
    assert.ok(ee !== undefined && ee.line.type === "events" && "events" in ee);
    assert.equal(ee.events[0]?.kind, "OrderFilled");

    const bad = (line: unknown, re: RegExp): void => {
      writeFileSync(path, `${JSON.stringify(line)}\n`);
      assert.throws(() => [...readJournal(path)], re);
    };
    bad({ ...events, events: [{ ...filled, kind: "Sold" }] }, /:1: events\[0\]: field "kind"/);
    bad(
      { ...events, events: [{ ...filled, price: 99.9 }] },
      /:1: events\[0\]: field "price": expected a decimal string/,
    );
    bad({ ...t, commands: [{ ...submit, side: "HOLD" }] }, /:1: commands\[0\]: field "side"/);
    bad({ ...events, cause: "later" }, /field "cause": expected "tick", "sync" or "reconcile"/);
    bad(
      { ...events, untracked: [{ symbol: "X", client_order_id: "c", action: "eat" }] },
      /untracked order "action"/,
    );
    const { commands: _c, ...noCommands } = t;
    bad(noCommands, /:1: field "commands": expected an array/);
  });

  it("cuts a torn last line so appending starts on a fresh line", () => {
    const path = join(TMP, "torn.jsonl");
    const l1 = JSON.stringify(tick(1, snap(1, "1", "2")));
    const l2 = JSON.stringify(tick(2, snap(2, "1", "2")));
    writeFileSync(path, `${l1}\n${l2}\n${l2.slice(0, 40)}`);
    assert.equal(repairJournalTail(path), 40);
    assert.equal(readFileSync(path, "utf8"), `${l1}\n${l2}\n`);
    assert.equal(repairJournalTail(path), 0, "nothing to cut any more");
    assert.equal([...readJournal(path)].length, 2);

    writeFileSync(path, "partial");
    assert.equal(repairJournalTail(path), 7);
    assert.equal(statSync(path).size, 0);
    assert.equal(repairJournalTail(join(TMP, "none.jsonl")), 0);

    // A torn line longer than the 64 KiB read-back chunk.
    const long = "x".repeat(70_000);
    writeFileSync(path, `${l1}\n`);
    appendFileSync(path, long);
    assert.equal(repairJournalTail(path), 70_000);
    assert.equal(readFileSync(path, "utf8"), `${l1}\n`);
  });

  it("refuses a journal location that cannot be written", () => {
    const file = join(TMP, "plain-file");
    writeFileSync(file, "x");
    assert.throws(
      () => prepareJournalLocation(join(file, "sub", "j.jsonl")),
      /journal .*plain-file\/sub\/j\.jsonl: cannot write there .*--journal FILE or --state-dir DIR/,
    );
    prepareJournalLocation(join(TMP, "new-dir", "j.jsonl"));
    assert.ok(statSync(join(TMP, "new-dir")).isDirectory());
  });

  it("fencing: lines carry the writer's epoch; a deposed writer's append after a newer one is refused", () => {
    const path = join(TMP, "fenced.jsonl");
    const end = (n: number) => ({
      type: "session_end" as const,
      instance_id: "a",
      wall_ms: n,
      last_seq: 0,
      reason: "test",
      summary: null,
    });
    const a = LiveJournalWriter.open(path, 3, 0);
    a.append(end(1));
    // B took over under epoch 4 (it read A's line as the last, epoch 3).
    const b = LiveJournalWriter.open(path, 4, 3);
    b.append(end(2));
    // A resumes: the file changed since its own write; the last line is epoch 4 > 3.
    assert.throws(
      () => a.append(end(3)),
      (e: unknown) =>
        isJournalFencedError(e) &&
        /last line has fencing epoch 4, newer than this writer's 3: another instance took over/.test(
          e.message,
        ),
    );
    b.append(end(4));
    a.close();
    b.close();
    const lines = [...readJournal(path)].map((e) => e.line);
    assert.deepEqual(
      lines.map((l) => [l.type === "session_end" ? l.wall_ms : -1, epochOf(l)]),
      [
        [1, 3],
        [2, 4],
        [4, 4],
      ],
    );
    // Opening under an epoch older than the journal's last line (known or read) is refused too.
    assert.throws(() => LiveJournalWriter.open(path, 3, 0), isJournalFencedError);
    assert.throws(() => LiveJournalWriter.open(path, 2, 5), /fencing epoch 5, newer than/);
    // The same or a newer epoch continues; a line without epoch reads as 0.
    const c = LiveJournalWriter.open(path, 4, 4);
    c.close();
    appendFileSync(path, `${JSON.stringify(end(5))}\n`);
    assert.equal(epochOf([...readJournal(path)].at(-1)?.line ?? end(0)), 0);
    assert.throws(
      () => readJournalLineWithEpoch(path, -1),
      /field "epoch": expected an integer >= 0, got -1/,
    );
  });
});

/** Append a line with the given epoch and read the journal back (throws on a bad epoch). */
function readJournalLineWithEpoch(path: string, epoch: number): number {
  appendFileSync(
    path,
    `${JSON.stringify({ type: "session_end", instance_id: "x", wall_ms: 9, last_seq: 0, reason: "r", summary: null, epoch })}\n`,
  );
  return [...readJournal(path)].length;
}
