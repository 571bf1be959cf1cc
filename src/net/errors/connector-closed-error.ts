import { ConnectorError, ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";

/** An operation was attempted on a connector that is closed. */
export class ConnectorClosedError extends ConnectorError {
  readonly op: string | undefined;

  constructor(op?: string) {
    super(op ? `Cannot ${op}: connector is closed` : "Connector is closed", [
      ConnectorErrorKind.CONNECTOR,
      ConnectorErrorKind.CLOSED,
    ]);
    this.op = op;
  }
}

export function isConnectorClosedError(e: unknown): e is ConnectorClosedError {
  return hasConnectorKind(e, ConnectorErrorKind.CLOSED);
}
