/** Reconnect backoff of a data connector: exponential with a cap and jitter (retryDelayMs). */

import type { RetryBackoff } from "./retry-policy.js";

export interface RetryConfig extends RetryBackoff {
  /** Reconnect attempts per outage (0 = give up at once). */
  readonly maxRetries: number;
}

export const DEFAULT_RETRY_CONFIG: RetryConfig = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30000,
  backoffMultiplier: 2.0,
  jitter: "equal",
});

export function makeRetryConfig(p: Partial<RetryConfig> = {}): RetryConfig {
  return Object.freeze({ ...DEFAULT_RETRY_CONFIG, ...p });
}
