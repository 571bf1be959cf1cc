import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalJson } from "../core/canonical-json.js";
import { Decimal, dec } from "../core/decimal.js";
import { type OrderSide, OrderSide as Side } from "./enums.js";
import { Ledger, pnlSnapshotToJson, positionStateToJson } from "./ledger.js";
import { type OrderFilled, orderFilled } from "./orders.js";

function fill(symbol: string, side: OrderSide, price: string, qty: string): OrderFilled {
  return orderFilled({
    ts: 1,
    symbol,
    side,
    price: dec(price),
    quantity: dec(qty),
    clientOrderId: "o",
  });
}

function pos(l: Ledger, s: string): string {
  return canonicalJson(positionStateToJson(l.getPosition(s)));
}

function p(q: string, avg: string, realized: string): string {
  return canonicalJson({ quantity: q, avg_entry_price: avg, realized_pnl: realized });
}

test("averaging, partial close, flip through zero and close (28-digit division)", () => {
  const l = new Ledger();
  l.applyFill(fill("ETH", Side.BUY, "100", "1"));
  assert.equal(pos(l, "ETH"), p("1", "100", "0"));
  l.applyFill(fill("ETH", Side.BUY, "101", "2"));
  // 302 / 3 rounded half-even at 28 significant digits.
  assert.equal(pos(l, "ETH"), p("3", "100.6666666666666666666666667", "0"));
  l.applyFill(fill("ETH", Side.SELL, "102.5", "0.5"));
  assert.equal(
    pos(l, "ETH"),
    p("2.5", "100.6666666666666666666666667", "0.91666666666666666666666665"),
  );
  // Sell 3.5 against a long of 2.5: closes 2.5, opens a 1.0 short at 99.
  l.applyFill(fill("ETH", Side.SELL, "99", "3.5"));
  assert.equal(pos(l, "ETH"), p("-1.0", "99", "-3.25000000000000000000000010"));
  l.applyFill(fill("ETH", Side.BUY, "98.25", "1.0"));
  assert.equal(pos(l, "ETH"), p("0.0", "0", "-2.50000000000000000000000010"));
  assert.equal(l.getTotalRealizedPnl().toString(), "-2.50000000000000000000000010");
});

test("short side: realized sign, exponents kept, zero-quantity fill sets the entry", () => {
  const l = new Ledger();
  l.applyFill(fill("SOL", Side.SELL, "20.10", "4"));
  assert.equal(pos(l, "SOL"), p("-4", "20.10", "0"));
  l.applyFill(fill("SOL", Side.BUY, "20.00", "4"));
  assert.equal(pos(l, "SOL"), p("0", "0", "0.40"));
  // From flat, even a zero fill sets the entry price (reference behaviour).
  l.applyFill(fill("SOL", Side.BUY, "19.5", "0"));
  assert.equal(pos(l, "SOL"), p("0", "19.5", "0.40"));
  assert.equal(l.getAllPositions().size, 0);
  assert.equal(
    canonicalJson(l.toJson()),
    '{"positions":{"SOL":{"avg_entry_price":"19.5","quantity":"0","realized_pnl":"0.40"}},"total_realized_pnl":"0.40"}',
  );
});

test("zero-quantity fill against a position realizes a zero with the scaled exponent", () => {
  const l = new Ledger();
  l.applyFill(fill("A", Side.BUY, "10.0", "0.10"));
  l.applyFill(fill("A", Side.SELL, "10.00", "0.1"));
  assert.equal(pos(l, "A"), p("0.00", "0", "0.0000"));
  l.applyFill(fill("A", Side.SELL, "9", "0.2"));
  l.applyFill(fill("A", Side.SELL, "8", "0"));
  assert.equal(pos(l, "A"), p("-0.20", "9", "0.0000"));
});

