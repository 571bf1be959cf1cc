/** Retry policy of an operation: attempts, exponential backoff with a cap and jitter. */

import { backoffDelayMs, type Jitter, type RandomSource } from "../core/backoff.js";
import { ConfigError } from "../core/errors.js";

/** The backoff fields that RetryPolicy and the connectors' RetryConfig share. */
export interface RetryBackoff {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 1.0 = constant delay. */
  readonly backoffMultiplier: number;
  /** Spread of each delay (src/core/backoff.ts); "equal" by default. */
  readonly jitter: Jitter;
}

export interface RetryPolicy extends RetryBackoff {
  /** Total attempts (1 = no retries). */
  readonly maxAttempts: number;
  /** Retry ConnectorTimeoutError (writes resolve status first, see the exchange port). */
  readonly retryOnTimeout: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 5000,
  backoffMultiplier: 2.0,
  jitter: "equal",
  retryOnTimeout: true,
});

/** Build a policy, validating every field (all problems reported at once). */
export function makeRetryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...p };
  const problems: string[] = [];
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1)
    problems.push("max_attempts must be >= 1");
  if (policy.baseDelayMs < 0) problems.push("base_delay_ms must be >= 0");
  if (policy.maxDelayMs < policy.baseDelayMs)
    problems.push("max_delay_ms must be >= base_delay_ms");
  if (policy.backoffMultiplier < 1.0) problems.push("backoff_multiplier must be >= 1.0");
  if (problems.length > 0) throw new ConfigError(problems.join("; "));
  return Object.freeze(policy);
}

/**
 * Delay after failed attempt `attempt` (0-based): backoffDelayMs over the
 * policy's fields, never below the server's `retryAfterMs` when given.
 */
export function retryDelayMs(
  b: RetryBackoff,
  attempt: number,
  random: RandomSource,
  retryAfterMs?: number,
): number {
  return backoffDelayMs(
    attempt,
    {
      baseMs: b.baseDelayMs,
      maxMs: b.maxDelayMs,
      multiplier: b.backoffMultiplier,
      jitter: b.jitter,
    },
    random,
    retryAfterMs,
  );
}
