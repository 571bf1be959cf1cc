import { ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";
import { ConnectorIOError, type ConnectorIoDetails } from "./connector-io-error.js";

/** A failure that is safe to retry: network errors, 5xx, 429, exchange overload. */
export class ConnectorTransientError extends ConnectorIOError {
  readonly retryable = true as const;

  constructor(message: string, details: ConnectorIoDetails = {}) {
    super(message, details, [
      ConnectorErrorKind.CONNECTOR,
      ConnectorErrorKind.IO,
      ConnectorErrorKind.TRANSIENT,
    ]);
  }
}

export function isConnectorTransientError(e: unknown): e is ConnectorTransientError {
  return hasConnectorKind(e, ConnectorErrorKind.TRANSIENT);
}
