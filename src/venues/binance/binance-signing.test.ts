import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeQuery, hmacSha256Hex, signedQuery } from "./binance-signing.js";

describe("binance signing", () => {
  it("reproduces the example from Binance's API documentation", () => {
    // docs: "SIGNED Endpoint Examples for POST /api/v3/order" (HMAC key and query string from there)
    const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const query =
      "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
    assert.equal(
      hmacSha256Hex(secret, query),
      "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
    );
  });

  it("percent-encodes and appends timestamp, recvWindow and signature", () => {
    assert.equal(
      encodeQuery([
        ["a", "x y/z"],
        ["b", "é"],
      ]),
      "a=x%20y%2Fz&b=%C3%A9",
    );
    const q = signedQuery([["symbol", "BTCUSDT"]], "s3cret", 1700000000000, 5000);
    const [payload, sig] = q.split("&signature=");
    assert.equal(payload, "symbol=BTCUSDT&timestamp=1700000000000&recvWindow=5000");
    assert.equal(sig, hmacSha256Hex("s3cret", payload ?? ""));
    assert.match(sig ?? "", /^[0-9a-f]{64}$/);
  });
});
