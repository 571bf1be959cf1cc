import assert from "node:assert/strict";
import { it } from "node:test";
import { ALL_HA_ROLES, HaRole, HaStateHolder } from "./ha-state.js";

it("roles are the lowercase reference values", () => {
  assert.deepEqual(ALL_HA_ROLES, ["active", "standby", "unknown"]);
});

it("starts UNKNOWN, keeps unpatched fields, and is ready only when ACTIVE", () => {
  const s = new HaStateHolder("inst-1");
  assert.deepEqual(s.get(), {
    role: "unknown",
    instanceId: "inst-1",
    lockHolder: null,
    lastLockAttemptMs: 0,
    lockFailures: 0,
    epoch: 0,
  });
  assert.equal(s.isReady(), false);
  s.update({ role: HaRole.STANDBY, lockFailures: 3 });
  assert.equal(s.isReady(), false);
  s.update({ lockHolder: "other" });
  assert.deepEqual(s.get(), {
    role: "standby",
    instanceId: "inst-1",
    lockHolder: "other",
    lastLockAttemptMs: 0,
    lockFailures: 3,
    epoch: 0,
  });
  s.update({ role: HaRole.ACTIVE });
  assert.equal(s.isReady(), true);
});

it("notifies listeners once per actual role change", () => {
  const s = new HaStateHolder();
  const seen: string[] = [];
  const off = s.onRoleChange((role, prev) => seen.push(`${prev}->${role}`));
  s.update({ role: HaRole.STANDBY });
  s.update({ role: HaRole.STANDBY, lockFailures: 1 });
  s.update({ role: HaRole.ACTIVE });
  off();
  s.update({ role: HaRole.STANDBY });
  assert.deepEqual(seen, ["unknown->standby", "standby->active"]);
});
