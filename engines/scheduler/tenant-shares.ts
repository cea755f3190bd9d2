/** Weight of a tenant the weights do not name. */
export const defaultTenantWeight = 1;

/**
 * Virtual counters of the service each tenant received, for fair queuing over tenants: the scheme of
 * "virtual token counters" (Sheng et al., "Fairness in Serving Large Language Models", OSDI 2024),
 * asked of vLLM and llm-d, with start-time fair queuing's virtual time.
 *
 * - Serving a tenant one unit (a stream admitted, a request put in a batch) adds 1 / weight to its
 *   counter: with weights 2:1 a backlogged tenant gets two units for the other's one.
 * - The next unit goes to the waiting tenant with the lowest counter (its queue decides ties by arrival).
 * - A tenant that starts waiting after having nothing queued is lifted to the virtual time (the counter
 *   of the last tenant served), so time spent idle is not banked as credit: it is served next, but
 *   cannot then take many units in a row from tenants that kept the engine busy meanwhile.
 *
 * The unit is a request, not tokens: the scheduler does not know a generation's length before it
 * ends, and token use per tenant is what quotas bound (usage metering). A tenant's counter stays while
 * the process lives: one number per tenant, and tenants are the API keys' tenants, a bounded set.
 */
export class TenantShares {
  private readonly weights: ReadonlyMap<string, number>;
  private readonly counters = new Map<string, number>();
  private virtualTime = 0;

  /** `weights` by tenant id; a tenant absent from it weighs `defaultTenantWeight`. */
  constructor(weights: Readonly<Record<string, number>> = {}) {
    this.weights = new Map(Object.entries(weights));
  }

  weightOf(tenantId: string): number {
    return this.weights.get(tenantId) ?? defaultTenantWeight;
  }

  /** Service received so far, divided by weight; a tenant never served stands at the virtual time. */
  counterOf(tenantId: string): number {
    return this.counters.get(tenantId) ?? this.virtualTime;
  }

  /** The tenant starts waiting with nothing else queued: no credit for the time it was idle. */
  lift(tenantId: string): void {
    this.counters.set(tenantId, Math.max(this.counters.get(tenantId) ?? 0, this.virtualTime));
  }

  /** One unit of service to `tenantId`. */
  charge(tenantId: string): void {
    const counter = this.counterOf(tenantId);
    this.virtualTime = Math.max(this.virtualTime, counter);
    this.counters.set(tenantId, counter + 1 / this.weightOf(tenantId));
  }
}
