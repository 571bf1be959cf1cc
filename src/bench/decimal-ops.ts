/**
 * Cost of one Decimal operation, small coefficients (plain numbers) against
 * 28-digit ones (BigInt): `node dist/bench/decimal-ops.js`. Prints one line
 * per operation, ns per call (best of 5 rounds of 1M calls). The operands are
 * those of the active paper path: capital plus a 28-digit PnL (equity), a
 * 28-digit average entry price times a quantity (unrealized PnL), a drawdown
 * division, and the text of a 28-digit value.
 */

import { Decimal } from "../core/decimal.js";

const CALLS = 1_000_000;
const ROUNDS = 5;

const capital = Decimal.parse("1000000");
const pnl = Decimal.parse("-12.34567890123456789012345678");
const avgEntry = Decimal.parse("59986.97345678901234567890123");
const mark = Decimal.parse("59992.46");
const qty = Decimal.parse("0.030");
const small = Decimal.parse("123.45");
const tick = Decimal.parse("0.01");
const five = Decimal.parse("5");

const CASES: ReadonlyArray<readonly [string, () => Decimal | string]> = [
  ["add, small", () => small.add(tick)],
  ["mul, small", () => small.mul(qty)],
  ["div, small, exact", () => small.div(five)],
  ["add, 28 digits (capital + pnl)", () => capital.add(pnl)],
  ["sub, 28 digits (mark - avg entry)", () => mark.sub(avgEntry)],
  ["mul, 28 digits (x qty)", () => avgEntry.mul(qty)],
  ["div, 28 digits (drawdown)", () => pnl.div(capital)],
  ["toString, 28 digits", () => pnl.toString()],
];

function nsPerCall(fn: () => Decimal | string): number {
  let best = Number.POSITIVE_INFINITY;
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) {
      const v = fn();
      sink += typeof v === "string" ? v.length : v.exp;
    }
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / CALLS);
  }
  if (sink === Number.MIN_SAFE_INTEGER) console.log(sink); // keeps the calls
  return best;
}

console.log(`node ${process.version}; ns per call, best of ${ROUNDS} x ${CALLS}`);
for (const [name, fn] of CASES)
  console.log(`${name.padEnd(36)} ${nsPerCall(fn).toFixed(0).padStart(6)}`);
