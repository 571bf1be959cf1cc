/**
 * Synthetic Binance daily dumps in the data.binance.vision layout, for tests:
 * a seeded random walk per symbol written as USD-M bookTicker or spot
 * aggTrades CSV files (exact column layouts of docs/DATA.md; spot times in
 * microseconds, as Binance writes them from 2025 on).
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeededRandom } from "../../src/core/prng.js";

export interface DumpSymbol {
  readonly symbol: string;
  readonly start: number;
  /** Price decimals (the tick is 10^-decimals). */
  readonly decimals: number;
  /** Quantity decimals. */
  readonly qtyDecimals: number;
  /** Typical L1 / trade quantity in base units. */
  readonly typicalQty: number;
}

export const BTC: DumpSymbol = {
  symbol: "BTCUSDT",
  start: 93421.5,
  decimals: 1,
  qtyDecimals: 3,
  typicalQty: 2,
};
export const ETH: DumpSymbol = {
  symbol: "ETHUSDT",
  start: 3012.34,
  decimals: 2,
  qtyDecimals: 3,
  typicalQty: 30,
};
/** A sub-dollar coin. */
export const DOGE: DumpSymbol = {
  symbol: "DOGEUSDT",
  start: 0.30123,
  decimals: 5,
  qtyDecimals: 0,
  typicalQty: 200_000,
};

function walk(sym: DumpSymbol, rows: number, seed: number, stepMs: number, day0: number) {
  const r = new SeededRandom(seed);
  const tick = 10 ** -sym.decimals;
  let mid = sym.start;
  const out: { ts: number; bid: number; ask: number; bidQty: number; askQty: number }[] = [];
  for (let i = 0; i < rows; i++) {
    mid = Math.max(tick * 10, mid * (1 + r.normal() * 0.0004));
    const bid = Math.floor(mid / tick) * tick;
    const ask = bid + tick * (1 + r.int(0, 1));
    out.push({
      ts: day0 + i * stepMs + r.int(0, stepMs - 1),
      bid,
      ask,
      bidQty: sym.typicalQty * (0.2 + r.next() * 2),
      askQty: sym.typicalQty * (0.2 + r.next() * 2),
    });
  }
  return out;
}

const dayStart = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/** USD-M bookTicker files (with the header row futures files carry). */
export function writeBookTicker(
  root: string,
  sym: DumpSymbol,
  date: string,
  rows: number,
  seed: number,
): void {
  const dir = join(root, "futures", "um", "daily", "bookTicker", sym.symbol);
  mkdirSync(dir, { recursive: true });
  const lines = [
    "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time",
  ];
  let id = 9_000_000_000_000;
  for (const p of walk(sym, rows, seed, Math.floor(86_400_000 / rows), dayStart(date))) {
    id += 3;
    lines.push(
      [
        id,
        p.bid.toFixed(sym.decimals),
        p.bidQty.toFixed(sym.qtyDecimals),
        p.ask.toFixed(sym.decimals),
        p.askQty.toFixed(sym.qtyDecimals),
        p.ts,
        p.ts + 4,
      ].join(","),
    );
  }
  writeFileSync(join(dir, `${sym.symbol}-bookTicker-${date}.csv`), lines.join("\n") + "\n");
}

/** Spot aggTrades files (no header; 8 decimals padded; microsecond times). */
export function writeAggTrades(
  root: string,
  sym: DumpSymbol,
  date: string,
  rows: number,
  seed: number,
): void {
  const dir = join(root, "spot", "daily", "aggTrades", sym.symbol);
  mkdirSync(dir, { recursive: true });
  const r = new SeededRandom(seed + 1);
  const lines: string[] = [];
  let id = 3_385_720_000;
  let tradeId = 4_492_800_000;
  for (const p of walk(sym, rows, seed, Math.floor(86_400_000 / rows), dayStart(date))) {
    const sellerTook = r.next() < 0.5;
    const price = sellerTook ? p.bid : p.ask;
    const qty = (sym.typicalQty * (0.01 + r.next() * 0.5)).toFixed(sym.qtyDecimals);
    lines.push(
      [
        id++,
        price.toFixed(8),
        Number(qty).toFixed(8),
        tradeId,
        tradeId + 1,
        p.ts * 1000 + r.int(0, 999),
        sellerTook ? "True" : "False",
        "True",
      ].join(","),
    );
    tradeId += 2;
  }
  writeFileSync(join(dir, `${sym.symbol}-aggTrades-${date}.csv`), lines.join("\n") + "\n");
}
