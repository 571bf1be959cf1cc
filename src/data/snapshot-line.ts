/**
 * Fast path for the common fixture line: a flat SNAPSHOT object whose prices
 * and quantities are plain decimal strings. Fields are read straight from the
 * text into a Snapshot, with no intermediate object. Anything unusual (escapes,
 * nested values, a missing or odd field, another event type) returns undefined
 * and the caller takes the general path (JSON.parse + validation), which also
 * produces the precise error messages.
 */

import { Decimal } from "../core/decimal.js";
import { Snapshot } from "../domain/snapshot.js";
import { isMarketSymbol, isSoundQuote } from "./market-checks.js";

enum F {
  Ts = 1,
  Type = 2,
  Symbol = 4,
  BidPrice = 8,
  AskPrice = 16,
  BidQty = 32,
  AskQty = 64,
  LastPrice = 128,
  LastQty = 256,
}
const ALL = 511;

function skipSpace(t: string, i: number, end: number): number {
  while (i < end) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Whether `t` has `word` at `at` (a loop the JIT inlines; startsWith is a call). */
function hasAt(t: string, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    if (t.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** Symbols repeat on every line: keep one string per symbol. */
const symbols = new Map<string, string>();

export function parseSnapshotLine(t: string): Snapshot | undefined {
  return parseSnapshotRange(t, 0, t.length);
}

/** The same on `t[start, end)`, so a reader can parse lines of a chunk without slicing them. */
export function parseSnapshotRange(t: string, start: number, end: number): Snapshot | undefined {
  let i = skipSpace(t, start, end);
  if (i >= end || t.charCodeAt(i) !== 123) return undefined;
  i++;
  let seen = 0;
  let ts = 0;
  let symbol = "";
  let bidPrice: Decimal | undefined;
  let askPrice: Decimal | undefined;
  let bidQty: Decimal | undefined;
  let askQty: Decimal | undefined;
  let lastPrice: Decimal | undefined;
  let lastQty: Decimal | undefined;
  for (;;) {
    i = skipSpace(t, i, end);
    if (i >= end || t.charCodeAt(i) !== 34) return undefined;
    const keyStart = i + 1;
    const keyEnd = t.indexOf('"', keyStart);
    if (keyEnd < 0 || keyEnd >= end) return undefined;
    i = skipSpace(t, keyEnd + 1, end);
    if (i >= end || t.charCodeAt(i) !== 58) return undefined;
    i = skipSpace(t, i + 1, end);
    if (i >= end) return undefined;
    const c = t.charCodeAt(i);
    let vStart: number;
    let vEnd: number;
    let quoted: boolean;
    if (c === 34) {
      vStart = i + 1;
      vEnd = t.indexOf('"', vStart);
      if (vEnd < 0 || vEnd >= end) return undefined;
      for (let k = vStart; k < vEnd; k++) if (t.charCodeAt(k) === 92) return undefined;
      i = vEnd + 1;
      quoted = true;
    } else if (c === 123 || c === 91) {
      return undefined;
    } else {
      vStart = i;
      while (i < end) {
        const ch = t.charCodeAt(i);
        if (ch === 44 || ch === 125 || ch === 32 || ch === 9) break;
        i++;
      }
      vEnd = i;
      quoted = false;
    }
    const klen = keyEnd - keyStart;
    let bit = 0;
    let dec: Decimal | undefined;
    // Dispatch on the key without slicing it.
    if (klen === 2 && hasAt(t, keyStart, "ts")) {
      if (quoted || vEnd - vStart > 15) return undefined;
      let v = 0;
      for (let k = vStart; k < vEnd; k++) {
        const d = t.charCodeAt(k) - 48;
        if (d < 0 || d > 9) return undefined;
        v = v * 10 + d;
      }
      if (vEnd === vStart || (vEnd - vStart > 1 && t.charCodeAt(vStart) === 48)) return undefined;
      ts = v;
      bit = F.Ts;
    } else if (klen === 4 && hasAt(t, keyStart, "type")) {
      if (!quoted || vEnd - vStart !== 8 || !hasAt(t, vStart, "SNAPSHOT")) return undefined;
      bit = F.Type;
    } else if (klen === 6 && hasAt(t, keyStart, "symbol")) {
      if (!quoted || vEnd === vStart) return undefined;
      const raw = t.slice(vStart, vEnd);
      let sym = symbols.get(raw);
      if (sym === undefined) {
        // A symbol is checked once, when first seen; odd ones take the general path.
        if (!isMarketSymbol(raw)) return undefined;
        sym = raw;
        if (symbols.size < 100_000) symbols.set(raw, raw);
      }
      symbol = sym;
      bit = F.Symbol;
    } else if (quoted && (klen === 7 || klen === 9 || klen === 10 || klen === 8)) {
      dec = Decimal.parsePlainRange(t, vStart, vEnd);
      if (dec === undefined) return undefined;
      if (klen === 9 && hasAt(t, keyStart, "bid_price")) {
        bidPrice = dec;
        bit = F.BidPrice;
      } else if (klen === 9 && hasAt(t, keyStart, "ask_price")) {
        askPrice = dec;
        bit = F.AskPrice;
      } else if (klen === 7 && hasAt(t, keyStart, "bid_qty")) {
        bidQty = dec;
        bit = F.BidQty;
      } else if (klen === 7 && hasAt(t, keyStart, "ask_qty")) {
        askQty = dec;
        bit = F.AskQty;
      } else if (klen === 10 && hasAt(t, keyStart, "last_price")) {
        lastPrice = dec;
        bit = F.LastPrice;
      } else if (klen === 8 && hasAt(t, keyStart, "last_qty")) {
        lastQty = dec;
        bit = F.LastQty;
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
    if (seen & bit) return undefined;
    seen |= bit;
    i = skipSpace(t, i, end);
    if (i >= end) return undefined;
    const sep = t.charCodeAt(i);
    if (sep === 44) {
      i++;
      continue;
    }
    if (sep !== 125 || skipSpace(t, i + 1, end) !== end) return undefined;
    break;
  }
  if (seen !== ALL) return undefined;
  const snapshot = new Snapshot({
    ts,
    symbol,
    bidPrice: bidPrice as Decimal,
    askPrice: askPrice as Decimal,
    bidQty: bidQty as Decimal,
    askQty: askQty as Decimal,
    lastPrice: lastPrice as Decimal,
    lastQty: lastQty as Decimal,
  });
  // An unsound quote takes the general path, which names the field.
  return isSoundQuote(snapshot) ? snapshot : undefined;
}
