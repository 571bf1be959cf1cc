import { ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";
import { ConnectorNonRetryableError } from "./connector-non-retryable-error.js";

/** A paper order operation is invalid (unknown order, bad quantity, cancel of a filled order). */
export class PaperOrderError extends ConnectorNonRetryableError {
  constructor(message: string) {
    super(message, {}, [ConnectorErrorKind.PAPER_ORDER]);
  }
}

export function isPaperOrderError(e: unknown): e is PaperOrderError {
  return hasConnectorKind(e, ConnectorErrorKind.PAPER_ORDER);
}
