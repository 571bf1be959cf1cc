import { ConnectorError, ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";

/**
 * A write timed out and the follow-up query by client order id could not tell
 * whether the exchange applied it. Not retryable: placing again could double
 * the order. The idempotency entry stays in flight until an operator or a
 * later query resolves it.
 */
export class OrderStatusUnknownError extends ConnectorError {
  readonly op: string;
  readonly clientOrderId: string;

  constructor(op: string, clientOrderId: string, detail: string, options?: { cause?: unknown }) {
    super(
      `Order status unknown after ${op} (clientOrderId=${clientOrderId}): ${detail}`,
      [ConnectorErrorKind.CONNECTOR, ConnectorErrorKind.ORDER_STATUS_UNKNOWN],
      options,
    );
    this.op = op;
    this.clientOrderId = clientOrderId;
  }
}

export function isOrderStatusUnknownError(e: unknown): e is OrderStatusUnknownError {
  return hasConnectorKind(e, ConnectorErrorKind.ORDER_STATUS_UNKNOWN);
}
