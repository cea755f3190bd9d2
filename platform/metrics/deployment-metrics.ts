import { Counter, Gauge } from "prom-client";
import type { DeploymentCallOutcome, DeploymentStatus } from "../../engines/routing/deployment-router.ts";
import type { ServiceMetrics } from "./service-metrics.ts";

/** A router's current view of its deployments, for the gauges. */
interface RouterSource {
  modelId: string;
  status(): DeploymentStatus[];
}

/**
 * The series of models served by several deployments (engines/routing/): calls per deployment by
 * outcome (`succeeded`; `failed_over`: a retryable failure, after which the next deployment was
 * tried if one was left; `failed`: any other failure, which reached the caller), and, read at scrape time, each deployment's circuit
 * state (1 on the current one of CLOSED, HALF_OPEN, OPEN) and calls in flight.
 */
export interface DeploymentMetrics {
  calls: Counter<"model" | "deployment" | "outcome">;
  circuitState: Gauge<"model" | "deployment" | "state">;
  inFlight: Gauge<"model" | "deployment">;
  routers: Set<RouterSource>;
}

const circuitStates = ["CLOSED", "HALF_OPEN", "OPEN"] as const;

export function defineDeploymentMetrics(metrics: ServiceMetrics): DeploymentMetrics {
  const registers = [metrics.registry];
  const routers = new Set<RouterSource>();
  return {
    routers,
    calls: new Counter({ name: "engine_deployment_calls_total", help: "Engine calls of models with several deployments, by deployment and outcome (succeeded; failed_over: retryable, the next deployment tried if any; failed: passed to the caller).", labelNames: ["model", "deployment", "outcome"], registers }),
    circuitState: new Gauge({
      name: "engine_deployment_circuit_state",
      help: "Circuit of each deployment: 1 on its current state (CLOSED serves, OPEN is skipped, HALF_OPEN lets one probe through).",
      labelNames: ["model", "deployment", "state"],
      registers,
      collect() {
        this.reset();
        for (const router of routers) {
          for (const status of router.status()) {
            for (const state of circuitStates) this.set({ model: router.modelId, deployment: status.name, state }, status.circuit === state ? 1 : 0);
          }
        }
      },
    }),
    inFlight: new Gauge({
      name: "engine_deployment_in_flight",
      help: "Engine calls running on each deployment now (what LEAST_BUSY routing compares).",
      labelNames: ["model", "deployment"],
      registers,
      collect() {
        this.reset();
        for (const router of routers) for (const status of router.status()) this.set({ model: router.modelId, deployment: status.name }, status.inFlight);
      },
    }),
  };
}

/** Counts a router's calls and reports its deployments until the returned function is called (the engine closed). */
export function observeDeploymentRouter(metrics: ServiceMetrics, router: RouterSource): { observe: (deployment: string, outcome: DeploymentCallOutcome) => void; stop: () => void } {
  const series = metrics.concern(defineDeploymentMetrics);
  series.routers.add(router);
  return {
    observe: (deployment, outcome) => series.calls.inc({ model: router.modelId, deployment, outcome }),
    stop: () => series.routers.delete(router),
  };
}
