import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { isConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { mapBinanceError, parseRetryAfterMs } from "./binance-error-mapping.js";

const map = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  mapBinanceError(
    "place",
    status,
    typeof body === "string" ? body : JSON.stringify(body),
    headers,
    0,
  );

describe("mapBinanceError", () => {
  it("5xx is transient, message keeps what Binance said", () => {
    const e = map(503, {
      code: -1000,
      msg: "Unknown error, please check your request or try again later.",
    });
    assert.ok(isConnectorTransientError(e));
    assert.equal(
      e.message,
      "Binance server error during place: Binance error -1000: Unknown error, please check your request or try again later. (HTTP 503)",
    );
    assert.equal(e.httpStatus, 503);
    assert.ok(isConnectorTransientError(map(502, "<html>Bad Gateway</html>")));
    assert.equal(
      map(502, "<html>Bad Gateway</html>").message,
      "Binance server error during place: HTTP 502: <html>Bad Gateway</html>",
    );
  });

  it("429 is transient with Retry-After; 418 is non-retryable", () => {
    const body = {
      code: -1003,
      msg: "Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.",
    };
    const e429 = map(429, body, { "retry-after": "7" });
    assert.ok(isConnectorTransientError(e429));
    assert.equal(e429.retryAfterMs, 7000);
    assert.equal(e429.exchangeCode, -1003);
    assert.match(
      e429.message,
      /^Binance rate limit during place: Binance error -1003: Too many requests/,
    );
    const e418 = map(
      418,
      { code: -1003, msg: "Way too many requests; IP(127.0.0.1) banned until 1700000060000." },
      { "retry-after": "60" },
    );
    assert.ok(isConnectorNonRetryableError(e418));
    assert.equal(e418.retryAfterMs, 60000);
    assert.match(e418.message, /IP banned/);
  });

  it("4xx: overload and timestamp codes are transient, the rest non-retryable", () => {
    assert.ok(
      isConnectorTransientError(
        map(400, { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." }),
      ),
    );
    assert.ok(
      isConnectorTransientError(
        map(400, {
          code: -1008,
          msg: "Server is currently overloaded with other requests. Please try again in a few minutes.",
        }),
      ),
    );
    for (const [code, msg] of [
      [-1022, "Signature for this request is not valid."],
      [-1013, "Filter failure: PRICE_FILTER"],
      [-1121, "Invalid symbol."],
      [-2010, "Account has insufficient balance for requested action."],
      [-2015, "Invalid API-key, IP, or permissions for action."],
    ] as const) {
      const e = map(code === -2015 ? 401 : 400, { code, msg });
      assert.ok(isConnectorNonRetryableError(e), String(code));
      assert.ok(e.message.includes(`Binance error ${code}: ${msg}`));
    }
    assert.ok(isConnectorNonRetryableError(map(404, "")));
  });

  it("Retry-After parsing", () => {
    assert.equal(parseRetryAfterMs("2", 0), 2000);
    assert.equal(parseRetryAfterMs("0.5", 0), 500);
    assert.equal(parseRetryAfterMs(undefined, 0), undefined);
    assert.equal(
      parseRetryAfterMs(
        "Wed, 21 Oct 2015 07:28:05 GMT",
        Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"),
      ),
      5000,
    );
    assert.equal(parseRetryAfterMs("soon", 0), undefined);
  });
});
