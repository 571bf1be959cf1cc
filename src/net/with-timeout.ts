/** Run an async operation under a deadline, failing with a ConnectorTimeoutError naming it. */

import { ConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { realTimers, type Timers } from "./timers.js";

/**
 * Run `operation` with a deadline of `timeoutMs` (0 or less: no deadline).
 * On expiry the signal handed to the operation is aborted (so it can release
 * sockets) and the returned promise rejects with `ConnectorTimeoutError(op)`.
 */
export function withTimeout<T>(
  op: string,
  timeoutMs: number,
  operation: (signal: AbortSignal) => Promise<T>,
  timers: Timers = realTimers,
): Promise<T> {
  const controller = new AbortController();
  if (timeoutMs <= 0) return operation(controller.signal);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const handle = timers.setTimeout(() => {
      if (settled) return;
      settled = true;
      const err = new ConnectorTimeoutError(op, timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
    operation(controller.signal).then(
      (v) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(handle);
        resolve(v);
      },
      (e: unknown) => {
        if (settled) return;
        settled = true;
        timers.clearTimeout(handle);
        reject(e);
      },
    );
  });
}
