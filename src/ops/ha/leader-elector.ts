/**
 * Single-active leader election over a Redis lease lock.
 *
 * The lock is one key (`grinder:leader:lock`) holding the owner's instance id
 * with a TTL. A standby takes it with `SET key id NX PX ttl`; the owner keeps
 * it with an atomic compare-and-extend script and gives it back on shutdown
 * with an atomic compare-and-delete, so nobody can extend or delete a lock it
 * does not hold.
 *
 * Safety (never two ACTIVE):
 * - This instance is ACTIVE only inside a local lease that ends a safety
 *   margin before the earliest moment the key can expire in Redis (measured
 *   from when the acquiring or renewing command was sent). A watchdog demotes
 *   it at the end of the lease if no renewal confirmed a new one.
 * - Any failed or unanswered renewal, a lost lock, or a dropped connection
 *   demotes to STANDBY at once; with Redis unreachable every instance is
 *   STANDBY.
 * - After every (re)connection an instance waits one TTL before trying to
 *   acquire, so a Redis that restarted empty cannot hand the lock to a second
 *   instance while a cut-off former owner's lease is still running.
 *
 * Fencing: every acquisition increments `grinder:leader:epoch` in the same
 * atomic step (INCR). That epoch is the fencing token of the lease: journal
 * lines and client order ids carry it, and `mayWrite()` reads the lease clock
 * (monotonic, so a process paused past its lease finds it expired when it
 * resumes), never a role flag.
 */

import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { backoffDelayMs, type RandomSource } from "../../core/backoff.js";
import { errorMessage } from "../../core/errors.js";
import { systemRandom } from "../../net/random.js";
import { withTimeout } from "../../net/with-timeout.js";
import {
  DEFAULT_EPOCH_KEY,
  DEFAULT_LOCK_KEY,
  leaseSafetyMarginMs,
  redactRedisUrl,
  validateLeaseTiming,
} from "./ha-config.js";
import { HaRole, HaStateHolder } from "./ha-state.js";

/** Extend the TTL only when the key still holds our id. Returns 1 or 0. */
const EXTEND_IF_OWNER = `if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("pexpire", KEYS[1], ARGV[2])
end
return 0`;

/** Take the lock when free, and then increment the epoch. Returns the new epoch, or 0. */
const ACQUIRE_WITH_EPOCH = `if redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
  return redis.call("incr", KEYS[2])
end
return 0`;

/** Delete the key only when it still holds our id. Returns 1 or 0. */
const DELETE_IF_OWNER = `if redis.call("get", KEYS[1]) == ARGV[1] then
  return redis.call("del", KEYS[1])
end
return 0`;

export interface LeaderElectorOptions {
  readonly redisUrl: string;
  readonly instanceId: string;
  readonly lockKey?: string;
  /** The fencing epoch counter; default `grinder:leader:epoch`. */
  readonly epochKey?: string;
  readonly lockTtlMs: number;
  readonly renewIntervalMs: number;
  /** State to drive; a new holder when omitted. */
  readonly state?: HaStateHolder;
  /** Wait after each (re)connection before acquiring; default one TTL. */
  readonly acquireGraceMs?: number;
  /** Limit on each Redis command; default the renewal interval. */
  readonly commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts; default min(1000, renewal interval). */
  readonly reconnectDelayMs?: number;
  /** Jitter source of the reconnect backoff (default systemRandom). */
  readonly random?: RandomSource;
  /** Monotonic milliseconds for lease arithmetic; default performance.now. */
  readonly monotonicMs?: () => number;
  /** Epoch milliseconds for `lastLockAttemptMs`; default Date.now. */
  readonly wallClockMs?: () => number;
  readonly log?: (line: string) => void;
}

export interface StopOptions {
  /** Give the lock back (default true). False leaves it to expire, as a crash would. */
  readonly release?: boolean;
}

export class LeaderElector {
  readonly state: HaStateHolder;
  readonly instanceId: string;
  readonly lockKey: string;
  readonly epochKey: string;
  readonly lockTtlMs: number;
  readonly renewIntervalMs: number;
  private readonly redisUrl: string;
  /** Epoch of the lease this instance holds or last held (0: never held). */
  private epochValue = 0;
  private readonly marginMs: number;
  private readonly graceMs: number;
  private readonly commandTimeoutMs: number;
  private readonly reconnectDelayMs: number;
  private readonly random: RandomSource;
  private readonly now: () => number;
  private readonly wallNow: () => number;
  private readonly log: (line: string) => void;

