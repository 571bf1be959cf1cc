/**
 * HA fencing of exchange writes. An instance may write only while it holds
 * the lease, by its own lease deadline (not a role flag that a paused process
 * has not yet updated). A venue checks the fence before every attempt of a
 * write, retries included, and its retry waits end when the fence's signal
 * aborts (the lease was lost), so a deposed leader's in-flight request loop
 * stops instead of sending on.
 */

import type { RandomSource } from "../../core/backoff.js";
import type { Sleep } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import type { CircuitBreaker } from "../../net/circuit-breaker.js";
import type { ConnectorMetrics } from "../../net/connector-metrics.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { retryWithPolicy } from "../../net/retry.js";
import type { RetryPolicy } from "../../net/retry-policy.js";

export interface WriteFence {
  /** True while this instance may write (HA off, or its lease still runs). */
  mayWrite(): boolean;
  /** Aborts when the lease is lost (undefined: nothing to abort). */
  readonly signal: AbortSignal | undefined;
}

/** A write refused because this instance no longer holds the lease. */
export class WriteFencedError extends ConnectorNonRetryableError {
  readonly fenced = true as const;
  constructor(op: string) {
    super(`${op}: refused, this instance no longer holds the HA lease (fenced)`);
  }
}

export function isWriteFencedError(e: unknown): e is WriteFencedError {
  return e instanceof WriteFencedError;
}

/** What a guarded write goes through, besides the fence. */
export interface WritePath {
  readonly breaker: CircuitBreaker;
  readonly retryPolicy: RetryPolicy;
  readonly sleep: Sleep;
  readonly random: RandomSource;
  readonly metrics: ConnectorMetrics;
}

/**
 * One exchange write through the fence (checked before every attempt), the
 * circuit breaker and the retry policy (whose waits end when the fence's
 * signal aborts).
 */
export function guardedWrite<T>(
  op: string,
  fn: () => Promise<T>,
  path: WritePath,
  fence: WriteFence | undefined,
): Promise<T> {
  const signal = fence?.signal;
  const { breaker, sleep } = path;
  return retryWithPolicy(
    op,
    async () => {
      if (fence !== undefined && (!fence.mayWrite() || signal?.aborted === true))
        throw new WriteFencedError(op);
      breaker.beforeCall(op);
      try {
        const r = await fn();
        breaker.recordSuccess(op);
        return r;
      } catch (e) {
        if (breaker.shouldTrip(e)) breaker.recordFailure(op, errorMessage(e));
        throw e;
      }
    },
    path.retryPolicy,
    {
      sleep: signal === undefined ? sleep : (ms) => sleep(ms, signal),
      random: path.random,
      metrics: path.metrics,
    },
  ).then((r) => r.result);
}
