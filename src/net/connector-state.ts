/** Connector lifecycle: DISCONNECTED -> CONNECTING -> CONNECTED -> RECONNECTING -> CLOSED. */
export const ConnectorState = {
  DISCONNECTED: "disconnected",
  CONNECTING: "connecting",
  CONNECTED: "connected",
  RECONNECTING: "reconnecting",
  CLOSED: "closed",
} as const;
export type ConnectorState = (typeof ConnectorState)[keyof typeof ConnectorState];
