import { ConnectorError, ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";

/** A request with the same idempotency key is still in flight; fail fast, do not retry with it. */
export class IdempotencyConflictError extends ConnectorError {
  readonly key: string;
  readonly status: string;

  constructor(key: string, status = "INFLIGHT") {
    super(`Idempotency conflict: key '${key}' is ${status}`, [
      ConnectorErrorKind.CONNECTOR,
      ConnectorErrorKind.IDEMPOTENCY_CONFLICT,
    ]);
    this.key = key;
    this.status = status;
  }
}

export function isIdempotencyConflictError(e: unknown): e is IdempotencyConflictError {
  return hasConnectorKind(e, ConnectorErrorKind.IDEMPOTENCY_CONFLICT);
}
