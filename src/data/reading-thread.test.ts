import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { describe, it } from "node:test";
import { snapshotKey } from "../../test/support/snapshot-key.js";
import { Decimal } from "../core/decimal.js";
import { ConfigError } from "../core/errors.js";
import type { Snapshot } from "../domain/snapshot.js";
import type { FixtureJob } from "./fixture-thread.js";
import {
  batchesOnThread,
  dataThreadsOption,
  errorFromWire,
  errorToWire,
} from "./reading-thread.js";
import { BatchReader, BatchWriter } from "./snapshot-batch.js";

const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("snapshot-batch: the binary form keeps every value exactly", () => {
  const values = [
    "0",
    "-0",
    "0.000",
    "1.50",
    "-93421.35",
    "123456789012345678901.5",
    "-9007199254740993",
    "9007199254740991",
    "1E+7",
    "-2.5E-12",
  ].map((t) => Decimal.parse(t));
  const sides = [undefined, "BUY", "SELL"] as const;
  const snapshot = (i: number, symbol: string): Snapshot => {
    const v = (j: number): Decimal => values[(i + j) % values.length] as Decimal;
    return {
      ts: T0 + i,
      symbol,
      bidPrice: v(0),
      askPrice: v(1),
      bidQty: v(2),
      askQty: v(3),
      lastPrice: v(4),
      lastQty: v(5),
      takerSide: sides[i % 3],
    } as unknown as Snapshot;
  };

  it("round-trips signs, exponents, zeros and BigInt coefficients", () => {
    const writer = new BatchWriter(values.length);
    const input = values.map((_, i) => snapshot(i, i % 2 === 0 ? "AUSDT" : "BUSDT"));
    for (const s of input) writer.push(s);
    assert.ok(writer.full);
    const batch = writer.take();
    assert.deepEqual(batch.symbols, ["AUSDT", "BUSDT"]);
    const reader = new BatchReader();
    reader.open(batch);
    assert.deepEqual(
      input.map((_, i) => snapshotKey(reader.snapshot(batch, i))),
      input.map(snapshotKey),
    );
    assert.ok(batch.texts.length > 0);
  });

  it("numbers symbols across batches and carries other events by type and place", () => {
    const writer = new BatchWriter(3);
    writer.push(snapshot(0, "AUSDT"));
    writer.pushOther("TRADE", "f.jsonl:2");
    writer.push(snapshot(1, "BUSDT"));
    const first = writer.take();
    writer.push(snapshot(2, "CUSDT"));
    writer.push(snapshot(3, "AUSDT"));
    writer.pushOther("BOOK_TICKER", "f.jsonl:6");
    const second = writer.take();
    assert.deepEqual(first.symbols, ["AUSDT", "BUSDT"]);
    assert.deepEqual(second.symbols, ["CUSDT"]);
    const reader = new BatchReader();
    const seen: string[] = [];
    for (const b of [first, second]) {
      reader.open(b);
      for (let i = 0; i < b.count; i++) {
        if (reader.isSnapshot(b, i)) seen.push(reader.snapshot(b, i).symbol);
        else {
          const o = reader.other(b, i);
          seen.push(`${o.type}@${o.where}`);
        }
      }
    }
    assert.deepEqual(seen, [
      "AUSDT",
      "TRADE@f.jsonl:2",
      "BUSDT",
      "CUSDT",
      "AUSDT",
      "BOOK_TICKER@f.jsonl:6",
    ]);
  });
});

describe("reading-thread", () => {
  it("errors cross with their class and message", () => {
    const e = errorFromWire(errorToWire(new ConfigError("x: bad")));
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message, "x: bad");
    const r = errorFromWire(errorToWire(new RangeError("out")));
    assert.equal(r.name, "RangeError");
    assert.equal(r.message, "out");
  });

  it("dataThreads: option, else GRINDER_DATA_THREADS, else the input's default; 0 or 1", () => {
    for (const byDefault of [0, "cores"] as const) {
      assert.equal(dataThreadsOption(0, byDefault, { GRINDER_DATA_THREADS: "1" }), 0);
      assert.equal(dataThreadsOption(1, byDefault, { GRINDER_DATA_THREADS: "0" }), 1);
      assert.equal(dataThreadsOption(undefined, byDefault, { GRINDER_DATA_THREADS: "0" }), 0);
      assert.equal(dataThreadsOption(undefined, byDefault, { GRINDER_DATA_THREADS: "1" }), 1);
      assert.throws(
        () => dataThreadsOption(undefined, byDefault, { GRINDER_DATA_THREADS: "2" }),
        ConfigError,
      );
      assert.throws(
        () => dataThreadsOption(3, byDefault, {}),
        /dataThreads: expected 0 or 1, got 3/,
      );
    }
    // Fixtures read on the calling thread unless asked; dumps on a second core when there is one.
    assert.equal(dataThreadsOption(undefined, 0, {}), 0);
    assert.equal(dataThreadsOption(undefined, "cores", {}), availableParallelism() >= 2 ? 1 : 0);
  });

  it("on a worker thread the default is 0 whatever the input", async () => {
    const { Worker } = await import("node:worker_threads");
    const code = `
      const { parentPort } = require("node:worker_threads");
      import(${JSON.stringify(new URL("./reading-thread.js", import.meta.url).href)}).then((m) =>
        parentPort.postMessage([m.dataThreadsOption(undefined, "cores", {}), m.dataThreadsOption(undefined, 0, {})]),
      );`;
    const w = new Worker(code, { eval: true });
    const got = await new Promise((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
    });
    await w.terminate();
    assert.deepEqual(got, [0, 0]);
  });

  it("a worker that dies without a word is taken for dead after the silence limit: an error naming the way out, not a wait for ever", () => {
    const job: FixtureJob = { reader: "fixture", path: "/nonexistent/events.jsonl" };
    // This worker ends at once and sends nothing, as one killed by running out of memory.
    const workerUrl = new URL("../../test/support/silent-worker.js", import.meta.url);
    assert.throws(
      () => [...batchesOnThread(job, { workerUrl, silenceLimitMs: 500 })],
      /data reading thread \(--data-threads 1\) sent nothing and gave no sign of life for 0\.5 s: it has died \(out of memory\?\); run again with --data-threads 0/,
    );
  });
});
