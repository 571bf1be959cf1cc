/** The market-data connector contract every source (fixture, WebSocket) implements. */

import type { Snapshot } from "../domain/snapshot.js";
import type { ConnectorState } from "../net/connector-state.js";

/**
 * A stream of Snapshots with an explicit lifecycle.
 *
 * Implementations guarantee: no duplicate delivery (by their idempotency rule),
 * timestamp order, clean termination at end of stream, and `close()` that is
 * safe to call more than once and leaves no sockets or timers behind.
 */
export interface DataConnector {
  readonly state: ConnectorState;
  /** Timestamp of the last delivered snapshot (undefined before the first). */
  readonly lastSeenTs: number | undefined;
  /** Open the source. Throws ConnectorTimeoutError("connect") or a ConnectorIOError. */
  connect(): Promise<void>;
  /** Release everything. Idempotent. */
  close(): Promise<void>;
  /** Snapshots in order. Throws ConnectorClosedError when closed before or during iteration. */
  iterSnapshots(): AsyncIterable<Snapshot>;
  /** Reconnect after a failure and resume after `lastSeenTs`. */
  reconnect(): Promise<void>;
}
