import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batchesOf, MAX_BATCH_TRIALS } from "./local-executor.js";
import { gridPoint, gridSize, parseGrid, randomIndices, sweepTrials } from "./sweep-space.js";
import type { TrialTask } from "./trial.js";

describe("sweep space", () => {
  test("ranges step in exact decimals, inclusive; values typed by the option's kind", () => {
    const [spacing, size, levels, flag] = parseGrid([
      "spacing_bps=0.1:0.3:0.1",
      "size_per_level=0.001:0.003:0.001",
      "levels=3,5,10",
      "fix_daily_loss_limit=true,false",
    ]);
    // 0.1 + 0.1 + 0.1 in binary floats is 0.30000000000000004: exact decimals reach 0.3.
    assert.deepEqual(spacing?.values, [0.1, 0.2, 0.3]);
    assert.deepEqual(size?.values, ["0.001", "0.002", "0.003"]);
    assert.deepEqual(levels?.values, [3, 5, 10]);
    assert.deepEqual(flag?.values, [true, false]);
  });

  test("every problem is reported at once", () => {
    assert.throws(
      () => parseGrid(["spacing_bsp=1,2", "levels=a", "profile=reference,realistic", "x"]),
      (e: Error) =>
        /unknown option "spacing_bsp"/.test(e.message) &&
        /levels expects a number, got "a"/.test(e.message) &&
        /profile cannot be swept/.test(e.message) &&
        /--grid x: expected NAME=/.test(e.message),
    );
    assert.throws(() => parseGrid(["levels=3:1:1"]), /HI must be >= LO/);
    assert.throws(() => parseGrid(["levels=1:3:0"]), /STEP must be > 0/);
    assert.throws(() => parseGrid(["levels=3,3"]), /listed twice/);
    assert.throws(() => parseGrid([]), /at least one --grid/);
  });

  test("grid points in order, the last parameter fastest", () => {
    const params = parseGrid(["levels=1,2", "spacing_bps=5,10,15"]);
    assert.equal(gridSize(params), 6);
    const all = sweepTrials(params);
    assert.deepEqual(all, [
      { levels: 1, spacing_bps: 5 },
      { levels: 1, spacing_bps: 10 },
      { levels: 1, spacing_bps: 15 },
      { levels: 2, spacing_bps: 5 },
      { levels: 2, spacing_bps: 10 },
      { levels: 2, spacing_bps: 15 },
    ]);
    assert.deepEqual(gridPoint(params, 4), { levels: 2, spacing_bps: 10 });
  });

  test("random draws are distinct, in range, the same for the same seed", () => {
    for (const seed of [1, 2, 99]) {
      const a = randomIndices(1000, 50, seed);
      assert.equal(new Set(a).size, 50);
      assert.ok(a.every((i) => Number.isInteger(i) && i >= 0 && i < 1000));
      assert.deepEqual(
        a,
        [...a].sort((x, y) => x - y),
      );
      assert.deepEqual(randomIndices(1000, 50, seed), a);
    }
    assert.notDeepEqual(randomIndices(1000, 50, 1), randomIndices(1000, 50, 2));
    assert.deepEqual(randomIndices(4, 10, 1), [0, 1, 2, 3]);
    const params = parseGrid(["levels=1:100:1", "spacing_bps=1:100:1"]);
    const trials = sweepTrials(params, { n: 7, seed: 3 });
    assert.equal(trials.length, 7);
    assert.equal(new Set(trials.map((t) => JSON.stringify(t))).size, 7);
  });

  test("a huge full grid asks for --random", () => {
    const params = parseGrid(["levels=1:1000:1", "spacing_bps=1:1000:1"]);
    assert.throws(() => sweepTrials(params), /--random N/);
  });
});

describe("local batches", () => {
  test("per input: jobs batches, more when a batch would exceed its bound; i in batch i mod n", () => {
    const task = (i: number, dir: string): TrialTask => ({
      id: `t-${dir}-${i}`,
      index: i,
      params: { levels: i },
      input: { kind: "fixture", dir },
      baseOverrides: {},
    });
    const a = Array.from({ length: 5 }, (_, i) => task(i, "a"));
    const b = Array.from({ length: 70 }, (_, i) => task(i, "b"));
    const batches = batchesOf([...a, ...b], 2);
    // a: 2 batches (0,2,4 and 1,3); b: 70 > 2 x 32, so ceil(70 / 32) = 3 batches of 24, 23, 23.
    assert.deepEqual(batches.map((x) => x.map((t) => t.index)).slice(0, 2), [
      [0, 2, 4],
      [1, 3],
    ]);
    assert.deepEqual(
      batches.slice(2).map((x) => x.length),
      [24, 23, 23],
    );
    assert.ok(
      batches
        .slice(2)
        .every((x) => x.every((t) => t.input.kind === "fixture" && t.input.dir === "b")),
    );
    assert.ok(MAX_BATCH_TRIALS >= 24);
  });
});
