export { CircuitOpenError, isCircuitOpenError } from "./circuit-open-error.js";
export { ConnectorClosedError, isConnectorClosedError } from "./connector-closed-error.js";
export {
  ConnectorError,
  ConnectorErrorKind,
  hasConnectorKind,
  isConnectorError,
} from "./connector-error.js";
export {
  ConnectorIOError,
  type ConnectorIoDetails,
  isConnectorIOError,
} from "./connector-io-error.js";
export {
  ConnectorNonRetryableError,
  isConnectorNonRetryableError,
} from "./connector-non-retryable-error.js";
export { ConnectorTimeoutError, isConnectorTimeoutError } from "./connector-timeout-error.js";
export { ConnectorTransientError, isConnectorTransientError } from "./connector-transient-error.js";
export {
  IdempotencyConflictError,
  isIdempotencyConflictError,
} from "./idempotency-conflict-error.js";
export {
  isOrderStatusUnknownError,
  OrderStatusUnknownError,
} from "./order-status-unknown-error.js";
export { isPaperOrderError, PaperOrderError } from "./paper-order-error.js";