test("unrealized mark-to-market and snapshots", () => {
  const l = new Ledger();
  l.applyFill(fill("BTC", Side.BUY, "50000.10", "0.003"));
  l.applyFill(fill("BTC", Side.BUY, "49999.90", "0.002"));
  assert.equal(pos(l, "BTC"), p("0.005", "50000.02", "0"));
  assert.equal(
    canonicalJson(pnlSnapshotToJson(l.getPnlSnapshot(7, "BTC", dec("50010.5")))),
    '{"realized_pnl":"0","symbol":"BTC","total_pnl":"0.05240","ts":7,"unrealized_pnl":"0.05240"}',
  );

  l.applyFill(fill("XRP", Side.SELL, "10", "1.5"));
  assert.equal(l.getUnrealizedPnl("XRP", dec("9.75")).toString(), "0.375");
  l.applyFill(fill("XRP", Side.SELL, "11", "0.5"));
  assert.equal(pos(l, "XRP"), p("-2.0", "10.25", "0"));
  assert.equal(l.getUnrealizedPnl("XRP", dec("9.75")).toString(), "1.000");
  l.applyFill(fill("XRP", Side.BUY, "9.5", "2.5"));
  assert.equal(pos(l, "XRP"), p("0.5", "9.5", "1.500"));
  const snap = l.getPnlSnapshot(8, "XRP", dec("9.75"));
  assert.equal(snap.unrealizedPnl.toString(), "0.125");
  assert.equal(snap.totalPnl.toString(), "1.625");
  assert.deepEqual([...l.getAllPositions().keys()], ["BTC", "XRP"]);

  // Unknown symbol: flat, zero PnL.
  assert.equal(pos(l, "NOPE"), p("0", "0", "0"));
  assert.equal(
    canonicalJson(pnlSnapshotToJson(l.getPnlSnapshot(9, "NOPE", dec("1")))),
    '{"realized_pnl":"0","symbol":"NOPE","total_pnl":"0","ts":9,"unrealized_pnl":"0"}',
  );
});

test("positions read from the ledger are copies; reset clears everything", () => {
  const l = new Ledger();
  l.applyFill(fill("A", Side.BUY, "2", "1"));
  const before = l.getPosition("A");
  l.applyFills([fill("A", Side.SELL, "3", "1"), fill("B", Side.SELL, "5", "2")]);
  assert.equal(before.quantity.toString(), "1");
  assert.equal(l.getTotalRealizedPnl().toString(), "1");
  assert.deepEqual([...l.getAllPositions().keys()], ["B"]);
  l.reset();
  assert.equal(l.getTotalRealizedPnl().toString(), "0");
  assert.equal(canonicalJson(l.toJson()), '{"positions":{},"total_realized_pnl":"0"}');
});

