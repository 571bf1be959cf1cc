import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { openFixture } from "../src/data/fixture-reader.js";
import { runPaper } from "../src/runtime/backtest/run-paper.js";
import { runReplay } from "../src/runtime/backtest/run-replay.js";
import { skipUnless } from "./support/required-tool.js";
import { REPO_ROOT } from "./support/run-cli.js";

/**
 * The shared reference outputs (../shared/reference, present in CI) carry the
 * reference engine's own digests. compare.py ignores digests; this checks that
 * ours are byte-identical, i.e. the canonical JSON of every output matches.
 */
const REF = join(REPO_ROOT, "..", "shared", "reference");

test("replay and paper digests equal the reference engine's on every shared fixture", {
  skip: skipUnless(existsSync(REF), "no ../shared/reference here"),
}, async () => {
  const names = readdirSync(join(REF, "fixtures")).sort();
  assert.ok(names.length > 0);
  for (const name of names) {
    const expected = (mode: string): string =>
      (
        JSON.parse(
          gunzipSync(readFileSync(join(REF, "expected", name, `${mode}.json.gz`))).toString(),
        ) as {
          digest: string;
        }
      ).digest;
    const fixture = openFixture(join(REF, "fixtures", name));
    assert.equal((await runReplay(fixture)).digest, expected("replay"), `${name}/replay`);
    assert.equal((await runPaper(fixture)).digest, expected("paper"), `${name}/paper`);
  }
});
