/** The real random source of the adapters (jitter); tests inject a SeededRandom instead. */

import type { RandomSource } from "../core/backoff.js";

export const systemRandom: RandomSource = () => Math.random();
