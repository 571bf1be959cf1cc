/**
 * Fast path for the common fixture line: a flat SNAPSHOT object whose prices
 * and quantities are plain decimal strings, read straight from the line's
 * bytes into a Snapshot (no line string, no intermediate object). Anything
 * unusual (escapes, non-ASCII bytes, nested values, a missing or odd field,
 * another event type) returns undefined and the caller takes the general path
 * (JSON.parse + validation), which also produces the precise error messages.
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
const QUOTE = 34;
const BACKSLASH = 92;

function skipSpace(b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Whether `b` holds the ASCII `word` at `at`. */
function hasAt(b: Uint8Array, at: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) {
    if (b[at + k] !== word.charCodeAt(k)) return false;
  }
  return true;
}

/** The index of the closing quote of a string starting at `i`; -1 if it has an escape or no end. */
function closingQuote(b: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * Symbols repeat on every line: one string per symbol, found by a hash of
 * its bytes (checked byte for byte), so a line's symbol costs no string.
 */
const symbols = new Map<number, string>();
const MAX_SYMBOLS = 100_000;

function symbolAt(b: Uint8Array, start: number, end: number): string | undefined {
  let h = end - start;
  for (let k = start; k < end; k++) h = Math.imul(h ^ (b[k] as number), 0x01000193);
  const known = symbols.get(h);
  if (known !== undefined && known.length === end - start && hasAt(b, start, known)) return known;
  let raw = "";
  for (let k = start; k < end; k++) {
    const c = b[k] as number;
    if (c >= 128) return undefined; // not ASCII: the general path decodes and checks it
    raw += String.fromCharCode(c);
  }
  // A symbol is checked once, when first seen; odd ones take the general path.
  if (!isMarketSymbol(raw)) return undefined;
  if (known === undefined && symbols.size < MAX_SYMBOLS) symbols.set(h, raw);
  return raw;
}

/** The fast path on a line of text (tests, the lines kept by a tail scan). */
export function parseSnapshotLine(t: string): Snapshot | undefined {
  const b = Buffer.from(t, "utf8");
  return parseSnapshotBytes(b, 0, b.length);
}

/** The fast path on the bytes `b[start, end)` of one line (without its newline). */
export function parseSnapshotBytes(
  b: Uint8Array,
  start: number,
  end: number,
): Snapshot | undefined {
  let i = skipSpace(b, start, end);
  if (i >= end || b[i] !== 123) return undefined;
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
    i = skipSpace(b, i, end);
    if (i >= end || b[i] !== QUOTE) return undefined;
    const keyStart = i + 1;
    const keyEnd = closingQuote(b, keyStart, end);
    if (keyEnd < 0) return undefined;
    i = skipSpace(b, keyEnd + 1, end);
    if (i >= end || b[i] !== 58) return undefined;
    i = skipSpace(b, i + 1, end);
    if (i >= end) return undefined;
    const c = b[i];
    let vStart: number;
    let vEnd: number;
    let quoted: boolean;
    if (c === QUOTE) {
      vStart = i + 1;
      vEnd = closingQuote(b, vStart, end);
      if (vEnd < 0) return undefined;
      i = vEnd + 1;
      quoted = true;
    } else if (c === 123 || c === 91) {
      return undefined;
    } else {
      vStart = i;
      while (i < end) {
        const ch = b[i];
        if (ch === 44 || ch === 125 || ch === 32 || ch === 9) break;
        i++;
      }
      vEnd = i;
      quoted = false;
    }
    const klen = keyEnd - keyStart;
    let bit = 0;
    let dec: Decimal | undefined;
    // Dispatch on the key without decoding it.
    if (klen === 2 && hasAt(b, keyStart, "ts")) {
      if (quoted || vEnd - vStart > 15) return undefined;
      let v = 0;
      for (let k = vStart; k < vEnd; k++) {
        const d = (b[k] as number) - 48;
        if (d < 0 || d > 9) return undefined;
        v = v * 10 + d;
      }
      if (vEnd === vStart || (vEnd - vStart > 1 && b[vStart] === 48)) return undefined;
      ts = v;
      bit = F.Ts;
    } else if (klen === 4 && hasAt(b, keyStart, "type")) {
      if (!quoted || vEnd - vStart !== 8 || !hasAt(b, vStart, "SNAPSHOT")) return undefined;
      bit = F.Type;
    } else if (klen === 6 && hasAt(b, keyStart, "symbol")) {
      if (!quoted || vEnd === vStart) return undefined;
      const sym = symbolAt(b, vStart, vEnd);
      if (sym === undefined) return undefined;
      symbol = sym;
      bit = F.Symbol;
    } else if (quoted && (klen === 7 || klen === 9 || klen === 10 || klen === 8)) {
      dec = Decimal.parsePlainBytes(b, vStart, vEnd);
      if (dec === undefined) return undefined;
      if (klen === 9 && hasAt(b, keyStart, "bid_price")) {
        bidPrice = dec;
        bit = F.BidPrice;
      } else if (klen === 9 && hasAt(b, keyStart, "ask_price")) {
        askPrice = dec;
        bit = F.AskPrice;
      } else if (klen === 7 && hasAt(b, keyStart, "bid_qty")) {
        bidQty = dec;
        bit = F.BidQty;
      } else if (klen === 7 && hasAt(b, keyStart, "ask_qty")) {
        askQty = dec;
        bit = F.AskQty;
      } else if (klen === 10 && hasAt(b, keyStart, "last_price")) {
        lastPrice = dec;
        bit = F.LastPrice;
      } else if (klen === 8 && hasAt(b, keyStart, "last_qty")) {
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
    i = skipSpace(b, i, end);
    if (i >= end) return undefined;
    const sep = b[i];
    if (sep === 44) {
      i++;
      continue;
    }
    if (sep !== 125 || skipSpace(b, i + 1, end) !== end) return undefined;
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

/** ts and symbol of a SNAPSHOT line (overwritten by every scan). */
export interface SnapshotHead {
  ts: number;
  symbol: string;
}

const head: SnapshotHead = { ts: 0, symbol: "" };

/**
 * The index after `"key":` (and spaces) at the first occurrence of `"key"` in
 * `b[start, end)`; -1 if none. A loop in the script: a native indexOf per key
 * costs more than the search on lines this short.
 */
function valueAfter(b: Uint8Array, start: number, end: number, key: string): number {
  const last = end - key.length - 2;
  let k = start;
  for (; k <= last; k++) {
    if (b[k] === QUOTE && b[k + key.length + 1] === QUOTE && hasAt(b, k + 1, key)) break;
  }
  if (k > last) return -1;
  let i = k + key.length + 2;
  while (i < end && b[i] === 32) i++;
  if (i >= end || b[i] !== 58) return -1;
  i++;
  while (i < end && b[i] === 32) i++;
  return i;
}

/**
 * ts and symbol of the line `b[start, end)` when it plainly is a SNAPSHOT,
 * read without parsing the rest (a light scan: the lines a caller keeps are
 * parsed fully later); undefined otherwise. The object returned is reused.
 */
export function scanSnapshotHead(
  b: Uint8Array,
  start: number,
  end: number,
): SnapshotHead | undefined {
  const ty = valueAfter(b, start, end, "type");
  if (ty < 0 || end - ty < 10 || b[ty] !== QUOTE || !hasAt(b, ty + 1, 'SNAPSHOT"')) {
    return undefined;
  }
  const sy = valueAfter(b, start, end, "symbol");
  if (sy < 0 || b[sy] !== QUOTE) return undefined;
  const close = closingQuote(b, sy + 1, end);
  if (close <= sy + 1) return undefined;
  const symbol = symbolAt(b, sy + 1, close);
  if (symbol === undefined) return undefined;
  const tsAt = valueAfter(b, start, end, "ts");
  if (tsAt < 0) return undefined;
  let ts = 0;
  let i = tsAt;
  for (; i < end; i++) {
    const d = (b[i] as number) - 48;
    if (d < 0 || d > 9) break;
    ts = ts * 10 + d;
  }
  if (i === tsAt || i - tsAt > 15) return undefined;
  head.ts = ts;
  head.symbol = symbol;
  return head;
}
