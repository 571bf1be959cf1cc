import { ConnectorError, ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";

/** An operation (connect, read, write, close, or a named request) did not finish in time. */
export class ConnectorTimeoutError extends ConnectorError {
  readonly op: string;
  readonly timeoutMs: number;

  constructor(op: string, timeoutMs: number, message?: string) {
    super(message ?? `Timeout during ${op} after ${timeoutMs}ms`, [
      ConnectorErrorKind.CONNECTOR,
      ConnectorErrorKind.TIMEOUT,
    ]);
    this.op = op;
    this.timeoutMs = timeoutMs;
  }
}

export function isConnectorTimeoutError(e: unknown): e is ConnectorTimeoutError {
  return hasConnectorKind(e, ConnectorErrorKind.TIMEOUT);
}
