import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../../core/decimal.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import { AccountSampler } from "./account-sampler.js";

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1000;

function sampler(): { s: AccountSampler; points: number[]; reads: () => number } {
  const points: number[] = [];
  let reads = 0;
  const account: AccountState = {
    equity: Decimal.ONE,
    realized: Decimal.ZERO,
    unrealized: Decimal.ZERO,
    fees: Decimal.ZERO,
    funding: Decimal.ZERO,
    positionNotional: Decimal.ZERO,
  };
  const s = new AccountSampler(
    () => {
      reads++;
      return account;
    },
    (ts) => points.push((ts - T0) / S),
  );
  return { s, points, reads: () => reads };
}

describe("AccountSampler", () => {
  it("samples the first event of each minute, every event with fills, and nothing else", () => {
    const { s, points, reads } = sampler();
    s.afterEvent(T0); // first minute: point
    s.afterEvent(T0 + 10 * S);
    s.afterEvent(T0 + 59_999); // same minute
    s.afterEvent(T0 + 60 * S); // next minute: point
    s.fillBooked();
    s.fillBooked();
    s.afterEvent(T0 + 61 * S); // two fills: one point after the event
    s.afterEvent(T0 + 61 * S); // no fill, same minute
    s.afterEvent(T0 + 200 * S); // minute 3 (minute 2 had no data): point
    s.end(); // the last event already has its point
    assert.deepEqual(points, [0, 60, 61, 200]);
    assert.equal(reads(), 4, "the account is read only for points");
    assert.equal(s.points, 4);
  });

  it("adds a last point at the last event when it had none, once", () => {
    const { s, points } = sampler();
    s.afterEvent(T0);
    s.afterEvent(T0 + 30 * S);
    s.end();
    s.end();
    assert.deepEqual(points, [0, 30]);
  });

  it("a fill at the first event of a minute makes one point, and nothing without events", () => {
    const { s, points } = sampler();
    s.end();
    assert.deepEqual(points, []);
    s.fillBooked();
    s.afterEvent(T0 + 120 * S);
    s.afterEvent(T0 + 121 * S);
    s.end();
    assert.deepEqual(points, [120, 121]);
  });

  it("refuses a non-positive interval", () => {
    assert.throws(
      () =>
        new AccountSampler(
          () => ({}) as AccountState,
          () => {},
          0,
        ),
      RangeError,
    );
  });
});
