import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import {
  freePort,
  RedisServerProcess,
  redisServerAvailable,
  waitFor,
} from "../../../test/support/redis-server-process.js";
import { skipUnless } from "../../../test/support/required-tool.js";
import { HaRole, type HaStateHolder } from "./ha-state.js";
import { LeaderElector } from "./leader-elector.js";

const TTL = 600;
const RENEW = 150;
const HAVE_REDIS = redisServerAvailable();
const SKIP = skipUnless(HAVE_REDIS, "redis-server is not installed; HA election tests skipped");
if (!HAVE_REDIS) console.log("# SKIP leader-elector: redis-server is not on PATH");

let keySeq = 0;
function freshKey(): string {
  keySeq += 1;
  return `grinder:test:lock:${process.pid}:${keySeq}`;
}

function makeElector(
  url: string,
  id: string,
  lockKey: string,
  monotonicMs?: () => number,
): LeaderElector {
  return new LeaderElector({
    redisUrl: url,
    instanceId: id,
    lockKey,
    epochKey: `${lockKey}:epoch`,
    lockTtlMs: TTL,
    renewIntervalMs: RENEW,
    commandTimeoutMs: 250,
    reconnectDelayMs: 50,
    ...(monotonicMs !== undefined ? { monotonicMs } : {}),
  });
}

/**
 * Watches several instances and records every moment at which more than one
 * is ACTIVE: on each role change (exact) and by sampling every 2 ms.
 */
class SplitBrainChecker {
  readonly violations: string[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly states: readonly HaStateHolder[]) {
    this.unsubscribe = states.map((s) => s.onRoleChange(() => this.check("change")));
    this.timer = setInterval(() => this.check("sample"), 2);
  }

  activeCount(): number {
    return this.states.filter((s) => s.role === HaRole.ACTIVE).length;
  }

  private check(how: string): void {
    const n = this.activeCount();
    if (n > 1) this.violations.push(`${how}: ${n} ACTIVE at ${Date.now()}`);
  }

  close(): void {
    clearInterval(this.timer);
    for (const u of this.unsubscribe) u();
  }
}

describe("LeaderElector configuration", () => {
  it("rejects a renewal interval that does not fit inside the TTL", () => {
    const base = { redisUrl: "redis://127.0.0.1:1/0", instanceId: "a" };
    assert.throws(
      () => new LeaderElector({ ...base, lockTtlMs: 600, renewIntervalMs: 600 }),
      /renewIntervalMs \(600\) must be below lockTtlMs \(600\)/,
    );
    // 540 + margin 60 reaches the TTL.
    assert.throws(() => new LeaderElector({ ...base, lockTtlMs: 600, renewIntervalMs: 540 }));
    assert.doesNotThrow(() => new LeaderElector({ ...base, lockTtlMs: 600, renewIntervalMs: 539 }));
    assert.throws(() => new LeaderElector({ ...base, lockTtlMs: 0, renewIntervalMs: 1 }));
  });

  it("starts UNKNOWN and becomes STANDBY (not ACTIVE) when Redis is unreachable", async () => {
    const port = await freePort();
    const e = makeElector(`redis://127.0.0.1:${port}/0`, "lonely", freshKey());
    assert.equal(e.state.role, HaRole.UNKNOWN);
    e.start();
    try {
      assert.equal(e.state.role, HaRole.STANDBY);
      await new Promise((r) => setTimeout(r, 4 * RENEW));
      assert.equal(e.state.role, HaRole.STANDBY);
      assert.equal(e.isActive(), false);
    } finally {
      await e.stop();
    }
  });
});

