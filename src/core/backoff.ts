/**
 * The one backoff rule of every retry and reconnect loop: exponential, capped,
 * with jitter drawn from an injected random source (the adapters pass
 * `systemRandom` from src/net/random.ts; tests pass a SeededRandom), and never
 * shorter than the Retry-After a server asked for.
 */

/**
 * "none": the capped exponential delay itself; "full": uniform in [0, delay];
 * "equal": uniform in [ceil(delay / 2), delay].
 */
export const JITTERS = ["none", "full", "equal"] as const;
export type Jitter = (typeof JITTERS)[number];

export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** 1 = constant delay. */
  readonly multiplier: number;
  readonly jitter: Jitter;
}

/** Uniform in [0, 1), like Math.random. */
export type RandomSource = () => number;

/**
 * Delay in whole ms after failed attempt `attempt` (0-based; a negative one
 * counts as 0): `min(trunc(baseMs * multiplier ** attempt), maxMs)`, jittered,
 * then raised to `retryAfterMs` when given. "none" draws no random number.
 */
export function backoffDelayMs(
  attempt: number,
  o: BackoffOptions,
  random: RandomSource,
  retryAfterMs?: number,
): number {
  const capped = Math.min(Math.trunc(o.baseMs * o.multiplier ** Math.max(0, attempt)), o.maxMs);
  const delay = Math.max(0, capped);
  let jittered = delay;
  if (o.jitter !== "none") {
    const lo = o.jitter === "full" ? 0 : Math.ceil(delay / 2);
    jittered = Math.min(delay, lo + Math.floor(random() * (delay - lo + 1)));
  }
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.ceil(retryAfterMs));
}
