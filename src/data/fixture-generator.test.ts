import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { discoverFixtures, PROJECT_FIXTURES } from "../runtime/project-paths.js";
import { generateEvents, parseGeneratorSpec } from "./fixture-generator.js";
import { readFixtureConfig } from "./fixture-reader.js";

test("generation is deterministic: same spec, same events", () => {
  const spec = parseGeneratorSpec(
    { seed: 5, symbols: { AUSDT: { start_price: "1.0000", regimes: ["calm:50", "jump:20"] } } },
    "test",
  );
  const a = generateEvents(spec).map((e) => e.line);
  const b = generateEvents(spec).map((e) => e.line);
  assert.deepEqual(a, b);
  assert.equal(a.length, 70);
  const other = generateEvents({ ...spec, seed: 6 }).map((e) => e.line);
  assert.notDeepEqual(a, other, "the seed matters");
});

test("events are merged in ts order across symbols", () => {
  const spec = parseGeneratorSpec(
    {
      seed: 1,
      symbols: {
        AUSDT: { start_price: "1.00", regimes: ["calm:30"] },
        BUSDT: { start_price: "2.00", regimes: ["sparse:5", "calm:10"] },
      },
    },
    "test",
  );
  const ts = generateEvents(spec).map((e) => e.ts);
  assert.deepEqual(
    ts,
    [...ts].sort((x, y) => x - y),
  );
});

test("shipped generated fixtures regenerate byte for byte", () => {
  for (const dir of discoverFixtures(PROJECT_FIXTURES)) {
    const config = readFixtureConfig(dir);
    if (config.generator === undefined) continue;
    const lines = generateEvents(parseGeneratorSpec(config.generator, dir)).map((e) => e.line);
    assert.equal(readFileSync(join(dir, "events.jsonl"), "utf8"), lines.join("\n") + "\n", dir);
  }
});

test("bad regimes are rejected with the expected form", () => {
  assert.throws(
    () =>
      generateEvents(
        parseGeneratorSpec({ symbols: { A: { start_price: "1", regimes: ["storm:5"] } } }, "t"),
      ),
    /regime "storm:5": expected "kind:events"/,
  );
});
