/**
 * The fast path of row decoding: a bookTicker or aggTrades row read straight
 * from its bytes (no string, no split, no BigInt), for the rows that are
 * plainly well formed: unsigned decimals of at most 15 digits, lower-case
 * booleans, the file's column count. Anything else (a header, a blank line, a
 * malformed or unusual row, trades and klines) answers `false`, and the
 * caller decodes the row with decodeRow, which gives the same points for the
 * rows this accepts (a differential test checks it) and the messages for the
 * rows it refuses.
 */

import { Decimal } from "../../core/decimal.js";
import { MICROS_THRESHOLD } from "./epoch-time.js";
import type { BinanceKind } from "./layouts.js";
import type { QuoteModel } from "./row-decoders.js";

const COMMA = 44;
const DOT = 46;
const ZERO = 48;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_MS = 1e11;
const POW10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** The decoded row, overwritten by every call. */
export interface FastRow {
  ts: number;
  bidPrice: Decimal;
  bidQty: Decimal;
  askPrice: Decimal;
  askQty: Decimal;
  lastPrice: Decimal;
  lastQty: Decimal;
  takerSide: "BUY" | "SELL" | undefined;
  micros: boolean;
}

/** Reads one row's bytes into `row`; false when the row must take the general path. */
export type FastRowDecoder = (
  buf: Uint8Array,
  start: number,
  end: number,
  columns: number,
  row: FastRow,
) => boolean;

export function newFastRow(): FastRow {
  const z = Decimal.ZERO;
  return {
    ts: 0,
    bidPrice: z,
    bidQty: z,
    askPrice: z,
    askQty: z,
    lastPrice: z,
    lastQty: z,
    takerSide: undefined,
    micros: false,
  };
}

/** A cursor over one row's fields: each read consumes a field and its comma. */
class Fields {
  buf: Uint8Array = new Uint8Array(0);
  at = 0;
  end = 0;
  /** Fields read so far. */
  count = 0;
  /** Last decimal read: coefficient and exponent. */
  coef = 0;
  exp = 0;

  reset(buf: Uint8Array, start: number, end: number): void {
    this.buf = buf;
    this.at = start;
    this.end = end;
    this.count = 0;
  }

  /** Move past the comma ending the field that stopped at `i`; false if the field ended otherwise. */
  private close(i: number): boolean {
    this.count++;
    if (i === this.end) {
      this.at = i + 1;
      return true;
    }
    if (this.buf[i] !== COMMA) return false;
    this.at = i + 1;
    return true;
  }

  /** Digits, then optionally "." and digits; at most 15 digits. Sets coef, exp. */
  decimal(): boolean {
    const b = this.buf;
    let i = this.at;
    let coef = 0;
    let digits = 0;
    let frac = -1;
    for (; i < this.end; i++) {
      const c = b[i] as number;
      const d = c - ZERO;
      if (d >= 0 && d <= 9) {
        coef = coef * 10 + d;
        digits++;
        if (frac >= 0) frac++;
      } else if (c === DOT && frac < 0 && digits > 0) {
        frac = 0;
      } else break;
    }
    if (digits === 0 || digits > 15) return false;
    this.coef = coef;
    this.exp = frac > 0 ? -frac : 0;
    return this.close(i);
  }

  /** Digits only (an id); any length. */
  integer(): boolean {
    const b = this.buf;
    let i = this.at;
    for (; i < this.end; i++) {
      const d = (b[i] as number) - ZERO;
      if (d < 0 || d > 9) break;
    }
    return i > this.at && this.close(i);
  }

