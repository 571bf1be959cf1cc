/**
 * The local exchanges print decimals as Binance does: 8 places, plain
 * notation, zero included ("0.00000000", never "0E-8"); USD-M plain with
 * trailing zeros cut.
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Decimal } from "../src/core/decimal.js";
import { fmt8, plainDecimal } from "./support/local-exchange-format.js";

describe("local exchange decimal formats", () => {
  it("spot: 8 places, plain notation", () => {
    assert.equal(fmt8("0"), "0.00000000");
    assert.equal(fmt8(Decimal.ZERO), "0.00000000");
    assert.equal(fmt8("0.0004"), "0.00040000");
    assert.equal(fmt8("65000.1"), "65000.10000000");
    assert.equal(fmt8("0.000000015"), "0.00000002");
  });
  it("USD-M: plain, trailing zeros cut", () => {
    assert.equal(plainDecimal(Decimal.parse("0")), "0");
    assert.equal(plainDecimal(Decimal.parse("101.20")), "101.2");
    assert.equal(plainDecimal(Decimal.parse("-0.001012")), "-0.001012");
  });
});
