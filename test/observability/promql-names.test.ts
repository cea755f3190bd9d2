import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { metricNamesIn } from "./promql-names.ts";

describe("metricNamesIn", () => {
  it("finds the series of an expression, not its functions, labels, groupings or durations", () => {
    assert.deepEqual(
      metricNamesIn('histogram_quantile(0.95, sum by (model, le) (rate(scheduler_queue_wait_seconds_bucket{kind="stream",model=~"a|b"}[5m]))) > 5'),
      ["scheduler_queue_wait_seconds_bucket"],
    );
    assert.deepEqual(metricNamesIn("sum(a_total) / clamp_min(sum(rate(b_count[$__rate_interval])), 1e-9) or on (service) up == 0"), ["a_total", "b_count", "up"]);
    assert.deepEqual(metricNamesIn("max(nodejs_eventloop_lag_p99_seconds) > 0.5"), ["nodejs_eventloop_lag_p99_seconds"]);
    assert.deepEqual(metricNamesIn('max by (service) (service_dependency_up{dependency="quota-store"} == 0)'), ["service_dependency_up"]);
  });
});
