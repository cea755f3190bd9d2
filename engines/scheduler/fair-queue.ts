import type { TenantShares } from "./tenant-shares.ts";

/** Arrival order across every fair queue of the process: ties between tenants go to the older request. */
let arrivals = 0;

interface Entry<Item> {
  readonly item: Item;
  readonly arrival: number;
}

/** The entry a fair queue would serve next: who, how much service that tenant had, and when it arrived. */
export interface FairCandidate {
  readonly tenantId: string;
  readonly counter: number;
  readonly arrival: number;
}

/** Whether `left` is served before `right`: lower counter first, then earlier arrival. */
export function servedBefore(left: FairCandidate, right: FairCandidate): boolean {
  return left.counter < right.counter || (left.counter === right.counter && left.arrival < right.arrival);
}

/**
 * Waiting work, one FIFO lane per tenant, served in the order `TenantShares` gives: the head of the
 * lane of the tenant with the lowest counter. One tenant's backlog therefore delays another tenant's
 * request by about one unit of service, not by the whole backlog. With one tenant it is plain FIFO.
 */
export class FairQueue<Item> {
  private readonly lanes = new Map<string, Entry<Item>[]>();
  private total = 0;

  constructor(private readonly shares: TenantShares) {}

  get size(): number {
    return this.total;
  }

  sizeOf(tenantId: string): number {
    return this.lanes.get(tenantId)?.length ?? 0;
  }

  push(tenantId: string, item: Item): void {
    let lane = this.lanes.get(tenantId);
    if (lane === undefined) {
      lane = [];
      this.lanes.set(tenantId, lane);
      this.shares.lift(tenantId);
    }
    lane.push({ item, arrival: arrivals++ });
    this.total += 1;
  }

  /** Takes `item` out (its caller went away); false when it was not waiting here. */
  remove(tenantId: string, item: Item): boolean {
    const lane = this.lanes.get(tenantId);
    const index = lane?.findIndex((entry) => entry.item === item) ?? -1;
    if (lane === undefined || index === -1) return false;
    lane.splice(index, 1);
    this.total -= 1;
    if (lane.length === 0) this.lanes.delete(tenantId);
    return true;
  }

  /** What `take` would return, without taking or charging it; only tenants `eligible` accepts count. */
  peek(eligible?: (tenantId: string) => boolean): FairCandidate | undefined {
    let best: FairCandidate | undefined;
    for (const [tenantId, lane] of this.lanes) {
      const head = lane[0];
      if (head === undefined || (eligible !== undefined && !eligible(tenantId))) continue;
      const candidate = { tenantId, counter: this.shares.counterOf(tenantId), arrival: head.arrival };
      if (best === undefined || servedBefore(candidate, best)) best = candidate;
    }
    return best;
  }

  /** Removes and returns the next item in fair order, charging its tenant one unit; undefined when none is eligible. */
  take(eligible?: (tenantId: string) => boolean): { tenantId: string; item: Item } | undefined {
    const next = this.peek(eligible);
    if (next === undefined) return undefined;
    const lane = this.lanes.get(next.tenantId);
    const entry = lane?.shift();
    if (lane === undefined || entry === undefined) return undefined;
    this.total -= 1;
    if (lane.length === 0) this.lanes.delete(next.tenantId);
    this.shares.charge(next.tenantId);
    return { tenantId: next.tenantId, item: entry.item };
  }

  /** Charges work of `tenantId` that starts without waiting (a free slot, nothing of its own queued). */
  chargeUnqueued(tenantId: string): void {
    if (!this.lanes.has(tenantId)) this.shares.lift(tenantId);
    this.shares.charge(tenantId);
  }

  /** Empties the queue, returning every waiting item (closing). */
  drain(): Item[] {
    const items = [...this.lanes.values()].flatMap((lane) => lane.map((entry) => entry.item));
    this.lanes.clear();
    this.total = 0;
    return items;
  }
}
