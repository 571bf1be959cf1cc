/**
 * A snapshot as one line of text, with every decimal's exact sign,
 * coefficient and exponent: two streams compared key by key are the same
 * snapshots (the reading-thread tests compare in-thread and worker passes).
 */

import { decimalWire } from "../../src/data/snapshot-batch.js";
import type { Snapshot } from "../../src/domain/snapshot.js";

export function snapshotKey(s: Snapshot): string {
  const ds = [s.bidPrice, s.askPrice, s.bidQty, s.askQty, s.lastPrice, s.lastQty];
  return [s.ts, s.symbol, s.takerSide ?? "-", ...ds.map(decimalWire)].join(" ");
}