/** Deterministic 32-bit generator, so the run is the same every time. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

test("a million fills: realized PnL equals the cash flow exactly, no drift", () => {
  // Patterns that end flat and whose averages are exact in decimal:
  //   A: buy q@p1, buy q@p2, sell 2q@p3        (averaging)
  //   B: buy q@p1, sell 2q@p2, buy q@p3         (flip long -> short -> flat)
  //   C: sell q@p1, buy r@p2, buy q-r@p3        (partial closes of a short)
  // Cash flow is tracked independently with integers: prices in cents,
  // quantities in thousandths, so cash is in units of 1e-5.
  const symbols = ["S0", "S1", "S2", "S3"];
  const rand = lcg(12345);
  const l = new Ledger();
  const cash = new Map<string, bigint>(symbols.map((s) => [s, 0n]));
  const price = (c: number) => Decimal.fromParts(false, BigInt(c), -2);
  const qty = (m: number) => Decimal.fromParts(false, BigInt(m), -3);
  let n = 0;
  let checks = 0;
  const apply = (s: string, side: OrderSide, cents: number, milli: number) => {
    l.applyFill({
      symbol: s,
      side,
      price: price(cents),
      quantity: qty(milli),
      fee: Decimal.ZERO,
      feeAsset: "",
    });
    const flow = BigInt(cents) * BigInt(milli);
    cash.set(s, (cash.get(s) as bigint) + (side === Side.SELL ? flow : -flow));
    n++;
  };
  while (n < 1_000_000) {
    const s = symbols[rand() % symbols.length] as string;
    const base = 1_000_000 + (rand() % 200_000); // 10000.00 .. 11999.99
    const q = 1 + (rand() % 5000);
    const p2 = base + (rand() % 2001) - 1000;
    const p3 = base + (rand() % 2001) - 1000;
    switch (rand() % 3) {
      case 0:
        apply(s, Side.BUY, base, q);
        apply(s, Side.BUY, p2, q);
        apply(s, Side.SELL, p3, 2 * q);
        break;
      case 1:
        apply(s, Side.BUY, base, q);
        apply(s, Side.SELL, p2, 2 * q);
        apply(s, Side.BUY, p3, q);
        break;
      default: {
        const r = q > 1 ? 1 + (rand() % (q - 1)) : q;
        apply(s, Side.SELL, base, q);
        apply(s, Side.BUY, p2, r);
        if (q - r > 0) apply(s, Side.BUY, p3, q - r);
      }
    }
    // Every pattern ends flat: realized must equal the symbol's cash exactly.
    const st = l.getPosition(s);
    assert.ok(st.quantity.isZero());
    const c = cash.get(s) as bigint;
    if (!st.realizedPnl.eq(Decimal.fromParts(c < 0n, c < 0n ? -c : c, -5))) {
      assert.fail(`drift on ${s} after ${n} fills: ${st.realizedPnl} vs ${c}e-5`);
    }
    checks++;
  }
  assert.ok(n >= 1_000_000);
  assert.ok(checks > 300_000);
  assert.equal(l.getAllPositions().size, 0);
  let totalCash = 0n;
  let sumRealized = Decimal.ZERO;
  for (const s of symbols) {
    totalCash += cash.get(s) as bigint;
    sumRealized = sumRealized.add(l.getPosition(s).realizedPnl);
  }
  const neg = totalCash < 0n;
  const expected = Decimal.fromParts(neg, neg ? -totalCash : totalCash, -5);
  assert.ok(l.getTotalRealizedPnl().eq(expected), `${l.getTotalRealizedPnl()} vs ${expected}`);
  assert.ok(sumRealized.eq(l.getTotalRealizedPnl()));
});

test("a commission in the base asset leaves the position like the account's balance; fees in the quote asset", () => {
  const l = new Ledger();
  const f = (side: OrderSide, price: string, qty: string, fee: string, feeAsset: string) =>
    l.applyFill({
      symbol: "BTCUSDT",
      side,
      price: dec(price),
      quantity: dec(qty),
      fee: dec(fee),
      feeAsset,
    });
  // BUY 0.1 at 100, 0.1% commission in BTC: the account gets 0.0999 BTC; fee 0.0001 x 100 = 0.01 USDT.
  assert.equal(f(Side.BUY, "100", "0.1", "0.0001", "BTC").toString(), "0.0100");
  assert.equal(l.getPosition("BTCUSDT").quantity.toString(), "0.0999");
  assert.equal(l.getPosition("BTCUSDT").avgEntryPrice.toString(), "100");
  // SELL what is held (0.0999) at 110, commission in USDT: 0.0999 x 110 x 0.001 = 0.010989.
  assert.equal(f(Side.SELL, "110", "0.0999", "0.010989", "USDT").toString(), "0.010989");
  const p = l.getPosition("BTCUSDT");
  assert.ok(p.quantity.isZero(), "flat, never short: the fee's base left with the buy");
  assert.equal(p.realizedPnl.toString(), "0.9990", "(110 - 100) x 0.0999");
  assert.equal(l.getFees("BTCUSDT").toString(), "0.020989");
  assert.equal(l.getTotalFees().toString(), "0.020989");
});
