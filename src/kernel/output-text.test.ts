import assert from "node:assert/strict";
import { test } from "node:test";
import { REPO_ROOT } from "../../test/support/run-cli.js";
import { canonicalJson } from "../core/canonical-json.js";
import { openFixture } from "../data/fixture-reader.js";
import { createSimulation } from "../runtime/simulation.js";
import { applyOptions, defaultOptions, REPLAY_OPTION_NAMES } from "./kernel-options.js";
import { ReplayEngine } from "./replay-engine.js";
import { digestView } from "./tick-output.js";

/**
 * The hot path writes outputs as text assembled from pieces; these tests pin it
 * to the canonical JSON of the output records, so the two cannot drift apart.
 */

function snapshots(name: string) {
  const fixture = openFixture(`${REPO_ROOT}/fixtures/${name}`);
  const list = [];
  for (const ev of fixture.events()) if (ev.kind === "snapshot") list.push(ev.snapshot);
  return { fixture, list };
}

test("replay: processSnapshotText equals the canonical JSON of processSnapshot", () => {
  const { fixture, list } = snapshots("toxic_jump");
  const o = applyOptions(defaultOptions(), fixture.config, "t", { only: REPLAY_OPTION_NAMES });
  const cfg = {
    spacingBps: o.spacing_bps,
    levels: o.levels,
    sizePerLevel: o.size_per_level,
    pricePrecision: o.price_precision,
    quantityPrecision: o.quantity_precision,
  };
  const a = new ReplayEngine(cfg);
  const b = new ReplayEngine(cfg);
  for (const s of list) assert.equal(a.processSnapshotText(s), canonicalJson(b.processSnapshot(s)));
});

for (const name of ["cycle_dd_guard", "topk_v1_selection", "drawdown_kill_switch"]) {
  test(`paper (${name}): text() and digestText() equal the canonical JSON of json and its digest view`, () => {
    const { fixture, list } = snapshots(name);
    const o = applyOptions(defaultOptions(), fixture.config, "t");
    const sim = createSimulation(o);
    sim.kernel.selectionPass(list);
    let checked = 0;
    for (const s of list) {
      const out = sim.step(s);
      if (out === undefined) continue;
      const text = out.text();
      const digestText = out.digestText();
      assert.equal(text, canonicalJson(out.json));
      assert.equal(digestText, canonicalJson(digestView(out.json)));
      checked++;
    }
    assert.ok(checked > 100);
  });
}
