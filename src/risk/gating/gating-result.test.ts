import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson, float } from "../../core/canonical-json.js";
import { InvalidInputError } from "../../core/errors.js";
import { GateReason } from "./gate-codes.js";
import { GatingResult } from "./gating-result.js";

test("allow gives PASS with optional details", () => {
  const a = GatingResult.allow();
  assert.equal(a.allowed, true);
  assert.equal(a.reason, "PASS");
  assert.equal(a.details, null);
  assert.equal(canonicalJson(a.toJson()), '{"allowed":true,"details":null,"reason":"PASS"}');
  const b = GatingResult.allow({ n: 3 });
  assert.deepEqual(b.details, { n: 3 });
});

test("block carries its reason and details", () => {
  const r = GatingResult.block(GateReason.SPREAD_SPIKE, { spread_bps: float(61.0), note: "x" });
  assert.equal(r.allowed, false);
  assert.equal(r.reason, "SPREAD_SPIKE");
  assert.equal(
    canonicalJson(r.toJson()),
    '{"allowed":false,"details":{"note":"x","spread_bps":61.0},"reason":"SPREAD_SPIKE"}',
  );
  assert.equal(GatingResult.block(GateReason.MAX_ORDERS_EXCEEDED).details, null);
});

test("fromJson inverts toJson", () => {
  const r = GatingResult.block(GateReason.COOLDOWN_ACTIVE, { elapsed_ms: 20, cooldown_ms: 250 });
  const back = GatingResult.fromJson(r.toJson());
  assert.equal(back.allowed, false);
  assert.equal(back.reason, GateReason.COOLDOWN_ACTIVE);
  assert.deepEqual(back.details, { elapsed_ms: 20, cooldown_ms: 250 });
  const none = GatingResult.fromJson({ allowed: true, reason: "PASS" });
  assert.equal(none.details, null);
});

test("fromJson rejects unknown reasons and malformed objects", () => {
  assert.throws(() => GatingResult.fromJson({ allowed: true, reason: "NOPE" }), InvalidInputError);
  assert.throws(() => GatingResult.fromJson({ allowed: "yes", reason: "PASS" }), InvalidInputError);
  assert.throws(() => GatingResult.fromJson([1]), InvalidInputError);
});
