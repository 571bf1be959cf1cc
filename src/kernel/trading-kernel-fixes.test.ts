import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JsonValue } from "../core/canonical-json.js";
import { Decimal } from "../core/decimal.js";
import { generateEvents, parseGeneratorSpec } from "../data/fixture-generator.js";
import { snapshotFromEvent } from "../data/snapshot-event.js";
import { orderFilled } from "../domain/orders.js";
import type { Snapshot } from "../domain/snapshot.js";
import { createSimulation } from "../runtime/simulation.js";
import { applyOptions, defaultOptions } from "./kernel-options.js";
import { TradingKernel } from "./trading-kernel.js";

type Out = { readonly [key: string]: JsonValue };

function snapshots(symbols: Record<string, unknown>, tickMs = 1000, seed = 3): Snapshot[] {
  const spec = parseGeneratorSpec({ seed, tick_ms: tickMs, symbols }, "test");
  return generateEvents(spec).map((e, i) =>
    snapshotFromEvent(JSON.parse(e.line) as Record<string, unknown>, `gen:${i + 1}`),
  );
}

function run(
  snaps: readonly Snapshot[],
  raw: Record<string, unknown>,
): { outputs: Out[]; errors: string[]; fields: Record<string, JsonValue> } {
  const o = applyOptions(defaultOptions(), raw, "test", { strict: true });
  const sim = createSimulation(o);
  sim.kernel.selectionPass(snaps);
  const outputs: Out[] = [];
  const errors: string[] = [];
  for (const s of snaps) {
    try {
      const out = sim.step(s);
      if (out) outputs.push(out.json);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { outputs, errors, fields: sim.kernel.finish(snaps.length) };
}

const reason = (o: Out): string => (o.gating_result as { reason: string }).reason;
const fillsOf = (o: Out): number => (o.fills as JsonValue[]).length;

const LOOSE = {
  fill_after_ticks: 1,
  price_precision: 4,
  max_notional_per_symbol: "1000000",
  max_notional_total: "1000000",
};

describe("corrections of reference defects (off by default)", () => {
  test("fix_daily_loss_limit: losses make the risk gate block", () => {
    const snaps = snapshots({
      CRSHUSDT: { start_price: "1.0000", regimes: ["calm:40", "crash:120"] },
    });
    const cfg = { ...LOOSE, daily_loss_limit: "5" };
    const ref = run(snaps, cfg);
    assert.equal(ref.outputs.filter((o) => reason(o) === "DAILY_LOSS_LIMIT_EXCEEDED").length, 0);
    const fixed = run(snaps, { ...cfg, fix_daily_loss_limit: true });
    assert.ok(fixed.outputs.some((o) => reason(o) === "DAILY_LOSS_LIMIT_EXCEEDED"));
  });

  test("fix_fills_when_blocked: resting orders fill on blocked events", () => {
    const snaps = snapshots({ VOLUSDT: { start_price: "1.0000", regimes: ["vol:200"] } }, 500);
    const cfg = { ...LOOSE, max_orders_per_minute: 10, cooldown_ms: 5000 };
    const ref = run(snaps, cfg);
    assert.ok(ref.outputs.every((o) => o.blocked_by_gating !== true || fillsOf(o) === 0));
    const fixed = run(snaps, { ...cfg, fix_fills_when_blocked: true });
    const blockedWithFills = fixed.outputs.filter(
      (o) => o.blocked_by_gating === true && fillsOf(o) > 0,
    );
    assert.ok(blockedWithFills.length > 0);
    assert.ok((fixed.fields.total_fills as number) > (ref.fields.total_fills as number));
  });

  test("fix_rate_limit_when_placing: the cooldown no longer blocks events that place nothing", () => {
    const snaps = snapshots({ CALMUSDT: { start_price: "1.0000", regimes: ["calm:100"] } }, 50);
    const ref = run(snaps, { ...LOOSE, fill_after_ticks: 5 });
    const refCooldown = ref.outputs.filter((o) => reason(o) === "COOLDOWN_ACTIVE").length;
    assert.ok(refCooldown > 0, "the reference blocks on the shared cooldown");
    const fixed = run(snaps, { ...LOOSE, fill_after_ticks: 5, fix_rate_limit_when_placing: true });
    const fixedCooldown = fixed.outputs.filter((o) => reason(o) === "COOLDOWN_ACTIVE").length;
    assert.ok(fixedCooldown < refCooldown);
  });

  test("fix_adaptive_regime: the adaptive policy's regime follows the features", () => {
    const snaps = snapshots(
      { TRNDUSDT: { start_price: "1.0000", regimes: ["calm:40", "trend:200", "vol:200"] } },
      15000,
    );
    const cfg = { ...LOOSE, feature_engine_enabled: true, adaptive_policy_enabled: true };
    const regimes = (r: ReturnType<typeof run>): Set<string> =>
      new Set(r.outputs.map((o) => (o.plan as { regime?: string } | null)?.regime ?? "none"));
    const ref = regimes(run(snaps, cfg));
    assert.deepEqual(
      [...ref].filter((x) => x !== "none"),
      ["RANGE"],
    );
    const fixed = regimes(run(snaps, { ...cfg, fix_adaptive_regime: true }));
    assert.ok(
      [...fixed].some((r) => r !== "RANGE" && r !== "none"),
      [...fixed].join(","),
    );
  });

  test("fix_topk_v1_lookahead: selection only from the warm-up span, features never see the future", () => {
    const snaps = snapshots(
      {
        AUSDT: { start_price: "1.0000", regimes: ["vol:150"] },
        BUSDT: { start_price: "2.0000", regimes: ["calm:150"] },
      },
      10000,
    );
    const cfg = { ...LOOSE, topk_v1_enabled: true, topk_v1_k: 1, topk_v1_warmup_min: 2 };
    const ref = run(snaps, cfg);
    const firstRef = ref.outputs[0]?.features as { warmup_bars: number };
    assert.ok(firstRef.warmup_bars > 0, "the reference's first output already has future bars");
    const fixed = run(snaps, {
      ...cfg,
      fix_topk_v1_lookahead: true,
      topk_v1_selection_ms: 600_000,
    });
    const first = fixed.outputs[0] as Out;
    assert.deepEqual(first.prefilter_result, { allowed: false, reason: "topk_warmup" });
    assert.equal((first.features as { warmup_bars: number }).warmup_bars, 0);
    const warm = fixed.outputs.filter((o) => (o.ts as number) < (first.ts as number) + 600_000);
    assert.ok(warm.every((o) => o.not_in_topk === true));
    assert.equal((fixed.fields.topk_v1_selected_symbols as string[]).length, 1);
  });

  test("fix_dd_guard_negative_equity: negative equity no longer fails events", () => {
    const snaps = snapshots({
      CRSHUSDT: { start_price: "1.0000", regimes: ["calm:20", "crash:150"] },
    });
    const cfg = {
      ...LOOSE,
      dd_guard_v1_enabled: true,
      initial_capital: "5",
      dd_guard_v1_config: { portfolio_dd_limit: "1" },
    };
    const ref = run(snaps, cfg);
    assert.ok(
      ref.errors.some((e) => /equity_current must be >= 0/.test(e)),
      ref.errors.join("\n"),
    );
    const fixed = run(snaps, { ...cfg, fix_dd_guard_negative_equity: true });
    assert.deepEqual(fixed.errors, []);
  });
});

describe("order events from a venue that answers later (live)", () => {
  test("orders rest until the venue reports a fill; fills of unknown orders still book", () => {
    const snaps = snapshots({ VOLUSDT: { start_price: "1.0000", regimes: ["vol:60"] } }, 500);
    const o = applyOptions(defaultOptions(), LOOSE, "test", { strict: true });
    const kernel = new TradingKernel(o);
    kernel.selectionPass(snaps);
    let submitted = 0;
    for (const s of snaps) {
      const d = kernel.decide(s);
      if (d === undefined) continue;
      submitted += d.commands.filter((c) => c.kind === "SubmitOrder").length;
      assert.deepEqual(kernel.completeTick().json.fills, []);
    }
    assert.equal(submitted, 10);
    const open = kernel.openOrders("VOLUSDT");
    assert.equal(open.length, 10);
    const order = open[0] as (typeof open)[number];
    const fill = {
      ts: 99,
      symbol: "VOLUSDT",
      side: order.side,
      price: order.price,
      clientOrderId: order.orderId,
    };
    // A partial fill keeps the order open; the rest closes it.
    const half = order.quantity.div(Decimal.fromInt(2));
    kernel.onOrderEvent(orderFilled({ ...fill, quantity: half, leavesQuantity: half }));
    assert.equal(kernel.openOrders("VOLUSDT").length, 10);
    assert.equal(kernel.openOrders("VOLUSDT")[0]?.filledQuantity.toString(), half.toString());
    kernel.onOrderEvent(orderFilled({ ...fill, quantity: half, tradeId: "t2" }));
    assert.equal(kernel.openOrders("VOLUSDT").length, 9);
    assert.equal(kernel.finish(snaps.length).total_fills, 2);
    // A fill of an order the kernel already let go still moves the position.
    kernel.onOrderEvent(orderFilled({ ...fill, quantity: half, clientOrderId: "gone" }));
    assert.equal(kernel.finish(snaps.length).total_fills, 3);
    // A rejected (or lost) order leaves the book: its level is free again.
    const next = kernel.openOrders("VOLUSDT")[0] as (typeof open)[number];
    kernel.onOrderEvent({
      kind: "OrderRejected",
      ts: 100,
      clientOrderId: next.orderId,
      symbol: "VOLUSDT",
      reason: "test",
    });
    assert.equal(kernel.openOrders("VOLUSDT").length, 8);
  });
});
