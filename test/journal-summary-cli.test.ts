/**
 * `grinder journal summary` on the real binary: the ledger a journal's fills
 * add up to (hand-computed), the highest fencing epoch, and file:line errors.
 */

import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli, tempDir } from "./support/run-cli.js";

const TMP = tempDir("grinder-journal-summary-");
after(() => rmSync(TMP, { recursive: true, force: true }));

function fill(
  id: string,
  symbol: string,
  side: string,
  price: string,
  quantity: string,
  fee: string,
  feeAsset: string,
  tradeId: string,
): Record<string, unknown> {
  return {
    kind: "OrderFilled",
    ts: 1,
    client_order_id: id,
    symbol,
    side,
    price,
    quantity,
    fee,
    fee_asset: feeAsset,
    liquidity: "maker",
    trade_id: tradeId,
    leaves_quantity: "0",
  };
}

function eventsLine(seq: number, events: unknown[], epoch?: number): string {
  return JSON.stringify({
    type: "events",
    seq,
    wall_ms: 1_700_000_000_000 + seq,
    cause: "sync",
    events,
    ...(epoch !== undefined ? { epoch } : {}),
  });
}

describe("grinder journal summary", () => {
  it("prints per symbol the position, realized PnL, fees in the quote asset and fills; the last epoch", () => {
    const path = join(TMP, "j.jsonl");
    writeFileSync(
      path,
      [
        eventsLine(
          1,
          [
            { kind: "OrderAccepted", ts: 1, client_order_id: "a", symbol: "BTCUSDT" },
            // BUY 0.100 at 100.00, 0.1% commission in BTC: 0.0999 BTC held, fee 0.0001 x 100 = 0.01 USDT.
            fill("a", "BTCUSDT", "BUY", "100.00", "0.100", "0.00010000", "BTC", "5000"),
          ],
          2,
        ),
        eventsLine(
          2,
          [
            // SELL 0.050 at 101.00, commission in USDT: 0.0505 (fees 0.01 + 0.0505). Realized (101 - 100) x 0.05.
            fill("b", "BTCUSDT", "SELL", "101.00", "0.050", "0.05050000", "USDT", "5001"),
            // SELL 1.0 ETH at 50.00 from flat (a short in the ledger), fee 0.05 USDT.
            fill("c", "ETHUSDT", "SELL", "50.00", "1.0", "0.05000000", "USDT", "5002"),
          ],
          3,
        ),
        eventsLine(3, [], 1),
        "",
      ].join("\n"),
    );
    const r = runCli(["journal", "summary", "--journal", path]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      symbols: {
        BTCUSDT: {
          position: "0.04990000",
          realized_pnl: "0.05000",
          fees: "0.0605000000",
          fills: 2,
        },
        ETHUSDT: { position: "-1.0", realized_pnl: "0", fees: "0.05000000", fills: 1 },
      },
      last_epoch: 3,
    });
    const empty = join(TMP, "empty.jsonl");
    writeFileSync(empty, `${eventsLine(1, [])}\n`);
    assert.equal(
      runCli(["journal", "summary", "--journal", empty]).stdout.trim(),
      '{"symbols":{},"last_epoch":0}',
    );
  });

  it("USD-M: funding received and paid per symbol, apart from the realized PnL", () => {
    const path = join(TMP, "um.jsonl");
    const funding = (
      ts: number,
      position: string,
      mark: string,
      rate: string,
      payment: string,
    ) => ({
      kind: "FundingApplied",
      ts,
      symbol: "BTCUSDT",
      position,
      mark_price: mark,
      rate,
      payment,
    });
    writeFileSync(
      path,
      [
        // Long 0.100 at 100.00 (commission 0.002 USDT), then two fundings: paid 0.100 x 101.20 x
        // 0.0001 = 0.001012, received 0.100 x 100.00 x 0.0002 = 0.002: funding 0.000988.
        eventsLine(1, [fill("a", "BTCUSDT", "BUY", "100.00", "0.100", "0.002", "USDT", "1")]),
        eventsLine(2, [funding(28_800_000, "0.100", "101.20", "0.0001", "-0.001012")]),
        eventsLine(3, [funding(57_600_000, "0.100", "100.00", "-0.0002", "0.002")]),
        "",
      ].join("\n"),
    );
    const r = runCli(["journal", "summary", "--journal", path]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).symbols, {
      BTCUSDT: {
        position: "0.100",
        realized_pnl: "0",
        fees: "0.002",
        fills: 1,
        funding: "0.000988",
      },
    });
  });

  it("a bad line is an error naming file:line; a missing journal or flag is named", () => {
    const path = join(TMP, "bad.jsonl");
    writeFileSync(
      path,
      `${eventsLine(1, [])}\n${eventsLine(2, [fill("a", "BTCUSDT", "BUY", "x", "1", "0", "", "1")])}\n`,
    );
    const r = runCli(["journal", "summary", "--journal", path]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`${path.replaceAll(".", "\\.")}:2: events\\[0\\]`));
    writeFileSync(path, `${eventsLine(1, [], -1)}\n`);
    assert.match(
      runCli(["journal", "summary", "--journal", path]).stderr,
      /bad\.jsonl:1: field "epoch": expected an integer >= 0, got -1/,
    );
    writeFileSync(path, `${eventsLine(1, [])}\n{"type":"ev`);
    assert.match(
      runCli(["journal", "summary", "--journal", path]).stderr,
      /bad\.jsonl:2: invalid JSON/,
    );
    assert.match(
      runCli(["journal", "summary", "--journal", join(TMP, "none.jsonl")]).stderr,
      /none\.jsonl: no such journal/,
    );
    assert.match(runCli(["journal", "summary"]).stderr, /--journal is required/);
  });
});
