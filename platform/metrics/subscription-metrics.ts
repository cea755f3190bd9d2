import { Counter, Gauge } from "prom-client";
import type { ServiceMetrics } from "./service-metrics.ts";

/** Federated subscriptions at the gateway: how many are open, and the events sent to clients. */
export interface SubscriptionMetrics {
  open: Gauge;
  started: Counter;
  eventsSent: Counter;
}

export function defineSubscriptionMetrics(metrics: ServiceMetrics): SubscriptionMetrics {
  const registers = [metrics.registry];
  return {
    open: new Gauge({ name: "gateway_subscriptions_open", help: "Federated subscriptions open now (graphql-ws, SSE and multipart together).", registers }),
    started: new Counter({ name: "gateway_subscriptions_started_total", help: "Federated subscriptions started.", registers }),
    eventsSent: new Counter({ name: "gateway_subscription_events_sent_total", help: "Subscription events (results) sent to clients.", registers }),
  };
}
