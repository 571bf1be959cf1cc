/** Retry an async operation under a RetryPolicy with an injectable sleep. */

import type { RandomSource } from "../core/backoff.js";
import type { Sleep } from "../core/clock.js";
import { realSleep } from "./clock.js";
import { type ConnectorMetrics, getConnectorMetrics } from "./connector-metrics.js";
import { isConnectorClosedError } from "./errors/connector-closed-error.js";
import { isConnectorIOError } from "./errors/connector-io-error.js";
import { isConnectorNonRetryableError } from "./errors/connector-non-retryable-error.js";
import { isConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { isConnectorTransientError } from "./errors/connector-transient-error.js";
import { systemRandom } from "./random.js";
import { type RetryPolicy, retryDelayMs } from "./retry-policy.js";

export interface RetryStats {
  attempts: number;
  retries: number;
  totalDelayMs: number;
  lastError: unknown;
  errors: unknown[];
}

/**
 * Transient errors always retry; timeouts when the policy says so; everything
 * else (non-retryable, closed, conflicts, open circuits, unknown errors) fails fast.
 */
export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (isConnectorTransientError(error)) return true;
  if (isConnectorTimeoutError(error)) return policy.retryOnTimeout;
  if (isConnectorNonRetryableError(error) || isConnectorClosedError(error)) return false;
  return false;
}

function retryReason(error: unknown): string {
  if (isConnectorTransientError(error)) return "transient";
  if (isConnectorTimeoutError(error)) return "timeout";
  return "other";
}

export interface RetryOptions {
  sleep?: Sleep;
  /** Jitter source (default systemRandom). */
  random?: RandomSource;
  /** Called before each retry with the 0-based attempt that failed, its error and the delay. */
  onRetry?: (attempt: number, error: unknown, delayMs: number) => void;
  metrics?: ConnectorMetrics;
}

/**
 * Run `operation` until it succeeds, the error is not retryable, or attempts
 * run out (then the last error is rethrown). The delay after a failure is the
 * policy backoff, raised to the error's Retry-After when the exchange sent one.
 */
export async function retryWithPolicy<T>(
  opName: string,
  operation: () => Promise<T>,
  policy: RetryPolicy,
  options: RetryOptions = {},
): Promise<{ result: T; stats: RetryStats }> {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? systemRandom;
  const metrics = options.metrics ?? getConnectorMetrics();
  const stats: RetryStats = {
    attempts: 0,
    retries: 0,
    totalDelayMs: 0,
    lastError: undefined,
    errors: [],
  };
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    stats.attempts = attempt + 1;
    try {
      const result = await operation();
      return { result, stats };
    } catch (e) {
      stats.errors.push(e);
      stats.lastError = e;
      if (!isRetryable(e, policy) || attempt + 1 >= policy.maxAttempts) throw e;
      const retryAfterMs = isConnectorIOError(e) ? e.retryAfterMs : undefined;
      const delayMs = retryDelayMs(policy, attempt, random, retryAfterMs);
      stats.retries += 1;
      stats.totalDelayMs += delayMs;
      metrics.recordRetry(opName, retryReason(e));
      options.onRetry?.(attempt, e, delayMs);
      await sleep(delayMs);
    }
  }
  /* c8 ignore next */
  throw new Error("unreachable: retry loop ended");
}