  /** An epoch in ms or µs (as parseEpochMs); -1 when not plausible. Sets `micros`. */
  epochMs(row: FastRow): number {
    const b = this.buf;
    let i = this.at;
    let v = 0;
    for (; i < this.end && i - this.at < 17; i++) {
      const d = (b[i] as number) - ZERO;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    const n = i - this.at;
    if (n === 0 || n > 16 || v < MIN_MS || v >= MAX_SAFE || !this.close(i)) return -1;
    if (v >= MICROS_THRESHOLD) {
      row.micros = true;
      return (v - (v % 1000)) / 1000;
    }
    return v;
  }

  /** "true" or "false" in lower case; 1, 0, or -1 when neither. */
  bool(): number {
    const b = this.buf;
    const i = this.at;
    const left = this.end - i;
    if (left >= 4 && b[i] === 116 && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
      return this.close(i + 4) ? 1 : -1;
    }
    if (
      left >= 5 &&
      b[i] === 102 &&
      b[i + 1] === 97 &&
      b[i + 2] === 108 &&
      b[i + 3] === 115 &&
      b[i + 4] === 101
    ) {
      return this.close(i + 5) ? 0 : -1;
    }
    return -1;
  }

  /** Whether every field was read. */
  done(): boolean {
    return this.at > this.end;
  }
}

/** `c * 10^e` with trailing zeros dropped down to, not past, exponent `floor` (trimZeros). */
function trimmed(c: number, e: number, floor: number): Decimal {
  while (e < floor && c !== 0 && c % 10 === 0) {
    c /= 10;
    e++;
  }
  return Decimal.fromSafeParts(false, c, e);
}

function bookTicker(f: Fields, model: QuoteModel, columns: number, row: FastRow): boolean {
  if (columns !== 7 || !f.integer() || !f.decimal()) return false;
  const bc = f.coef;
  const be = f.exp;
  if (bc === 0 || !f.decimal()) return false;
  const bq = Decimal.fromSafeParts(false, f.coef, f.exp);
  if (!f.decimal()) return false;
  const ac = f.coef;
  const ae = f.exp;
  if (ac === 0 || !f.decimal()) return false;
  const aq = Decimal.fromSafeParts(false, f.coef, f.exp);
  row.micros = false;
  const tx = f.epochMs(row);
  if (tx < 0) return false;
  const ev = f.epochMs(row);
  if (ev < 0 || !f.done()) return false;
  // bid <= ask and the mid (midOf): aligned to the smaller exponent.
  const e = Math.min(be, ae);
  if (be - e > 15 || ae - e > 15) return false;
  const b = bc * (POW10[be - e] as number);
  const a = ac * (POW10[ae - e] as number);
  const sum = a + b;
  if (sum > MAX_SAFE / 5 || b > a) return false;
  row.ts = model.bookTickerTime === "event" ? ev : tx;
  row.bidPrice = Decimal.fromSafeParts(false, bc, be);
  row.bidQty = bq;
  row.askPrice = Decimal.fromSafeParts(false, ac, ae);
  row.askQty = aq;
  row.lastPrice =
    sum % 2 === 0
      ? Decimal.fromSafeParts(false, sum / 2, e)
      : Decimal.fromSafeParts(false, sum * 5, e - 1);
  row.lastQty = Decimal.ZERO;
  row.takerSide = undefined;
  return true;
}

/** The synthetic quote around a trade price (row-decoders' `synthetic`), in numbers. */
function aggTradesDecoder(model: QuoteModel): FastRowDecoder | undefined {
  const hc = model.halfSpread.safeCoef;
  const he = model.halfSpread.exp;
  if (hc === undefined || hc > 0xffffffff || he > 0 || he < -15) return undefined;
  const scale = POW10[-he] as number;
  const f = new Fields();
  return (buf, start, end, columns, row) => {
    if (columns !== 7 && columns !== 8) return false;
    f.reset(buf, start, end);
    if (!f.integer() || !f.decimal()) return false;
    const pc = f.coef;
    const pe = f.exp;
    if (pc === 0 || !f.decimal()) return false;
    const qty = Decimal.fromSafeParts(false, f.coef, f.exp);
    if (!f.integer() || !f.integer()) return false;
    row.micros = false;
    const ts = f.epochMs(row);
    if (ts < 0) return false;
    const buyerMaker = f.bool();
    if (buyerMaker < 0 || (columns === 8 && f.bool() < 0) || !f.done() || f.count !== columns) {
      return false;
    }
    // off = price * halfSpread at exponent pe + he; bid, ask = price -/+ off there.
    const off = pc * hc;
    const scaled = pc * scale;
    if (off > MAX_SAFE || scaled + off > MAX_SAFE) return false;
    const price = Decimal.fromSafeParts(false, pc, pe);
    row.ts = ts;
    row.bidPrice = trimmed(scaled - off, pe + he, pe);
    row.bidQty = model.depthQty;
    row.askPrice = trimmed(scaled + off, pe + he, pe);
    row.askQty = model.depthQty;
    row.lastPrice = price;
    row.lastQty = qty;
    row.takerSide = buyerMaker === 1 ? "SELL" : "BUY";
    return true;
  };
}

/** The fast decoder of a kind, or undefined when every row takes the general path. */
export function fastRowDecoder(kind: BinanceKind, model: QuoteModel): FastRowDecoder | undefined {
  if (kind === "aggTrades") return aggTradesDecoder(model);
  if (kind !== "bookTicker") return undefined;
  const f = new Fields();
  return (buf, start, end, columns, row) => {
    f.reset(buf, start, end);
    return bookTicker(f, model, columns, row) && f.count === 7;
  };
}