describe("LeaderElector against a private redis-server", { skip: SKIP }, () => {
  let redis: RedisServerProcess;
  let admin: Redis;

  before(async () => {
    redis = new RedisServerProcess(await freePort());
    await redis.start();
    admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    admin.on("error", () => {}); // expected while the test stops Redis
    await admin.connect();
  });

  after(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it("elects exactly one of two instances and holds the lock with a TTL", async () => {
    const key = freshKey();
    const a = makeElector(redis.url, "inst-a", key);
    const b = makeElector(redis.url, "inst-b", key);
    const checker = new SplitBrainChecker([a.state, b.state]);
    a.start();
    b.start();
    try {
      await waitFor(() => checker.activeCount() === 1, 3000, "one ACTIVE");
      // Stays exactly one over several renewals.
      await new Promise((r) => setTimeout(r, 5 * RENEW));
      assert.equal(checker.activeCount(), 1);
      const leader = a.state.role === HaRole.ACTIVE ? a : b;
      const follower = leader === a ? b : a;
      assert.equal(await admin.get(key), leader.instanceId);
      const pttl = await admin.pttl(key);
      assert.ok(pttl > 0 && pttl <= TTL, `pttl ${pttl}`);
      assert.equal(follower.state.get().lockHolder, leader.instanceId);
      assert.equal(leader.isActive(), true);
      assert.equal(follower.isActive(), false);
    } finally {
      checker.close();
      await a.stop();
      await b.stop();
    }
    assert.deepEqual(checker.violations, []);
    assert.equal(await admin.exists(key), 0, "lock released on shutdown");
  });

  it("hands over within the TTL when the ACTIVE instance stops", async () => {
    const key = freshKey();
    const a = makeElector(redis.url, "inst-a", key);
    const b = makeElector(redis.url, "inst-b", key);
    const checker = new SplitBrainChecker([a.state, b.state]);
    a.start();
    await waitFor(() => a.state.role === HaRole.ACTIVE, 3000, "a ACTIVE");
    b.start();
    try {
      await new Promise((r) => setTimeout(r, TTL + 2 * RENEW)); // b past its grace period
      assert.equal(b.state.role, HaRole.STANDBY);
      const t0 = Date.now();
      await a.stop();
      assert.equal(a.state.role, HaRole.STANDBY);
      await waitFor(() => b.state.role === HaRole.ACTIVE, TTL, "b ACTIVE within the TTL");
      assert.ok(Date.now() - t0 <= TTL);
      // Each acquisition is a new fencing epoch: a's lease was 1, b's is 2.
      assert.equal(a.epoch, 1);
      assert.equal(b.epoch, 2);
      assert.equal(await admin.get(`${key}:epoch`), "2");
      assert.equal(b.state.get().epoch, 2);
    } finally {
      checker.close();
      await a.stop();
      await b.stop();
    }
    assert.deepEqual(checker.violations, []);
  });

  it("a process paused past its lease may not write when it resumes, before any timer runs", async () => {
    const key = freshKey();
    let pausedFor = 0;
    const a = makeElector(redis.url, "inst-a", key, () => performance.now() + pausedFor);
    a.start();
    try {
      await waitFor(() => a.state.role === HaRole.ACTIVE, 3000, "a ACTIVE");
      assert.equal(a.mayWrite(), true);
      assert.ok(a.leaseRemainingMs() > 0);
      // As after SIGSTOP: the monotonic clock moved on past the lease, and the
      // first code to run asks before writing. The role flag still says ACTIVE.
      pausedFor = TTL;
      assert.equal(a.state.role, HaRole.ACTIVE);
      assert.equal(a.mayWrite(), false);
      assert.equal(a.leaseRemainingMs(), 0);
    } finally {
      await a.stop({ release: false });
    }
  });

  it("after a crash (no release) the standby takes over only once the lock expired", async () => {
    const key = freshKey();
    const a = makeElector(redis.url, "inst-a", key);
    const b = makeElector(redis.url, "inst-b", key);
    const checker = new SplitBrainChecker([a.state, b.state]);
    a.start();
    await waitFor(() => a.state.role === HaRole.ACTIVE, 3000, "a ACTIVE");
    b.start();
    try {
      await new Promise((r) => setTimeout(r, TTL + 2 * RENEW));
      await a.stop({ release: false });
      assert.equal(await admin.get(key), "inst-a", "lock left behind");
      const waited = await waitFor(
        () => b.state.role === HaRole.ACTIVE,
        TTL + 3 * RENEW,
        "b ACTIVE after expiry",
      );
      assert.ok(waited <= TTL + 3 * RENEW);
      assert.equal(await admin.get(key), "inst-b");
    } finally {
      checker.close();
      await b.stop();
    }
    assert.deepEqual(checker.violations, []);
  });

  it("drops to STANDBY at the next renewal when the lock is taken away", async () => {
    const key = freshKey();
    const a = makeElector(redis.url, "inst-a", key);
    a.start();
    try {
      await waitFor(() => a.state.role === HaRole.ACTIVE, 3000, "a ACTIVE");
      await admin.set(key, "intruder", "PX", 5000);
      await waitFor(() => a.state.role === HaRole.STANDBY, 3 * RENEW, "a STANDBY");
      await waitFor(() => a.state.get().lockHolder === "intruder", 3 * RENEW, "holder seen");
      // Its compare-and-extend did not touch the intruder's lock, nor does its release.
      await a.stop();
      assert.equal(await admin.get(key), "intruder");
    } finally {
      await a.stop();
      await admin.del(key);
    }
  });

  it("Redis down: both STANDBY; Redis back: exactly one ACTIVE; never two", async () => {
    const key = freshKey();
    const a = makeElector(redis.url, "inst-a", key);
    const b = makeElector(redis.url, "inst-b", key);
    const checker = new SplitBrainChecker([a.state, b.state]);
    a.start();
    b.start();
    try {
      await waitFor(() => checker.activeCount() === 1, 3000, "one ACTIVE");
      await redis.stop();
      await waitFor(
        () => a.state.role === HaRole.STANDBY && b.state.role === HaRole.STANDBY,
        TTL,
        "both STANDBY once Redis is gone",
      );
      await new Promise((r) => setTimeout(r, 3 * RENEW));
      assert.equal(checker.activeCount(), 0);
      await redis.start();
      await waitFor(() => checker.activeCount() === 1, 5000, "one ACTIVE after restart");
      await new Promise((r) => setTimeout(r, 4 * RENEW));
      assert.equal(checker.activeCount(), 1);
      if (admin.status !== "ready") await waitFor(() => admin.status === "ready", 3000, "admin");
      const holder = await admin.get(key);
      const leader = a.state.role === HaRole.ACTIVE ? a : b;
      assert.equal(holder, leader.instanceId);
    } finally {
      checker.close();
      await a.stop();
      await b.stop();
    }
    assert.deepEqual(checker.violations, []);
  });
});
