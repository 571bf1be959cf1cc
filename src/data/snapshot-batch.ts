/**
 * Snapshots in a compact binary form, to hand a stream from one thread to
 * another (reading-thread.ts): ROW_SLOTS doubles per snapshot in a
 * Float64Array, which a postMessage transfers without copying.
 *
 *   ts, symbol index * 4 + taker side (0 none, 1 BUY, 2 SELL),
 *   then for bid price, ask price, bid qty, ask qty, last price, last qty:
 *   coefficient, exponent * 2 + sign (1 when negative).
 *
 * Symbols are numbered as they first appear: a batch lists the ones it adds
 * to the table (`symbols`). A coefficient that is not a safe integer is sent
 * as text (decimalWire) in the batch's `texts`, its slot holding -1 - its
 * index there. A row can also be an event of another kind (a fixture's
 * TRADE line, counted and skipped): its tag slot holds -1 and its first slot
 * the index in `texts` of its type, followed by where it is. Every value is
 * rebuilt with the same sign, coefficient and exponent, so the snapshots are
 * the ones the stream gave (a test checks it).
 */

import { Decimal } from "../core/decimal.js";
import type { OrderSide } from "../domain/enums.js";
import { Snapshot } from "../domain/snapshot.js";

/** Doubles per snapshot. */
export const ROW_SLOTS = 14;
const DECIMALS = 6;
/** Below this a coefficient is kept as a small integer. */
const SMALL_INT = 0x3fffffff;
const SIDES: readonly (OrderSide | undefined)[] = [undefined, "BUY", "SELL"];

/** A decimal as text that Decimal.parse reads back exactly (sign, coefficient, exponent). */
export function decimalWire(d: Decimal): string {
  return `${d.neg ? "-" : ""}${d.coef}e${d.exp}`;
}

/** The decimal of a decimalWire text. */
export function decimalFromWire(text: string): Decimal {
  return Decimal.parse(text);
}

/** One batch as sent: `count` rows of ROW_SLOTS doubles, and the texts they refer to. */
export interface SnapshotBatch {
  readonly rows: Float64Array;
  readonly count: number;
  readonly texts: readonly string[];
  /** Symbols first seen in this batch, numbered after the earlier batches' ones. */
  readonly symbols: readonly string[];
}

/** Tag of a row that is not a snapshot. */
const OTHER_TAG = -1;

/** Fills batches of `capacity` rows (the writer's side). */
export class BatchWriter {
  private rows: Float64Array;
  private count = 0;
  private texts: string[] = [];
  private newSymbols: string[] = [];
  private readonly symbolIndex = new Map<string, number>();

  constructor(private readonly capacity: number) {
    this.rows = new Float64Array(capacity * ROW_SLOTS);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  push(s: Snapshot): void {
    const r = this.rows;
    const at = this.count * ROW_SLOTS;
    let symbol = this.symbolIndex.get(s.symbol);
    if (symbol === undefined) {
      symbol = this.symbolIndex.size;
      this.symbolIndex.set(s.symbol, symbol);
      this.newSymbols.push(s.symbol);
    }
    r[at] = s.ts;
    r[at + 1] = symbol * 4 + (s.takerSide === undefined ? 0 : s.takerSide === "BUY" ? 1 : 2);
    this.decimal(at + 2, s.bidPrice);
    this.decimal(at + 4, s.askPrice);
    this.decimal(at + 6, s.bidQty);
    this.decimal(at + 8, s.askQty);
    this.decimal(at + 10, s.lastPrice);
    this.decimal(at + 12, s.lastQty);
    this.count++;
  }

  /** An event of another kind: its type and where it is, as texts. */
  pushOther(type: string, where: string): void {
    const at = this.count * ROW_SLOTS;
    this.rows[at] = this.texts.length;
    this.rows[at + 1] = OTHER_TAG;
    this.texts.push(type, where);
    this.count++;
  }

  private decimal(at: number, d: Decimal): void {
    const c = d.safeCoef;
    if (c !== undefined) this.rows[at] = c;
    else {
      this.rows[at] = -1 - this.texts.length;
      this.texts.push(decimalWire(d));
    }
    this.rows[at + 1] = d.exp * 2 + (d.neg ? 1 : 0);
  }

  /** The batch so far (its buffer is the caller's now); the writer starts a new one. */
  take(): SnapshotBatch {
    const batch = {
      rows: this.rows,
      count: this.count,
      texts: this.texts,
      symbols: this.newSymbols,
    };
    this.rows = new Float64Array(this.capacity * ROW_SLOTS);
    this.count = 0;
    this.texts = [];
    this.newSymbols = [];
    return batch;
  }
}

/**
 * Rebuilds the snapshots of batches (the reader's side), which it must be
 * given in order (`open`, then its rows). A value equal to the same field's
 * in the previous snapshot reuses its Decimal (they are immutable), which
 * saves most allocations on quotes that repeat.
 */
export class BatchReader {
  private readonly lastCoef = new Float64Array(DECIMALS).fill(Number.NaN);
  private readonly lastExp = new Float64Array(DECIMALS);
  private readonly last: Decimal[] = new Array<Decimal>(DECIMALS).fill(Decimal.ZERO);
  private readonly symbols: string[] = [];

  /** The batch comes next: its new symbols join the table. */
  open(batch: SnapshotBatch): void {
    for (const s of batch.symbols) this.symbols.push(s);
  }

  /** Whether row `i` is a snapshot (else `other` reads it). */
  isSnapshot(batch: SnapshotBatch, i: number): boolean {
    return batch.rows[i * ROW_SLOTS + 1] !== OTHER_TAG;
  }

  /** The type and place of a row that is not a snapshot. */
  other(batch: SnapshotBatch, i: number): { readonly type: string; readonly where: string } {
    const t = batch.rows[i * ROW_SLOTS] as number;
    return { type: batch.texts[t] as string, where: batch.texts[t + 1] as string };
  }

  snapshot(batch: SnapshotBatch, i: number): Snapshot {
    const r = batch.rows;
    const at = i * ROW_SLOTS;
    const tag = r[at + 1] as number;
    const side = tag % 4;
    return new Snapshot({
      ts: r[at] as number,
      symbol: this.symbols[(tag - side) / 4] as string,
      bidPrice: this.decimal(batch, at + 2, 0),
      askPrice: this.decimal(batch, at + 4, 1),
      bidQty: this.decimal(batch, at + 6, 2),
      askQty: this.decimal(batch, at + 8, 3),
      lastPrice: this.decimal(batch, at + 10, 4),
      lastQty: this.decimal(batch, at + 12, 5),
      takerSide: SIDES[side],
    });
  }

  private decimal(batch: SnapshotBatch, at: number, field: number): Decimal {
    const c = batch.rows[at] as number;
    const e = batch.rows[at + 1] as number;
    if (c < 0) {
      this.lastCoef[field] = Number.NaN;
      return decimalFromWire(batch.texts[-1 - c] as string);
    }
    if (c === this.lastCoef[field] && e === this.lastExp[field]) return this.last[field] as Decimal;
    const neg = e % 2 !== 0;
    // Small integers as such (`| 0`), as the decoders make them: a double in
    // a Decimal's exponent or small coefficient would generalize the field
    // for every Decimal and slow the engine down.
    const exp = (neg ? (e - 1) / 2 : e / 2) | 0;
    const d = Decimal.fromSafeParts(neg, c <= SMALL_INT ? c | 0 : c, exp);
    this.lastCoef[field] = c;
    this.lastExp[field] = e;
    this.last[field] = d;
    return d;
  }
}
