import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { downsampleIndices, thinIndices } from "./downsample.js";

describe("downsampleIndices", () => {
  it("keeps everything when the series is short enough", () => {
    assert.deepEqual(downsampleIndices(5, 10, [(i) => i]), [0, 1, 2, 3, 4]);
    assert.deepEqual(downsampleIndices(0, 10, []), []);
  });

  it("keeps first, last and each bucket's min and max", () => {
    const v = [5, 1, 9, 4, 4, 0, 7, 3, 8, 2, 6, 6];
    // maxPoints 6, one series: (6 - 2) / 2 = 2 buckets of 6 points each.
    // bucket 0-5: min 0 at 5, max 9 at 2; bucket 6-11: min 2 at 9, max 8 at 8.
    assert.deepEqual(downsampleIndices(v.length, 6, [(i) => v[i] ?? 0]), [0, 2, 5, 8, 9, 11]);
  });

  it("keeps the extremes of every series and stays near the budget", () => {
    const n = 100_000;
    const a = (i: number): number => Math.sin(i / 500) + (i === 71_234 ? 50 : 0);
    const b = (i: number): number => (i === 12_345 ? -99 : Math.cos(i / 900));
    const keep = downsampleIndices(n, 2000, [a, b]);
    assert.ok(keep.length <= 2002, `kept ${keep.length}`);
    assert.ok(keep.length > 900, `kept ${keep.length}`);
    assert.ok(keep.includes(71_234));
    assert.ok(keep.includes(12_345));
    assert.equal(keep[0], 0);
    assert.equal(keep[keep.length - 1], n - 1);
    for (let i = 1; i < keep.length; i++) assert.ok((keep[i] as number) > (keep[i - 1] as number));
  });
});

describe("thinIndices", () => {
  it("keeps exactly max evenly spread indices, first and last included", () => {
    assert.deepEqual(thinIndices(3, 5), [0, 1, 2]);
    assert.deepEqual(thinIndices(10, 4), [0, 3, 6, 9]);
    assert.deepEqual(thinIndices(10, 5), [0, 2, 5, 7, 9]);
    assert.equal(thinIndices(48, 10).length, 10);
  });
});
