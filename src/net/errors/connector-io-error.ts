import { ConnectorError, ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";

/** Details an I/O error may carry from the exchange reply. */
export interface ConnectorIoDetails {
  /** HTTP status of the reply, when there was one. */
  readonly httpStatus?: number;
  /** Exchange error code from the reply body (Binance `code`, e.g. -2010). */
  readonly exchangeCode?: number;
  /** How long the exchange asked us to wait before the next request (Retry-After), ms. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** An I/O failure; the subclasses say whether it is safe to retry. */
export class ConnectorIOError extends ConnectorError {
  readonly httpStatus: number | undefined;
  readonly exchangeCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(
    message: string,
    details: ConnectorIoDetails = {},
    kinds: readonly ConnectorErrorKind[] = [ConnectorErrorKind.CONNECTOR, ConnectorErrorKind.IO],
  ) {
    super(message, kinds, { cause: details.cause });
    this.httpStatus = details.httpStatus;
    this.exchangeCode = details.exchangeCode;
    this.retryAfterMs = details.retryAfterMs;
  }
}

export function isConnectorIOError(e: unknown): e is ConnectorIOError {
  return hasConnectorKind(e, ConnectorErrorKind.IO);
}