  private client: Redis | null = null;
  private running = false;
  /** We believe the key holds our id under a lease that has not ended. */
  private holding = false;
  private leaseEndsAt = 0;
  private acquireNotBefore = Number.POSITIVE_INFINITY;
  private tickTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private outageLogged = false;

  constructor(opts: LeaderElectorOptions) {
    validateLeaseTiming(opts.lockTtlMs, opts.renewIntervalMs);
    if (opts.instanceId === "") throw new Error("instanceId must not be empty");
    this.redisUrl = opts.redisUrl;
    this.instanceId = opts.instanceId;
    this.lockKey = opts.lockKey ?? DEFAULT_LOCK_KEY;
    this.epochKey = opts.epochKey ?? DEFAULT_EPOCH_KEY;
    this.lockTtlMs = opts.lockTtlMs;
    this.renewIntervalMs = opts.renewIntervalMs;
    this.marginMs = leaseSafetyMarginMs(opts.lockTtlMs);
    this.graceMs = opts.acquireGraceMs ?? opts.lockTtlMs;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? opts.renewIntervalMs;
    this.reconnectDelayMs = opts.reconnectDelayMs ?? Math.min(1000, opts.renewIntervalMs);
    this.random = opts.random ?? systemRandom;
    this.now = opts.monotonicMs ?? (() => performance.now());
    this.wallNow = opts.wallClockMs ?? (() => Date.now());
    this.log = opts.log ?? (() => {});
    this.state = opts.state ?? new HaStateHolder(opts.instanceId);
    this.state.update({ instanceId: opts.instanceId });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** ACTIVE and inside the local lease. */
  isActive(): boolean {
    return this.state.role === HaRole.ACTIVE && this.now() < this.leaseEndsAt;
  }

  /**
   * Whether this instance may write now (exchange orders, journal lines):
   * its lease, by the monotonic clock, has not ended. A process paused past
   * its lease resumes with this false, before any timer could demote it.
   */
  mayWrite(): boolean {
    return this.holding && this.now() < this.leaseEndsAt;
  }

  /** The fencing token of the current (or last) lease; 0 before the first acquisition. */
  get epoch(): number {
    return this.epochValue;
  }

  /** Milliseconds left in the lease (0 when none). */
  leaseRemainingMs(): number {
    return this.holding ? Math.max(0, this.leaseEndsAt - this.now()) : 0;
  }

  /**
   * Connect and start competing for the lock. Never throws for an unreachable
   * Redis: the instance stays STANDBY and keeps reconnecting.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.holding = false;
    this.acquireNotBefore = Number.POSITIVE_INFINITY;
    this.state.update({ role: HaRole.STANDBY, lockFailures: 0 });
    const client = new Redis(this.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      enableReadyCheck: true,
      connectTimeout: Math.max(this.commandTimeoutMs, 200),
      commandTimeout: this.commandTimeoutMs,
      retryStrategy: (times: number) =>
        backoffDelayMs(
          times - 1,
          {
            baseMs: Math.min(100, this.reconnectDelayMs),
            maxMs: this.reconnectDelayMs,
            multiplier: 2,
            jitter: "equal",
          },
          this.random,
        ),
    });
    this.client = client;
    client.on("ready", () => {
      if (!this.running) return;
      this.outageLogged = false;
      this.acquireNotBefore = this.now() + this.graceMs;
      this.log(
        `ha: connected to ${redactRedisUrl(this.redisUrl)} as ${this.instanceId}; ` +
          `may acquire the lock in ${this.graceMs} ms`,
      );
      this.scheduleTick(this.graceMs);
    });
    client.on("close", () => {
      if (!this.running) return;
      this.acquireNotBefore = Number.POSITIVE_INFINITY;
      this.demote("connection to Redis closed");
    });
    client.on("error", (e: unknown) => {
      if (!this.running || this.outageLogged) return;
      this.outageLogged = true;
      this.log(`ha: Redis error (${errorMessage(e)}); staying STANDBY and reconnecting`);
    });
    client.connect().catch(() => {
      // Reported through the error event; reconnection continues.
    });
    this.scheduleTick(this.renewIntervalMs);
  }

  /** Stop competing: STANDBY first, then give the lock back (when asked) and disconnect. */
  async stop(opts: StopOptions = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.tickTimer !== null) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    this.demote("stopping");
    const client = this.client;
    this.client = null;
    const inFlight = this.inFlight;
    if (inFlight !== null) {
      await withTimeout("redis in-flight command", this.commandTimeoutMs, () => inFlight).catch(
        () => {},
      );
    }
    if (client === null) return;
    if (opts.release !== false && client.status === "ready") {
      try {
        const r = await client.eval(DELETE_IF_OWNER, 1, this.lockKey, this.instanceId);
        if (r === 1) this.log(`ha: released the lock held by ${this.instanceId}`);
      } catch (e) {
        this.log(`ha: could not release the lock (${errorMessage(e)}); it expires by itself`);
      }
    }
    if (client.status === "ready") {
      await withTimeout("redis quit", this.commandTimeoutMs, () => client.quit()).catch(() => {});
    }
    client.disconnect();
  }

