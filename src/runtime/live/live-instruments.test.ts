import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { tempDir } from "../../../test/support/run-cli.js";
import { exchangeInfoPathOf, liveTradeInstruments } from "./live-instruments.js";

const TMP = tempDir("grinder-live-instruments-");
after(() => rmSync(TMP, { recursive: true, force: true }));

const INFO = {
  symbols: [
    {
      symbol: "BTCUSDT",
      filters: [
        { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000", tickSize: "0.01" },
        { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000", stepSize: "0.00001" },
        { filterType: "NOTIONAL", minNotional: "5.00000000" },
      ],
    },
  ],
};

describe("live_trade exchange filters, fixed per journal", () => {
  it("a new journal fetches and keeps them; later runs read the kept file; an old journal without one has none", async () => {
    const journal = join(TMP, "sub", "j.jsonl");
    const logs: string[] = [];
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      return INFO;
    };
    const first = await liveTradeInstruments(journal, undefined, fetch, (l) => logs.push(l));
    assert.equal(first?.get("BTCUSDT")?.tickSize.toString(), "0.01");
    assert.equal(first?.get("BTCUSDT")?.minNotional.toString(), "5.00000000");
    assert.deepEqual(JSON.parse(readFileSync(exchangeInfoPathOf(journal), "utf8")), INFO);
    assert.match(
      logs[0] ?? "",
      /exchange filters of 1 symbols saved to .*j\.jsonl\.exchange-info\.json/,
    );
    writeFileSync(journal, '{"type":"session"}\n');
    const again = await liveTradeInstruments(journal, undefined, fetch, () => {});
    assert.equal(again?.get("BTCUSDT")?.stepSize.toString(), "0.00001");
    assert.equal(fetches, 1, "read back, not fetched again");

    const old = join(TMP, "old.jsonl");
    writeFileSync(old, '{"type":"session"}\n');
    assert.equal(await liveTradeInstruments(old, undefined, fetch, () => {}), undefined);
    assert.equal(existsSync(exchangeInfoPathOf(old)), false);
  });

  it("--exchange-info wins; a failed fetch leaves none and says so", async () => {
    const file = join(TMP, "info.json");
    writeFileSync(file, JSON.stringify(INFO));
    const given = await liveTradeInstruments(
      join(TMP, "a.jsonl"),
      file,
      async () => {
        throw new Error("not called");
      },
      () => {},
    );
    assert.equal(given?.size, 1);
    const logs: string[] = [];
    const none = await liveTradeInstruments(
      join(TMP, "b.jsonl"),
      undefined,
      async () => {
        throw new Error("connection refused");
      },
      (l) => logs.push(l),
    );
    assert.equal(none, undefined);
    assert.match(
      logs[0] ?? "",
      /exchange filters not read \(connection refused\): the kernel derives them/,
    );
    assert.equal(existsSync(exchangeInfoPathOf(join(TMP, "b.jsonl"))), false);
    writeFileSync(file, "{}");
    await assert.rejects(
      liveTradeInstruments(
        join(TMP, "c.jsonl"),
        file,
        async () => INFO,
        () => {},
      ),
      /not a Binance exchangeInfo response/,
    );
  });
});
