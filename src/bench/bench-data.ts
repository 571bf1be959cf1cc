/**
 * Synthetic Binance daily dumps for the data-decoding bench cases: one
 * symbol's bookTicker or aggTrades day as data.binance.vision ships it (one
 * deflated CSV in a zip, header row first), deterministic (seeded), written
 * block by block so a day of any size is generated with flat memory.
 *
 * Prices walk in ticks of 0.10 around 60,000 with mean reversion (so a grid
 * keeps trading), quantities in thousandths; timestamps spread over the day.
 */

import { closeSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { join } from "node:path";
import * as zlib from "node:zlib";
import { SeededRandom } from "../core/prng.js";

export type BenchDataKind = "bookTicker" | "aggTrades";

export const BENCH_SYMBOL = "BTCUSDT";
export const BENCH_DAY = "2026-01-01";
const DAY_START_MS = Date.UTC(2026, 0, 1);
const DAY_MS = 86_400_000;
const BLOCK_ROWS = 20_000;

const HEADERS: Record<BenchDataKind, string> = {
  bookTicker:
    "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time",
  aggTrades:
    "agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker",
};

/** The zip's file name in the flat layout (`DIR/BTCUSDT-bookTicker-2026-01-01.zip`). */
export function benchDataName(kind: BenchDataKind): string {
  return `${BENCH_SYMBOL}-${kind}-${BENCH_DAY}`;
}

function price(ticks: number): string {
  return `${Math.floor(ticks / 10)}.${ticks % 10}0`;
}

function qty(thousandths: number): string {
  return `${Math.floor(thousandths / 1000)}.${String(thousandths % 1000).padStart(3, "0")}`;
}

/** The CSV rows of the day, in blocks of BLOCK_ROWS lines (header first). */
function* csvBlocks(kind: BenchDataKind, rows: number): Generator<string> {
  const rnd = new SeededRandom(kind === "bookTicker" ? 2026 : 2027);
  const center = 600_000; // 60,000.00 in ticks of 0.10
  let ticks = center;
  let id = 9_138_400_000_000;
  const stepMs = DAY_MS / rows;
  let lines: string[] = [HEADERS[kind]];
  for (let i = 0; i < rows; i++) {
    // Mean-reverting walk: a few ticks a row, pulled back within ~0.5%.
    ticks += rnd.int(-3, 3) + Math.round((center - ticks) / 2000);
    const ts = DAY_START_MS + Math.floor(i * stepMs);
    if (kind === "bookTicker") {
      id += rnd.int(1, 5);
      const ask = ticks + (rnd.next() < 0.9 ? 1 : rnd.int(2, 6));
      const tx = ts + rnd.int(0, 3);
      lines.push(
        `${id},${price(ticks)},${qty(rnd.int(1, 9999))},${price(ask)},${qty(rnd.int(1, 9999))},${tx},${tx + rnd.int(0, 5)}`,
      );
    } else {
      const first = id;
      id += rnd.int(1, 4);
      lines.push(
        `${i + 2_900_000_000},${price(ticks)},${qty(rnd.int(1, 2500))},${first},${id - 1},${ts},${rnd.next() < 0.5}`,
      );
    }
    if (lines.length >= BLOCK_ROWS) {
      yield `${lines.join("\n")}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join("\n")}\n`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/**
 * Write `DIR/<name>.zip` holding `<name>.csv` with `rows` data rows. Each block
 * is deflated on its own and ends on a sync flush, so the blocks concatenated
 * (closed by an empty final block) are one deflate stream.
 */
export function writeBenchDataZip(dir: string, kind: BenchDataKind, rows: number): string {
  mkdirSync(dir, { recursive: true });
  const name = benchDataName(kind);
  const path = join(dir, `${name}.zip`);
  const tmp = `${path}.tmp-${process.pid}`;
  const entryName = Buffer.from(`${name}.csv`);
  const fd = openSync(tmp, "w");
  try {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(entryName.length, 26);
    writeSync(fd, Buffer.concat([local, entryName]));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const write = (b: Buffer): void => {
      writeSync(fd, b);
      compressed += b.length;
    };
    for (const text of csvBlocks(kind, rows)) {
      const block = Buffer.from(text);
      crc = zlib.crc32(block, crc);
      size += block.length;
      write(zlib.deflateRawSync(block, { finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    }
    write(Buffer.from([0x03, 0x00])); // empty final block
    if (size > 0xfffffffe || compressed > 0xfffffffe) {
      throw new Error(`bench data: ${rows} rows exceed a non-ZIP64 zip; use fewer rows`);
    }
    // The local header's CRC and sizes, now known.
    writeSync(fd, Buffer.concat([u32(crc), u32(compressed), u32(size)]), 0, 12, 14);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressed, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(entryName.length, 28);
    const cdOffset = 30 + entryName.length + compressed;
    const cd = Buffer.concat([central, entryName]);
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(1, 8);
    eocd.writeUInt16LE(1, 10);
    eocd.writeUInt32LE(cd.length, 12);
    eocd.writeUInt32LE(cdOffset, 16);
    writeSync(fd, Buffer.concat([cd, eocd]), 0, cd.length + 22, cdOffset);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return path;
}
