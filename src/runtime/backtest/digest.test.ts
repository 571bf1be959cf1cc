import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { it } from "node:test";
import { canonicalJson, float, type JsonValue } from "../../core/canonical-json.js";
import { SeededRandom } from "../../core/prng.js";
import { canonicalDigest, StreamingArrayDigest } from "./digest.js";

/** The definition: first 16 hex characters of the SHA-256 of the whole array's canonical JSON. */
function wholeDigest(values: readonly JsonValue[]): string {
  return createHash("sha256").update(canonicalJson(values), "utf8").digest("hex").slice(0, 16);
}

it("an empty run hashes []", () => {
  const d = new StreamingArrayDigest();
  assert.equal(d.finish(), wholeDigest([]));
  assert.equal(canonicalDigest([]), wholeDigest([]));
});

it("fed one output at a time, digests the whole array's text, across chunk boundaries", () => {
  const rng = new SeededRandom(15);
  // Outputs of a few bytes to over 100 KB, so chunks end inside, between and after outputs.
  for (const count of [1, 2, 3, 50, 400, 3000]) {
    const values: JsonValue[] = [];
    for (let i = 0; i < count; i++) {
      const big = rng.next() < 0.01;
      values.push({
        ts: 1767225600000 + i,
        symbol: "BTCUSDT",
        text: 'x"\u00e9\n'.repeat(big ? 30000 : rng.int(0, 40)),
        price: float(rng.uniform(0, 1e5)),
      });
    }
    const byText = new StreamingArrayDigest();
    const byValue = new StreamingArrayDigest();
    for (const v of values) {
      byText.pushCanonical(canonicalJson(v));
      byValue.push(v);
    }
    const want = wholeDigest(values);
    assert.equal(byText.finish(), want, `${count} outputs`);
    assert.equal(byValue.finish(), want, `${count} outputs`);
  }
});
