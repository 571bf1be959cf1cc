/**
 * Base of every connector error. Each instance carries the chain of kinds it
 * belongs to (base first), so type guards work on plain objects and across
 * duplicated copies of this module, where `instanceof` would fail.
 */

import { GrinderError } from "../../core/errors.js";

export const ConnectorErrorKind = {
  CONNECTOR: "CONNECTOR_ERROR",
  TIMEOUT: "CONNECTOR_TIMEOUT",
  CLOSED: "CONNECTOR_CLOSED",
  IO: "CONNECTOR_IO",
  TRANSIENT: "CONNECTOR_TRANSIENT",
  NON_RETRYABLE: "CONNECTOR_NON_RETRYABLE",
  CIRCUIT_OPEN: "CIRCUIT_OPEN",
  ORDER_STATUS_UNKNOWN: "ORDER_STATUS_UNKNOWN",
  PAPER_ORDER: "PAPER_ORDER",
} as const;
export type ConnectorErrorKind = (typeof ConnectorErrorKind)[keyof typeof ConnectorErrorKind];

export class ConnectorError extends GrinderError {
  /** Kinds from the base down to this class, e.g. [CONNECTOR_ERROR, CONNECTOR_IO, CONNECTOR_TRANSIENT]. */
  readonly connectorKinds: readonly ConnectorErrorKind[];

  constructor(
    message: string,
    kinds: readonly ConnectorErrorKind[] = [ConnectorErrorKind.CONNECTOR],
    options?: { cause?: unknown },
  ) {
    super(kinds[kinds.length - 1] ?? ConnectorErrorKind.CONNECTOR, message);
    this.connectorKinds = kinds;
    if (options?.cause !== undefined) {
      Object.defineProperty(this, "cause", { value: options.cause, enumerable: false });
    }
  }
}

/** True when `e` is a connector error of the given kind (or a subclass of it). */
export function hasConnectorKind(e: unknown, kind: ConnectorErrorKind): boolean {
  if (typeof e !== "object" || e === null) return false;
  const kinds = (e as { connectorKinds?: unknown }).connectorKinds;
  return Array.isArray(kinds) && kinds.includes(kind);
}

export function isConnectorError(e: unknown): e is ConnectorError {
  return hasConnectorKind(e, ConnectorErrorKind.CONNECTOR);
}
