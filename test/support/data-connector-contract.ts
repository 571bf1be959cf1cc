/**
 * The behaviour every DataConnector must show, as one suite that each
 * implementation's test runs with its own factory.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DataConnector } from "../../src/data/data-connector.js";
import { ConnectorState } from "../../src/net/connector-state.js";
import { isConnectorClosedError } from "../../src/net/errors/connector-closed-error.js";

export interface ContractSubject {
  readonly connector: DataConnector;
  /**
   * Make the source deliver snapshots with ts 1000, 2000, 3000 for BTCUSDT
   * (bid 100, 101, 102); called after connect.
   */
  readonly feed: () => Promise<void>;
  readonly cleanup: () => Promise<void>;
}

export function dataConnectorContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`DataConnector contract: ${name}`, () => {
    it("lifecycle, ordered delivery, close", async () => {
      const s = await make();
      const c = s.connector;
      try {
        assert.equal(c.state, ConnectorState.DISCONNECTED);
        assert.equal(c.lastSeenTs, undefined);
        await c.connect();
        assert.equal(c.state, ConnectorState.CONNECTED);
        await c.connect(); // no-op when connected
        await s.feed();
        const it = c.iterSnapshots()[Symbol.asyncIterator]();
        const got: string[] = [];
        for (let i = 0; i < 3; i++) {
          const r = await it.next();
          assert.equal(r.done, false);
          if (!r.done) got.push(`${r.value.ts}:${r.value.symbol}:${r.value.bidPrice.toString()}`);
        }
        assert.deepEqual(got, ["1000:BTCUSDT:100", "2000:BTCUSDT:101", "3000:BTCUSDT:102"]);
        assert.equal(c.lastSeenTs, 3000);
        await c.close();
        assert.equal(c.state, ConnectorState.CLOSED);
        await c.close(); // idempotent
        await assert.rejects(c.iterSnapshots()[Symbol.asyncIterator]().next(), (e: unknown) =>
          isConnectorClosedError(e),
        );
        await assert.rejects(c.connect(), (e: unknown) => isConnectorClosedError(e));
        await assert.rejects(c.reconnect(), (e: unknown) => isConnectorClosedError(e));
      } finally {
        await c.close();
        await s.cleanup();
      }
    });
  });
}
