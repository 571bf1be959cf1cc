/**
 * Idempotency store for write operations: a key moves INFLIGHT -> DONE (result
 * cached) or INFLIGHT -> FAILED (retry allowed). Entries expire after a TTL on
 * the injected clock.
 */

import type { Clock } from "../../core/clock.js";
import { systemClock } from "../../net/clock.js";

export const IdempotencyStatus = {
  INFLIGHT: "INFLIGHT",
  DONE: "DONE",
  FAILED: "FAILED",
} as const;
export type IdempotencyStatus = (typeof IdempotencyStatus)[keyof typeof IdempotencyStatus];

export interface IdempotencyEntry {
  readonly key: string;
  readonly status: IdempotencyStatus;
  readonly opName: string;
  readonly requestFingerprint: string;
  /** Clock ms when first stored. */
  readonly createdAtMs: number;
  /** Clock ms after which the entry is gone. */
  readonly expiresAtMs: number;
  readonly result?: unknown;
  readonly errorCode?: string;
}

export interface IdempotencyStats {
  hits: number;
  misses: number;
  conflicts: number;
  expirations: number;
  totalEntries: number;
}

/** Storage contract; the in-memory store below is the reference implementation. */
export interface IdempotencyStore {
  /** The live entry for `key`, or undefined when absent or expired. */
  get(key: string): IdempotencyEntry | undefined;
  /**
   * Store `entry` (stamped with now and now + ttl) when the key is absent,
   * expired or FAILED. Returns false for a live INFLIGHT (conflict) or DONE (hit).
   */
  putIfAbsent(
    key: string,
    entry: Pick<IdempotencyEntry, "key" | "status" | "opName" | "requestFingerprint">,
    ttlMs: number,
  ): boolean;
  markDone(key: string, result: unknown): void;
  markFailed(key: string, errorCode: string): void;
  purgeExpired(nowMs: number): number;
  readonly stats: IdempotencyStats;
}

export interface InMemoryIdempotencyStoreOptions {
  readonly clock?: Clock;
  /** TTL applied by markDone. Default 24 h. */
  readonly doneTtlMs?: number;
}

export class InMemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, IdempotencyEntry>();
  private readonly clock: Clock;
  readonly doneTtlMs: number;
  private counters: IdempotencyStats = {
    hits: 0,
    misses: 0,
    conflicts: 0,
    expirations: 0,
    totalEntries: 0,
  };

  constructor(options: InMemoryIdempotencyStoreOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.doneTtlMs = options.doneTtlMs ?? 86_400_000;
  }

  get(key: string): IdempotencyEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAtMs <= this.clock.nowMs()) {
      this.entries.delete(key);
      this.counters.expirations += 1;
      return undefined;
    }
    return entry;
  }

  putIfAbsent(
    key: string,
    entry: Pick<IdempotencyEntry, "key" | "status" | "opName" | "requestFingerprint">,
    ttlMs: number,
  ): boolean {
    const now = this.clock.nowMs();
    const existing = this.entries.get(key);
    if (existing !== undefined) {
      if (existing.expiresAtMs > now) {
        if (existing.status === IdempotencyStatus.INFLIGHT) {
          this.counters.conflicts += 1;
          return false;
        }
        if (existing.status === IdempotencyStatus.DONE) {
          this.counters.hits += 1;
          return false;
        }
        // FAILED: overwrite, a retry is allowed.
      } else {
        this.counters.expirations += 1;
      }
    }
    this.entries.set(key, {
      key: entry.key,
      status: entry.status,
      opName: entry.opName,
      requestFingerprint: entry.requestFingerprint,
      createdAtMs: now,
      expiresAtMs: now + ttlMs,
    });
    this.counters.misses += 1;
    return true;
  }

  markDone(key: string, result: unknown): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.set(key, {
      ...entry,
      status: IdempotencyStatus.DONE,
      expiresAtMs: this.clock.nowMs() + this.doneTtlMs,
      result,
      errorCode: undefined,
    });
  }

  markFailed(key: string, errorCode: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    // Keeps the in-flight expiry.
    this.entries.set(key, {
      ...entry,
      status: IdempotencyStatus.FAILED,
      result: undefined,
      errorCode,
    });
  }

  purgeExpired(nowMs: number): number {
    let n = 0;
    for (const [k, v] of this.entries) {
      if (v.expiresAtMs <= nowMs) {
        this.entries.delete(k);
        n += 1;
      }
    }
    this.counters.expirations += n;
    return n;
  }

  get stats(): IdempotencyStats {
    return { ...this.counters, totalEntries: this.entries.size };
  }

  reset(): void {
    this.entries.clear();
    this.counters = { hits: 0, misses: 0, conflicts: 0, expirations: 0, totalEntries: 0 };
  }
}
