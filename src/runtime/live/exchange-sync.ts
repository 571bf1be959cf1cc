/**
 * live_trade: bringing the kernel up to date with the exchange.
 *
 * - Poll (the venue's `sync`, every `--poll-ms` and before a tick when due):
 *   it reports the fills of resting orders and the orders gone; a
 *   symbol whose listing fails is skipped and tried at the next poll.
 * - Reconcile (`reconcileExchange`, after a takeover or restart, once the
 *   journal replay rebuilt the kernel and the venue's view of its orders):
 *   a strict sync (a listing that fails stops the takeover: no trading
 *   blind) over the kernel's symbols and the configured ones. Our open orders
 *   are adopted (nothing to report, or their executions since), fills made
 *   while down are booked, orders journaled but never answered are settled
 *   (placed now, under the same client id, when the exchange does not know
 *   them), orders gone are reported canceled or expired. Open orders the
 *   kernel does not hold are reported: strays of our prefix (cancelled with
 *   `--cancel-strays`) and foreign orders (left alone).
 *
 * Everything the venue reports arrives as order events (journaled by the
 * loop); what was done with untracked orders comes back for the journal.
 */

import type { VenueEvent } from "../../domain/orders.js";
import type { JournalUntracked } from "./journal-lines.js";
import type { LiveTradeVenue } from "./live-trade-venue.js";

/** The reconciliation after a takeover (see the file comment). */
export async function reconcileExchange(
  venue: LiveTradeVenue,
  symbols: readonly string[],
  cancelStrays: boolean,
  log: (line: string) => void,
): Promise<JournalUntracked[]> {
  const report = await venue.sync({ symbols, strict: true });
  const out: JournalUntracked[] = [];
  for (const u of report.untracked) {
    const base = { symbol: u.symbol, client_order_id: u.exchangeClientOrderId };
    let x: JournalUntracked;
    if (!u.ours) x = { ...base, action: "foreign", detail: "not a grinder order; left alone" };
    else if (!cancelStrays)
      x = {
        ...base,
        action: "stray",
        detail: "not held by the kernel; not cancelled (--cancel-strays cancels it)",
      };
    else {
      const why = await venue.cancelUntracked(u.symbol, u.exchangeClientOrderId);
      x =
        why === undefined
          ? { ...base, action: "stray_cancelled", detail: "not held by the kernel" }
          : { ...base, action: "stray_cancel_failed", detail: why };
    }
    log(`exchange: ${x.action} ${x.symbol} ${x.client_order_id}: ${x.detail}`);
    out.push(x);
  }
  return out;
}

const EVENT_WORDS: Readonly<Record<VenueEvent["kind"], string>> = {
  OrderAccepted: "accepted",
  OrderRejected: "rejected",
  OrderFilled: "filled",
  OrderCanceled: "canceled",
  OrderExpired: "expired",
  OrderCancelRejected: "cancel rejected",
  FundingApplied: "funding",
};

/** A one-line account ("2 filled, 1 accepted, 1 stray cancelled"), or "" when nothing happened. */
export function describeExchangeActivity(
  events: readonly VenueEvent[],
  untracked: readonly JournalUntracked[] = [],
): string {
  const n = new Map<string, number>();
  const count = (k: string): void => {
    n.set(k, (n.get(k) ?? 0) + 1);
  };
  for (const e of events) count(EVENT_WORDS[e.kind]);
  for (const u of untracked) count(u.action.replaceAll("_", " "));
  return [...n].map(([k, v]) => `${v} ${k}`).join(", ");
}
