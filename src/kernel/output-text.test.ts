import assert from "node:assert/strict";
import { test } from "node:test";
import { REPO_ROOT } from "../../test/support/run-cli.js";
import { canonicalJson } from "../core/canonical-json.js";
import { Decimal, dec } from "../core/decimal.js";
import { openFixture } from "../data/fixture-reader.js";
import { Snapshot } from "../domain/snapshot.js";
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

test("replay: a symbol's prefilter text is reused only while its result stays the same", () => {
  // Spreads of 10 bps pass the 15 bps gate, 20 bps do not; symbols interleave
  // and each one's result flips, so a stale text would show.
  const quote = (ts: number, symbol: string, spreadBps: number): Snapshot => {
    const bid = dec("10000");
    const ask = bid.add(dec(spreadBps));
    return new Snapshot({
      ts,
      symbol,
      bidPrice: bid,
      askPrice: ask,
      bidQty: dec("1"),
      askQty: dec("1"),
      lastPrice: bid,
      lastQty: Decimal.ZERO,
    });
  };
  const spreads = [10, 10, 20, 20, 10, 20, 10, 10];
  const list: Snapshot[] = [];
  for (let i = 0; i < spreads.length; i++) {
    for (const [j, symbol] of ["BTCUSDT", "ETHUSDT", 'A\u00e9"B'].entries()) {
      list.push(quote(1000 * i + j, symbol, spreads[(i + j) % spreads.length] as number));
    }
  }
  const a = new ReplayEngine();
  const b = new ReplayEngine();
  const reasons = new Set<string>();
  for (const s of list) {
    const text = a.processSnapshotText(s);
    assert.equal(text, canonicalJson(b.processSnapshot(s)));
    reasons.add(
      (JSON.parse(text) as { prefilter_result: { reason: string } }).prefilter_result.reason,
    );
  }
  assert.deepEqual([...reasons].sort(), ["PASS", "SPREAD_TOO_HIGH"]);
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
