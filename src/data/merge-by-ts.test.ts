import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../core/errors.js";
import { mergeByTs } from "./merge-by-ts.js";

interface Item {
  readonly ts: number;
  readonly src: number;
  readonly seq: number;
}

const tsOf = (x: Item): number => x.ts;
const show = (x: Item): string => `${x.ts}:${x.src}.${x.seq}`;

function stream(src: number, times: number[]): Item[] {
  return times.map((ts, seq) => ({ ts, src, seq }));
}

/** Deterministic pseudo-random numbers (LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("mergeByTs", () => {
  it("merges by ts; equal ts come out in stream order, each stream's order kept", () => {
    const a = stream(0, [1, 3, 3, 7]);
    const b = stream(1, [0, 3, 5]);
    const c = stream(2, [3, 3]);
    assert.deepEqual([...mergeByTs([a, b, c], tsOf)].map(show), [
      "0:1.0",
      "1:0.0",
      "3:0.1",
      "3:0.2",
      "3:1.1",
      "3:2.0",
      "3:2.1",
      "5:1.2",
      "7:0.3",
    ]);
  });

  it("handles no streams, empty streams and a single stream", () => {
    assert.deepEqual([...mergeByTs([], tsOf)], []);
    assert.deepEqual([...mergeByTs([[], []], tsOf)], []);
    assert.deepEqual([...mergeByTs([[], stream(1, [2, 2])], tsOf)].map(show), ["2:1.0", "2:1.1"]);
  });

  it("equals a stable sort by (ts, stream) on random inputs", () => {
    const rnd = lcg(42);
    for (let round = 0; round < 50; round++) {
      const k = 1 + Math.floor(rnd() * 7);
      const streams: Item[][] = [];
      for (let s = 0; s < k; s++) {
        let t = Math.floor(rnd() * 5);
        const times: number[] = [];
        const n = Math.floor(rnd() * 30);
        for (let i = 0; i < n; i++) {
          t += Math.floor(rnd() * 3); // many equal timestamps
          times.push(t);
        }
        streams.push(stream(s, times));
      }
      const expected = streams.flat().sort((x, y) => x.ts - y.ts || x.src - y.src || x.seq - y.seq);
      assert.deepEqual([...mergeByTs(streams, tsOf)].map(show), expected.map(show));
    }
  });

  it("pulls lazily: one pending item per stream", () => {
    let pulled = 0;
    function* counting(src: number, n: number): Generator<Item> {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield { ts: i, src, seq: i };
      }
    }
    const it = mergeByTs([counting(0, 1000), counting(1, 1000), counting(2, 1000)], tsOf);
    it.next();
    assert.equal(pulled, 3); // one head per stream
    it.next();
    assert.equal(pulled, 4); // plus the replacement of the item just given out
    it.return(undefined);
  });

  it("rejects a stream that goes back in time, naming it", () => {
    const bad = stream(1, [5, 4]);
    assert.throws(
      () => [...mergeByTs([stream(0, [1]), bad], tsOf, ["BTCUSDT", "ETHUSDT"])],
      (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.equal(e.message, "ETHUSDT: not in time order (ts 4 after 5); cannot merge");
        return true;
      },
    );
  });

  it("closes every stream when the consumer stops early", () => {
    const closed: number[] = [];
    function* src(id: number): Generator<Item> {
      try {
        for (let i = 0; i < 10; i++) yield { ts: i, src: id, seq: i };
      } finally {
        closed.push(id);
      }
    }
    for (const x of mergeByTs([src(0), src(1)], tsOf)) {
      if (x.ts === 3) break;
    }
    assert.deepEqual(closed.sort(), [0, 1]);
  });
});
