import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, tempDir } from "../../../test/support/run-cli.js";
import { openFixture } from "../../data/fixture-reader.js";
import { PROJECT_FIXTURES } from "../project-paths.js";
import { combineTaps, runPaperTapped, withOutputsFile } from "./backtest-tap.js";
import { runPaper } from "./run-paper.js";

describe("tapFixture / runPaperTapped", () => {
  it("pairs every output with its snapshot and leaves the run unchanged", async () => {
    const dir = join(PROJECT_FIXTURES, "multisymbol_topk");
    const plain = await runPaper(openFixture(dir));
    const seen: string[] = [];
    const passes = new Set<number>();
    let reads = 0;
    let timedTicks = 0;
    const r = await runPaperTapped(openFixture(dir), {
      timed: true,
      tap: combineTaps(
        {
          onTick: (s, out, ns) => {
            assert.equal(out.ts, s.ts);
            assert.equal(out.symbol, s.symbol);
            assert.ok(ns > 0);
            seen.push(s.symbol);
          },
        },
        {
          onRead: (_s, n, pass) => {
            passes.add(pass);
            reads++;
            assert.ok(n >= 1);
          },
          onTick: () => timedTicks++,
        },
      ),
    });
    assert.equal(r.digest, plain.digest);
    assert.equal(seen.length, r.outputs);
    assert.equal(timedTicks, r.outputs);
    assert.deepEqual([...passes], [1, 2]); // Top-K v0: selection pass, then trading
    assert.equal(reads, 2 * r.eventsProcessed);
    // Top-K left some symbols out: fewer outputs than events.
    assert.ok(r.outputs < r.eventsProcessed);
  });
});

describe("withOutputsFile", () => {
  it("removes the temp file when the run fails", async () => {
    const dir = tempDir();
    const path = join(dir, "o.jsonl");
    await assert.rejects(
      withOutputsFile(path, async (tap) => {
        tap?.onTick?.({} as never, { a: 1 }, 0);
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  it("keeps nothing without a path", async () => {
    assert.equal(await withOutputsFile(undefined, async (tap) => tap), undefined);
  });
});

describe("grinder paper --outputs", () => {
  it("streams every output as a JSON line, the same as --out's outputs", () => {
    const dir = tempDir();
    const outputs = join(dir, "ticks.jsonl");
    const out = join(dir, "result.json");
    const r = runCli([
      "paper",
      "--fixture",
      "fixtures/toxic_jump",
      "--outputs",
      outputs,
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Profile: reference; options: .*\nPaper trading completed\. Events processed: 200\nOutput digest: aecf3f94db22312c\n$/,
    );
    const lines = readFileSync(outputs, "utf8").trimEnd().split("\n");
    const result = JSON.parse(readFileSync(out, "utf8")) as { outputs: unknown[] };
    assert.equal(lines.length, 200);
    assert.deepEqual(
      lines.map((l) => JSON.parse(l)),
      result.outputs,
    );
    // Canonical JSON: sorted keys, floats as the reference prints them.
    assert.match(lines[0] ?? "", /^\{"actions":/);
    assert.equal(existsSync(`${outputs}.tmp-${process.pid}`), false);
  });
});
