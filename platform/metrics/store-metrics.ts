import type { Redis } from "ioredis";
import { Counter, Gauge } from "prom-client";
import type { ServiceMetrics } from "./service-metrics.ts";

/** Health of the stores a service depends on: failures as they happen, and up/down as of each scrape. */
export interface StoreMetrics {
  /** Failed store operations and connection errors, by store (`redis`, `quota-store`...) and kind. */
  errors: Counter<"store" | "kind">;
  /** 1 when the dependency's readiness check passed at scrape time, 0 when it failed. */
  dependencyUp: Gauge<"dependency">;
  /** The checks `dependencyUp` runs at each scrape (see `reportDependencies`). */
  dependencyChecks: DependencyCheck[];
}

/** A readiness check as `/readyz` runs it: resolves when the dependency is usable. */
export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

export function defineStoreMetrics(metrics: ServiceMetrics): StoreMetrics {
  const registers = [metrics.registry];
  const dependencyChecks: DependencyCheck[] = [];
  return {
    dependencyChecks,
    errors: new Counter({ name: "store_errors_total", help: "Store failures: Redis connection errors and failed store calls, by store and kind.", labelNames: ["store", "kind"], registers }),
    dependencyUp: new Gauge({
      name: "service_dependency_up",
      help: "1 when the dependency's readiness check passes (checked at scrape time), else 0.",
      labelNames: ["dependency"],
      registers,
      async collect() {
        await Promise.all(dependencyChecks.map(async ({ name, check }) => this.set({ dependency: name }, await check().then(() => 1, () => 0))));
      },
    }),
  };
}

/** Reports each readiness check as `service_dependency_up{dependency}`, run when Prometheus scrapes. */
export function reportDependencies(metrics: ServiceMetrics, checks: readonly DependencyCheck[]): void {
  metrics.concern(defineStoreMetrics).dependencyChecks.push(...checks);
}

/** Counts the connection's errors (Redis restarting, unreachable) as `store_errors_total{store="redis",kind="connection"}`. */
export function countRedisErrors(metrics: ServiceMetrics, redis: Redis): void {
  const { errors } = metrics.concern(defineStoreMetrics);
  redis.on("error", () => errors.inc({ store: "redis", kind: "connection" }));
}

/** Counts one failed store call (`store` the store's name, `kind` the call) as `store_errors_total`. */
export function countStoreError(metrics: ServiceMetrics, store: string, kind: string): void {
  metrics.concern(defineStoreMetrics).errors.inc({ store, kind });
}
