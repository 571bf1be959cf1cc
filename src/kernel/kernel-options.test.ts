import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../../test/support/run-cli.js";
import { applyOptions, defaultOptions, OPTION_SPECS } from "./kernel-options.js";

test("every option is documented in docs/CONFIG.md", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs", "CONFIG.md"), "utf8");
  for (const name of Object.keys(OPTION_SPECS)) assert.ok(doc.includes(`\`${name}\``), name);
});

test("types are validated and decimals accept strings or numbers", () => {
  const o = applyOptions(defaultOptions(), { size_per_level: 0.002, initial_capital: "3000" }, "t");
  assert.equal(o.size_per_level.toString(), "0.002");
  assert.equal(o.initial_capital.toString(), "3000");
  assert.throws(
    () => applyOptions(defaultOptions(), { levels: 2.5 }, "t"),
    /"levels": expected an integer/,
  );
  assert.throws(
    () => applyOptions(defaultOptions(), { spacing_bps: "10" }, "t"),
    /expected a number/,
  );
  assert.throws(() => applyOptions(defaultOptions(), { cycle_enabled: 1 }, "t"), /true or false/);
  assert.throws(
    () => applyOptions(defaultOptions(), { bogus: 1 }, "f", { strict: true }),
    /unknown option "bogus"/,
  );
  assert.doesNotThrow(() => applyOptions(defaultOptions(), { description: "x" }, "f"));
});

test("topk_v1_enabled turns the feature engine on; replay takes only its five options", () => {
  assert.equal(
    applyOptions(defaultOptions(), { topk_v1_enabled: true }, "t").feature_engine_enabled,
    true,
  );
  const r = applyOptions(defaultOptions(), { levels: 3, fill_mode: "instant" }, "t", {
    only: ["levels"],
  });
  assert.equal(r.levels, 3);
  assert.equal(r.fill_mode, "crossing");
});
