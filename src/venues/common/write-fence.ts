/**
 * HA fencing of exchange writes. An instance may write only while it holds
 * the lease, by its own lease deadline (not a role flag that a paused process
 * has not yet updated). A venue checks the fence before every attempt of a
 * write, retries included, and its retry waits end when the fence's signal
 * aborts (the lease was lost), so a deposed leader's in-flight request loop
 * stops instead of sending on.
 */

import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";

export interface WriteFence {
  /** True while this instance may write (HA off, or its lease still runs). */
  mayWrite(): boolean;
  /** Aborts when the lease is lost (undefined: nothing to abort). */
  readonly signal: AbortSignal | undefined;
}

/** A write refused because this instance no longer holds the lease. */
export class WriteFencedError extends ConnectorNonRetryableError {
  readonly fenced = true as const;
  constructor(op: string) {
    super(`${op}: refused, this instance no longer holds the HA lease (fenced)`);
  }
}

export function isWriteFencedError(e: unknown): e is WriteFencedError {
  return e instanceof WriteFencedError;
}
