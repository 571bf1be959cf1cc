/**
 * The real time sources (an adapter: wall clock and timers). The types and
 * the test clock are in src/core/clock.ts; every adapter takes them injected.
 */

import type { Clock, Sleep } from "../core/clock.js";

export const systemClock: Clock = { nowMs: () => Date.now() };

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
