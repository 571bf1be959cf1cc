import { ConnectorError, ConnectorErrorKind, hasConnectorKind } from "./connector-error.js";

/** The circuit breaker for an operation is open (or out of half-open probes); fail fast. */
export class CircuitOpenError extends ConnectorError {
  readonly opName: string;
  readonly circuitState: string;

  constructor(opName: string, circuitState = "OPEN") {
    super(`Circuit breaker OPEN for '${opName}' (state: ${circuitState})`, [
      ConnectorErrorKind.CONNECTOR,
      ConnectorErrorKind.CIRCUIT_OPEN,
    ]);
    this.opName = opName;
    this.circuitState = circuitState;
  }
}

export function isCircuitOpenError(e: unknown): e is CircuitOpenError {
  return hasConnectorKind(e, ConnectorErrorKind.CIRCUIT_OPEN);
}
