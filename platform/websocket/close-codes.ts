/**
 * WebSocket close codes this project sends. 1000-1011 are RFC 6455's; the 44xx/45xx ones are
 * graphql-ws's (GraphQL over WebSocket protocol), so any graphql-ws client understands them, except
 * 4503 (`ServerRestarting`), this project's, which graphql-ws clients treat as retryable.
 */
export enum WebSocketCloseCode {
  /** The connection did its job and ends. */
  NormalClosure = 1000,
  /** The server is shutting down (or restarting): reconnect, possibly to another replica. */
  GoingAway = 1001,
  /** A dependency the server needs to accept the connection is down: reconnect later. */
  TryAgainLater = 1013,
  /** Missing or invalid credentials in the `connection_init` payload; reconnecting unchanged will fail again. */
  Unauthorized = 4401,
  /** The credentials are valid but may not open this connection. */
  Forbidden = 4403,
  /** A message broke the protocol. */
  BadRequest = 4400,
  /** A bug on the server; details are in its log. */
  InternalServerError = 4500,
  /**
   * The server stopped (rolling restart, scale-down) while the socket still ran operations, after
   * letting them run for its grace period (`SHUTDOWN_GRACE_PERIOD_MILLIS`): reconnect and subscribe
   * again, possibly to another replica. Retryable: graphql-ws clients retry it (it is not among
   * their fatal codes). A socket whose operations all finished within the grace period is closed
   * with 1001 instead.
   */
  ServerRestarting = 4503,
}

/** Longest close reason a WebSocket close frame can carry, in bytes (RFC 6455: 125 minus the 2-byte code). */
export const maximumCloseReasonBytes = 123;

/** `reason` cut to fit a close frame, on a character boundary. */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason) <= maximumCloseReasonBytes) return reason;
  let cut = reason;
  while (Buffer.byteLength(`${cut}…`) > maximumCloseReasonBytes) cut = cut.slice(0, -1);
  return `${cut}…`;
}
