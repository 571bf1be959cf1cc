import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, tempDir } from "../../../test/support/run-cli.js";
import { openFixture } from "../../data/fixture-reader.js";
import { PROJECT_FIXTURES } from "../project-paths.js";
import { combineTaps, outputsFileTap, runPaperTapped, withFileTaps } from "./backtest-tap.js";
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
            assert.equal(out.json.ts, s.ts);
            assert.equal(out.json.symbol, s.symbol);
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
    // Top-K v0 selects from the light scan of each symbol's last prices: one pass, trading.
    assert.deepEqual([...passes], [1]);
    assert.equal(reads, r.eventsProcessed);
    // Top-K left some symbols out: fewer outputs than events.
    assert.ok(r.outputs < r.eventsProcessed);
  });
});

describe("withFileTaps", () => {
  it("removes every temp file when the run fails", async () => {
    const dir = tempDir();
    const a = outputsFileTap(join(dir, "sub", "a.jsonl"));
    const b = outputsFileTap(join(dir, "b.jsonl"));
    await assert.rejects(
      withFileTaps([a, undefined, b], async (tap) => {
        tap.onTick?.({} as never, { json: { a: 1 }, pnlSnapshot: null, text: () => '{"a":1}' }, 0);
        assert.equal(readdirSync(dir).filter((f) => f.startsWith("b.jsonl.tmp-")).length, 1);
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.deepEqual(readdirSync(dir), ["sub"]);
    assert.deepEqual(readdirSync(join(dir, "sub")), []);
  });

  it("creates nothing before the first line, and an empty file for a run without lines", async () => {
    const dir = tempDir();
    const a = outputsFileTap(join(dir, "a.jsonl"));
    await withFileTaps([a], async () => {
      assert.deepEqual(readdirSync(dir), []);
    });
    assert.equal(readFileSync(join(dir, "a.jsonl"), "utf8"), "");
  });

  it("refuses a path whose directory cannot be made, before the run", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "file"), "x");
    assert.throws(() => outputsFileTap(join(dir, "file", "a.jsonl")), /ENOTDIR|EEXIST/);
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
