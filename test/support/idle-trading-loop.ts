/**
 * A trading loop that trades nothing: it marks the process up and waits for
 * shutdown, so the endpoints and metrics of a live run work on their own.
 * Uptime is computed at each scrape from the runtime's clock.
 */

import type { TradingLoop, TradingLoopContext } from "../../src/runtime/live/trading-loop.js";

export function createIdleTradingLoop(ctx: TradingLoopContext): TradingLoop {
  return {
    start(signal: AbortSignal): Promise<void> {
      ctx.metrics.setUp(true);
      ctx.log(`trading loop: idle (no orders); role ${ctx.role()}`);
      if (signal.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        signal.addEventListener("abort", () => resolve(), { once: true });
      });
    },
    onRoleChange(_role: string): void {
      // Nothing to start or stop.
    },
  };
}
