/**
 * What live_trade needs of an exchange venue, so that the loop, the driver
 * and the reconciliation take either BinanceSpotVenue or BinanceUsdmVenue:
 * the venue port, the write gate (kill switch), the journal's run id, the
 * replay of journaled commands and events, the sync with the exchange
 * (fills, orders gone, untracked orders), stray cancelling, the view of its
 * orders for the session_end line, and `close` (a user-data stream stops).
 */

import type { OrderCommand, VenueEvent } from "../../domain/orders.js";
import type { Venue } from "../../domain/venue.js";
import type { WriteHalt } from "../../venues/binance/binance-rate-limits.js";
import type { WriteFence } from "../../venues/common/write-fence.js";
import type { WriteGate } from "../../venues/common/write-gate.js";

export interface LiveTradeSyncReport {
  readonly untracked: readonly {
    readonly symbol: string;
    readonly exchangeClientOrderId: string;
    readonly ours: boolean;
  }[];
}

export interface LiveTradeVenue extends Venue {
  readonly gate: WriteGate;
  readonly runId: string | undefined;
  useRunId(runId: string): void;
  /** The HA fencing epoch of the orders submitted or restored after it (0 without HA). */
  useEpoch(epoch: number): void;
  /** HA fencing of every write attempt. */
  setWriteFence(fence: WriteFence | undefined): void;
  /** Writes halted by a ban or a rate limit, until when. */
  readonly client: { readonly rateGuard: { readonly writeHalt: WriteHalt | undefined } };
  /** Forget every order and the run id (a fresh kernel replays its journal). */
  reset(): void;
  /** A journaled command or event, replayed: the venue knows its orders again. */
  restore(item: OrderCommand | VenueEvent): void;
  sync(options?: {
    readonly symbols?: readonly string[];
    readonly strict?: boolean;
  }): Promise<LiveTradeSyncReport>;
  cancelUntracked(symbol: string, exchangeClientOrderId: string): Promise<string | undefined>;
  trackedOrders(): readonly {
    readonly clientOrderId: string;
    readonly exchangeClientOrderId: string;
    readonly symbol: string;
    readonly state: string;
    readonly executed: string;
  }[];
  /** Orders not yet off the book. */
  liveOrders(): readonly unknown[];
  /** The account's user data stream is connected (false without one). */
  readonly userStreamConnected: boolean;
  /** Stop background work (the USD-M user-data stream); absent: nothing to stop. */
  close?(): Promise<void>;
  /**
   * Spot: run the user data stream while the poll loop runs; `onPush` wakes
   * the loop for a poll when the exchange pushed an update.
   */
  startUserStream?(onPush: () => void): void;
  stopUserStream?(): Promise<void>;
}
