import type { MeteredUsage } from "../platform/metering/metered-usage.ts";
import type { RequestContext } from "../platform/context/request-context.ts";
import type { OperationDeadline } from "./operation-deadline.ts";

/** The gateway's per-operation context: who is calling. Data sources forward it to subgraphs. */
export interface GatewayContext {
  request: RequestContext;
  /** Aborts when the HTTP client goes away; subgraph fetches made for it are cancelled. */
  signal?: AbortSignal;
  /**
   * When the operation's time is up (OPERATION_DEADLINE_MILLIS after its request arrived): each
   * subgraph fetch waits at most the time left. Set for queries and mutations, over HTTP or
   * WebSocket; never for subscriptions, nor when the deadline is 0 (none).
   */
  deadline?: OperationDeadline;
  /** What the model calls of this operation used, summed from the subgraphs' `extensions.metered` (see `platform/metering/`). */
  metered?: MeteredUsage;
  /** True for the queries the gateway runs through itself (the cost analysis reading prices and quotas): not analysed again. */
  internal?: boolean;
}
