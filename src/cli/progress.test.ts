import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createProgress, formatDuration, ProgressBar } from "./progress.js";

function fake(total?: number): { bar: ProgressBar; out: string[]; clock: { t: number } } {
  const out: string[] = [];
  const clock = { t: 1000 };
  const bar = new ProgressBar({
    write: (s) => out.push(s),
    now: () => clock.t,
    label: "paper",
    total,
  });
  return { bar, out, clock };
}

describe("ProgressBar", () => {
  it("shows count, rate and ETA when the total is known", () => {
    const { bar, out, clock } = fake(10_000);
    clock.t += 2000; // 2 s for 2,500 events: 1,250/s, 7,500 left -> 6 s
    bar.update(2500);
    assert.equal(out.length, 1);
    assert.equal(out[0], "\r\x1b[Kpaper 2,500/10,000 events (25.0%)  1,250 events/s  ETA 0:06");
  });

  it("shows processed and rate only when the total is unknown", () => {
    const { bar, out, clock } = fake();
    clock.t += 500;
    bar.update(300, "BTCUSDT");
    assert.equal(out[0], "\r\x1b[Kpaper 300 events  600 events/s  BTCUSDT");
  });

  it("redraws at most every 100 ms", () => {
    const { bar, out, clock } = fake(1000);
    for (let i = 1; i <= 1000; i++) {
      clock.t += 1; // 1 s in all
      bar.update(i);
    }
    // First call draws, then one every 100 ms: at t=1, 101, ..., 901.
    assert.equal(bar.draws, 10);
    assert.equal(out.length, 10);
  });

  it("clears its line at the end, and writes nothing if it never drew", () => {
    const a = fake(10);
    a.clock.t += 10;
    a.bar.update(1);
    a.bar.done();
    assert.equal(a.out.at(-1), "\r\x1b[K");
    const b = fake(10);
    b.bar.done();
    assert.deepEqual(b.out, []);
  });

  it("restarts the rate and takes a new total on a new phase", () => {
    const { bar, out, clock } = fake();
    clock.t += 1000;
    bar.update(100);
    bar.phase("trading", 400);
    clock.t += 1000;
    bar.update(200);
    assert.equal(out[1], "\r\x1b[Ktrading 200/400 events (50.0%)  200 events/s  ETA 0:01");
  });

  it("cuts the line to the terminal width", () => {
    const out: string[] = [];
    const bar = new ProgressBar({
      write: (s) => out.push(s),
      now: () => 0,
      label: "x",
      columns: 13,
    });
    bar.update(123456);
    assert.equal(out[0], "\r\x1b[Kx 123,456 ev");
  });

  it("formats durations", () => {
    assert.equal(formatDuration(0), "0:00");
    assert.equal(formatDuration(59.6), "1:00");
    assert.equal(formatDuration(3725), "1:02:05");
  });

  it("is a no-op when not enabled", () => {
    const p = createProgress(false, "x", { total: 5 });
    p.update(1);
    p.phase("y");
    p.done();
    assert.ok(!(p instanceof ProgressBar));
  });
});
