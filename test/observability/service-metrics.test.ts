/**
 * A service's Prometheus registry (platform/metrics/service-metrics.ts): the settings every service
 * reads (metrics-settings.ts), the event-loop resolution reaching prom-client's collector, and the
 * families served one by one (`?name[]=`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { performance } from "node:perf_hooks";
import { loadCommonConfig } from "../../platform/config/common-config.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { defaultMetricsSettings } from "../../platform/metrics/metrics-settings.ts";
import { ServiceMetrics } from "../../platform/metrics/service-metrics.ts";

/** The sum of a family's samples in exposition text (`undefined` when it has none). */
function sumOf(text: string, name: string): number | undefined {
  const lines = text.split("\n").filter((candidate) => candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `));
  return lines.length === 0 ? undefined : lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("metrics settings (METRICS_* variables)", () => {
  it("samples the event loop every 10 ms unless METRICS_EVENT_LOOP_RESOLUTION_MILLIS says otherwise", () => {
    assert.equal(loadCommonConfig({}).metrics.eventLoopResolutionMillis, 10);
    assert.equal(defaultMetricsSettings.eventLoopResolutionMillis, 10);
    assert.equal(loadCommonConfig({ METRICS_EVENT_LOOP_RESOLUTION_MILLIS: "250" }).metrics.eventLoopResolutionMillis, 250);
  });

  it("refuses a resolution that is not a whole number of milliseconds from 1 to 60,000, naming the variable", () => {
    for (const value of ["0", "-5", "2.5", "ten", "60001"]) {
      assert.throws(
        () => loadCommonConfig({ METRICS_EVENT_LOOP_RESOLUTION_MILLIS: value }),
        (error: unknown) => error instanceof ConfigurationError && error.problems.some((problem) => problem.variable === "METRICS_EVENT_LOOP_RESOLUTION_MILLIS"),
        value,
      );
    }
  });

  it("gives prom-client's event-loop histogram the configured resolution (an idle loop reads about the resolution)", async () => {
    // The histogram records the time between samples: about 0.2 s each at 200 ms, 0.01 s at
    // prom-client's default. prom-client empties it at each collection, so each read waits for samples.
    const metrics = new ServiceMetrics("metrics-settings-test", { ...defaultMetricsSettings, eventLoopResolutionMillis: 200 });
    try {
      let minimum: number | undefined;
      for (let attempt = 0; attempt < 30 && !(minimum !== undefined && minimum > 0); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        minimum = sumOf(await metrics.exposition(), "nodejs_eventloop_lag_min_seconds");
      }
      assert.ok(minimum !== undefined && minimum >= 0.15, `nodejs_eventloop_lag_min_seconds ${minimum}`);
    } finally {
      metrics.registry.clear();
    }
  });
});

describe("ServiceMetrics.exposition with names (?name[]=)", () => {
  it("serves families whose values another family's collection sets with those values, not 0", async () => {
    const metrics = new ServiceMetrics("exposition-test", defaultMetricsSettings);
    try {
      // Give the event-loop histogram (10 ms resolution) a few samples, and the CPU counters (which
      // count from the registry's creation) some user time.
      await new Promise((resolve) => setTimeout(resolve, 200));
      let spun = 0;
      for (const started = performance.now(); performance.now() - started < 30; ) spun += 1;
      assert.ok(spun > 0);
      for (const name of ["process_cpu_user_seconds_total", "nodejs_eventloop_lag_p99_seconds", "nodejs_heap_size_used_bytes", "nodejs_heap_space_size_used_bytes", "process_virtual_memory_bytes"]) {
        const value = sumOf(await metrics.exposition([name]), name);
        assert.ok(value !== undefined && value > 0, `${name} alone read ${value}`);
      }
    } finally {
      metrics.registry.clear();
    }
  });

  it("collects a family that sets others once, when it is asked for with them", async () => {
    const metrics = new ServiceMetrics("exposition-test", defaultMetricsSettings);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const text = await metrics.exposition(["nodejs_eventloop_lag_seconds", "nodejs_eventloop_lag_min_seconds", "nodejs_eventloop_lag_p99_seconds", "nodejs_eventloop_lag_p99_seconds"]);
      // Collected twice, the second collection would read the histogram the first one emptied.
      const minimum = sumOf(text, "nodejs_eventloop_lag_min_seconds");
      assert.ok(minimum !== undefined && minimum > 0 && minimum < 1, `nodejs_eventloop_lag_min_seconds ${minimum}`);
      assert.equal(text.split("\n").filter((line) => line.startsWith("nodejs_eventloop_lag_p99_seconds")).length, 1, "a family asked for twice is served once");
    } finally {
      metrics.registry.clear();
    }
  });
});
