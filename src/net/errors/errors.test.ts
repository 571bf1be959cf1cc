import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isGrinderError } from "../../core/errors.js";
import { CircuitOpenError, isCircuitOpenError } from "./circuit-open-error.js";
import { ConnectorClosedError, isConnectorClosedError } from "./connector-closed-error.js";
import { ConnectorError, isConnectorError } from "./connector-error.js";
import { ConnectorIOError, isConnectorIOError } from "./connector-io-error.js";
import {
  ConnectorNonRetryableError,
  isConnectorNonRetryableError,
} from "./connector-non-retryable-error.js";
import { ConnectorTimeoutError, isConnectorTimeoutError } from "./connector-timeout-error.js";
import { ConnectorTransientError, isConnectorTransientError } from "./connector-transient-error.js";
import {
  isOrderStatusUnknownError,
  OrderStatusUnknownError,
} from "./order-status-unknown-error.js";

describe("connector errors", () => {
  it("timeout error names the operation and the limit", () => {
    const e = new ConnectorTimeoutError("connect", 5000);
    assert.equal(e.message, "Timeout during connect after 5000ms");
    assert.equal(e.op, "connect");
    assert.equal(e.timeoutMs, 5000);
    assert.equal(e.code, "CONNECTOR_TIMEOUT");
    assert.equal(e.name, "ConnectorTimeoutError");
    assert.ok(e instanceof ConnectorError);
    assert.ok(isGrinderError(e));
    assert.equal(new ConnectorTimeoutError("read", 1, "custom").message, "custom");
  });

  it("closed error message with and without op", () => {
    assert.equal(
      new ConnectorClosedError("iterate").message,
      "Cannot iterate: connector is closed",
    );
    assert.equal(new ConnectorClosedError().message, "Connector is closed");
  });

  it("circuit messages", () => {
    assert.equal(
      new CircuitOpenError("place").message,
      "Circuit breaker OPEN for 'place' (state: OPEN)",
    );
    assert.equal(new CircuitOpenError("cancel", "HALF_OPEN").circuitState, "HALF_OPEN");
  });

  it("guards follow the hierarchy", () => {
    const transient = new ConnectorTransientError("503", { httpStatus: 503, retryAfterMs: 2000 });
    const nonRetry = new ConnectorNonRetryableError("bad", {
      httpStatus: 400,
      exchangeCode: -1102,
    });
    const io = new ConnectorIOError("io");
    const unknown = new OrderStatusUnknownError("place", "grinder_x", "query failed");

    assert.ok(isConnectorTransientError(transient) && isConnectorIOError(transient));
    assert.ok(!isConnectorNonRetryableError(transient));
    assert.equal(transient.retryAfterMs, 2000);
    assert.ok(isConnectorNonRetryableError(nonRetry) && isConnectorIOError(nonRetry));
    assert.equal(nonRetry.exchangeCode, -1102);
    assert.ok(isConnectorIOError(io) && !isConnectorTransientError(io));
    assert.ok(!isConnectorIOError(unknown) && isOrderStatusUnknownError(unknown));
    assert.ok(isConnectorError(unknown));
    assert.ok(!isConnectorTimeoutError(transient));
    assert.ok(!isCircuitOpenError(transient));
    assert.ok(!isConnectorClosedError(transient));
    assert.ok(!isConnectorError(new Error("x")));
    assert.ok(!isConnectorError(null));
    assert.ok(!isConnectorError("CONNECTOR_ERROR"));
  });

  it("guards work on copies that are not instances of this module's classes", () => {
    // What a duplicated module copy (or a structured clone) would produce.
    const foreign = Object.assign(new Error("dup"), {
      code: "CONNECTOR_TRANSIENT",
      connectorKinds: ["CONNECTOR_ERROR", "CONNECTOR_IO", "CONNECTOR_TRANSIENT"],
    });
    assert.ok(!(foreign instanceof ConnectorTransientError));
    assert.ok(isConnectorTransientError(foreign));
    assert.ok(isConnectorIOError(foreign));
  });

  it("keeps the cause", () => {
    const cause = new Error("socket hang up");
    const e = new ConnectorTransientError("network", { cause });
    assert.equal((e as { cause?: unknown }).cause, cause);
  });
});
