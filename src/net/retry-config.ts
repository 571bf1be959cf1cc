/** Reconnect backoff of a data connector: exponential with a cap. */
export interface RetryConfig {
  /** Reconnect attempts per outage (0 = give up at once). */
  readonly maxRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** 1.0 = constant delay. */
  readonly backoffMultiplier: number;
}

export const DEFAULT_RETRY_CONFIG: RetryConfig = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 1000,
  maxDelayMs: 30000,
  backoffMultiplier: 2.0,
});

export function makeRetryConfig(p: Partial<RetryConfig> = {}): RetryConfig {
  return Object.freeze({ ...DEFAULT_RETRY_CONFIG, ...p });
}

/** Delay before reconnect attempt `attempt` (0-based): base * mult^attempt, truncated, capped. */
export function reconnectDelayMs(config: RetryConfig, attempt: number): number {
  if (attempt < 0) return config.baseDelayMs;
  const delay = config.baseDelayMs * config.backoffMultiplier ** attempt;
  return Math.min(Math.trunc(delay), config.maxDelayMs);
}
