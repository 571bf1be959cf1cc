import assert from "node:assert/strict";
import { test } from "node:test";
import { applyOptions, defaultOptions, OPTION_SPECS } from "./kernel-options.js";
import { engineOptionsJson } from "./options-json.js";

test("engineOptionsJson: every option, decimals as exact strings, objects kept", () => {
  const o = applyOptions(
    defaultOptions(),
    {
      size_per_level: "0.00100",
      spacing_bps: 0.5,
      cycle_enabled: true,
      dd_guard_v1_config: { portfolio_dd_limit: "0.2", symbol_dd_budgets: { BTCUSDT: "40" } },
    },
    "test",
  );
  const j = engineOptionsJson(o);
  assert.deepEqual(Object.keys(j), Object.keys(OPTION_SPECS).sort());
  assert.equal(j.size_per_level, "0.00100");
  assert.equal(j.initial_capital, "10000");
  assert.equal(j.spacing_bps, 0.5);
  assert.equal(j.cycle_enabled, true);
  assert.equal(j.fill_mode, "crossing");
  assert.deepEqual(j.dd_guard_v1_config, {
    portfolio_dd_limit: "0.2",
    symbol_dd_budgets: { BTCUSDT: "40" },
  });
  // Plain JSON all the way down.
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
});
