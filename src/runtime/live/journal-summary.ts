/**
 * `grinder journal summary`: the ledger a live journal adds up to, rebuilt
 * by folding every fill it holds (the exchange's `events` lines, and the
 * simulated answers of paper tick lines) through the kernel's own ledger
 * (`domain/ledger.ts`): per symbol the position (a commission charged in the
 * base asset leaves it, as it leaves the account's balance), the realized
 * PnL, the fees in the quote asset, the number of fills and, on USD-M, the
 * funding received (negative: paid); and the highest
 * HA fencing `epoch` any line carries (0 when none does).
 *
 * Every line is validated as the journal replay validates it; a bad line is
 * an error naming `file:line`.
 */

import { existsSync } from "node:fs";
import { Decimal } from "../../core/decimal.js";
import { InvalidInputError } from "../../core/errors.js";
import { readLines } from "../../data/byte-lines.js";
import { Ledger } from "../../domain/ledger.js";
import { epochOf, parseJournalEntry } from "./journal-lines.js";

export interface SymbolSummary {
  readonly position: string;
  readonly realized_pnl: string;
  readonly fees: string;
  readonly fills: number;
  /** USD-M only: funding received (negative: paid), apart from the realized PnL. */
  readonly funding?: string;
}

export interface JournalSummary {
  readonly symbols: Readonly<Record<string, SymbolSummary>>;
  readonly last_epoch: number;
}

/** The summary of the journal at `path` (see the file comment). */
export function summarizeJournal(path: string): JournalSummary {
  if (!existsSync(path)) throw new InvalidInputError(`${path}: no such journal`);
  const ledger = new Ledger();
  const fills = new Map<string, number>();
  /** USD-M: funding received (negative: paid) per symbol, apart from trading PnL. */
  const funding = new Map<string, Decimal>();
  let lastEpoch = 0;
  for (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    const where = `${path}:${lineNo}`;
    const entry = parseJournalEntry(text, lineNo, where);
    lastEpoch = Math.max(lastEpoch, epochOf(entry.line));
    if (!("events" in entry)) continue;
    for (const e of entry.events) {
      if (e.kind === "FundingApplied")
        funding.set(e.symbol, (funding.get(e.symbol) ?? Decimal.ZERO).add(e.payment));
      if (e.kind !== "OrderFilled") continue;
      ledger.applyFill(e);
      fills.set(e.symbol, (fills.get(e.symbol) ?? 0) + 1);
    }
  }
  const symbols: Record<string, SymbolSummary> = {};
  for (const symbol of [...new Set([...fills.keys(), ...funding.keys()])].sort()) {
    const p = ledger.getPosition(symbol);
    const paid = funding.get(symbol);
    symbols[symbol] = {
      position: p.quantity.toString(),
      realized_pnl: p.realizedPnl.toString(),
      fees: ledger.getFees(symbol).toString(),
      fills: fills.get(symbol) ?? 0,
      ...(paid !== undefined ? { funding: paid.toString() } : {}),
    };
  }
  return { symbols, last_epoch: lastEpoch };
}