  private scheduleTick(delayMs: number): void {
    if (!this.running) return;
    if (this.tickTimer !== null) clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(
      () => {
        this.tickTimer = null;
        if (this.inFlight !== null) {
          this.scheduleTick(this.renewIntervalMs);
          return;
        }
        const run = this.tick().finally(() => {
          this.inFlight = null;
          this.scheduleTick(this.renewIntervalMs);
        });
        this.inFlight = run;
      },
      Math.max(0, delayMs),
    );
  }

  /** One acquire-or-renew attempt. */
  private async tick(): Promise<void> {
    const client = this.client;
    if (!this.running || client === null) return;
    if (client.status !== "ready") {
      this.demote("Redis not connected");
      return;
    }
    if (!this.holding && this.now() < this.acquireNotBefore) return;
    this.state.update({ lastLockAttemptMs: this.wallNow() });
    try {
      if (this.holding) {
        await this.extend(client, "lock lost (held by someone else or expired)");
      } else {
        const sentAt = this.now();
        const r = await client.eval(
          ACQUIRE_WITH_EPOCH,
          2,
          this.lockKey,
          this.epochKey,
          this.instanceId,
          String(this.lockTtlMs),
        );
        if (!this.running) return;
        if (typeof r === "number" && r > 0) {
          this.epochValue = r;
          this.state.update({ epoch: r });
          this.confirmLease(sentAt);
        } else {
          const holder = await client.get(this.lockKey);
          if (!this.running) return;
          if (holder === this.instanceId) {
            // Our own earlier lease whose renewal went unanswered: take it back.
            await this.extend(client, "lock lost");
          } else {
            this.state.update({ lockHolder: holder });
            this.demote(`lock held by ${holder ?? "nobody (expired meanwhile)"}`);
          }
        }
      }
      if (this.state.get().lockFailures !== 0) this.state.update({ lockFailures: 0 });
    } catch (e) {
      if (!this.running) return;
      this.demote(`lock attempt failed: ${errorMessage(e)}`);
      this.state.update({ lockFailures: this.state.get().lockFailures + 1 });
    }
  }

  private async extend(client: Redis, lostReason: string): Promise<void> {
    const sentAt = this.now();
    const r = await client.eval(
      EXTEND_IF_OWNER,
      1,
      this.lockKey,
      this.instanceId,
      String(this.lockTtlMs),
    );
    if (!this.running) return;
    if (r === 1) this.confirmLease(sentAt);
    else this.demote(lostReason);
  }

  /** The lock is ours until at least `sentAt + ttl` in Redis; be ACTIVE until a margin before. */
  private confirmLease(sentAt: number): void {
    if (!this.running) return;
    const endsAt = sentAt + this.lockTtlMs - this.marginMs;
    const left = endsAt - this.now();
    if (left <= 0) {
      this.demote("lock confirmed too late to trust the lease");
      return;
    }
    this.holding = true;
    this.leaseEndsAt = endsAt;
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.watchdog = null;
      this.demote("lease ran out before a renewal was confirmed");
    }, left);
    if (this.state.role !== HaRole.ACTIVE) {
      this.log(`ha: ${this.instanceId} is ACTIVE (holds ${this.lockKey})`);
    }
    this.state.update({ role: HaRole.ACTIVE, lockHolder: this.instanceId });
  }

  /** Become STANDBY now (fail-safe); the lease is forgotten. */
  private demote(reason: string): void {
    this.holding = false;
    this.leaseEndsAt = 0;
    if (this.watchdog !== null) clearTimeout(this.watchdog);
    this.watchdog = null;
    const was = this.state.role;
    if (was === HaRole.STANDBY) return;
    if (was === HaRole.ACTIVE) this.log(`ha: ${this.instanceId} is STANDBY: ${reason}`);
    this.state.update({ role: HaRole.STANDBY });
  }
}
