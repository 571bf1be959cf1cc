/** Deadlines for connector operations, in milliseconds (0 = none, not for production). */
export interface TimeoutConfig {
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly closeTimeoutMs: number;
}

export const DEFAULT_TIMEOUT_CONFIG: TimeoutConfig = Object.freeze({
  connectTimeoutMs: 5000,
  readTimeoutMs: 10000,
  writeTimeoutMs: 5000,
  closeTimeoutMs: 5000,
});

export function makeTimeoutConfig(p: Partial<TimeoutConfig> = {}): TimeoutConfig {
  return Object.freeze({ ...DEFAULT_TIMEOUT_CONFIG, ...p });
}
