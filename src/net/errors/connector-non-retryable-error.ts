import {
  ConnectorErrorKind,
  hasConnectorKind,
  type ConnectorErrorKind as Kind,
} from "./connector-error.js";
import { ConnectorIOError, type ConnectorIoDetails } from "./connector-io-error.js";

/** A failure that must not be retried: 4xx, auth, validation, IP ban, safety guards. */
export class ConnectorNonRetryableError extends ConnectorIOError {
  readonly retryable = false as const;

  constructor(message: string, details: ConnectorIoDetails = {}, extraKinds: readonly Kind[] = []) {
    super(message, details, [
      ConnectorErrorKind.CONNECTOR,
      ConnectorErrorKind.IO,
      ConnectorErrorKind.NON_RETRYABLE,
      ...extraKinds,
    ]);
  }
}

export function isConnectorNonRetryableError(e: unknown): e is ConnectorNonRetryableError {
  return hasConnectorKind(e, ConnectorErrorKind.NON_RETRYABLE);
}
