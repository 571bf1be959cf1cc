/**
 * Epoch timestamps of Binance dumps. Most files use milliseconds; spot files
 * from 2025-01-01 on use microseconds. The unit is told by magnitude, per
 * value: below 1e14 is milliseconds (1e14 ms is the year 5138), from 1e14 up
 * to 2^53 is microseconds (converted to ms by flooring, so sub-millisecond
 * order is kept only as file order). Values below 1e11 (1973; typically
 * seconds) or from 2^53 (e.g. nanoseconds) are rejected.
 */

export const MICROS_THRESHOLD = 1e14;
const MIN_MS = 1e11;
/** Exclusive upper bound: beyond 2^53 a double no longer holds every integer. */
const MAX_US = Number.MAX_SAFE_INTEGER;

export interface EpochMs {
  readonly ms: number;
  /** Whether the raw value was in microseconds. */
  readonly micros: boolean;
}

const DIGITS = /^\d{1,16}$/;

/** Parse an epoch column to milliseconds; undefined when it is not a plausible ms/µs timestamp. */
export function parseEpochMs(text: string): EpochMs | undefined {
  if (!DIGITS.test(text)) return undefined;
  const v = Number(text);
  if (v < MIN_MS || v >= MAX_US) return undefined;
  if (v >= MICROS_THRESHOLD) return { ms: (v - (v % 1000)) / 1000, micros: true };
  return { ms: v, micros: false };
}

/** What parseEpochMs accepts, for error messages. */
export const EPOCH_EXPECTED =
  "an epoch timestamp in milliseconds (1e11..1e14) or microseconds (1e14..2^53)";
