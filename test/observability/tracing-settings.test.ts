import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { tracingSettingsFromEnvironment } from "../../platform/tracing/tracing-settings.ts";

describe("tracing settings (OTEL_* variables)", () => {
  it("is off unless an OTLP endpoint or the otlp exporter is configured", () => {
    assert.deepEqual(tracingSettingsFromEnvironment({}), { enabled: false, captureMessageContent: false, sampler: { name: "parentbased_always_on", ratio: 1 } });
    assert.equal(tracingSettingsFromEnvironment({ OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER: "always_on" }).enabled, false);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).enabled, true);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" }).enabled, true);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_TRACES_EXPORTER: "otlp" }).enabled, true);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " }).enabled, false);
  });

  it("OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none win over an endpoint", () => {
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" }).enabled, false);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_TRACES_EXPORTER: "none" }).enabled, false);
  });

  it("captures prompt and completion text only when explicitly enabled", () => {
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" }).captureMessageContent, false);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "TRUE" }).captureMessageContent, true);
    assert.equal(tracingSettingsFromEnvironment({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "yes" }).captureMessageContent, false);
  });

  it("refuses exporters and protocols it does not ship, naming the variable", () => {
    assert.throws(() => tracingSettingsFromEnvironment({ OTEL_TRACES_EXPORTER: "jaeger" }), (error: unknown) => error instanceof ConfigurationError && error.problems[0]?.variable === "OTEL_TRACES_EXPORTER");
    assert.throws(() => tracingSettingsFromEnvironment({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }), (error: unknown) => error instanceof ConfigurationError && error.problems[0]?.variable === "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
  });

  it("reads the sampler from OTEL_TRACES_SAMPLER and its ratio from OTEL_TRACES_SAMPLER_ARG", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    assert.deepEqual(tracingSettingsFromEnvironment(endpoint).sampler, { name: "parentbased_always_on", ratio: 1 });
    assert.deepEqual(tracingSettingsFromEnvironment({ ...endpoint, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.01" }).sampler, { name: "parentbased_traceidratio", ratio: 0.01 });
    assert.deepEqual(tracingSettingsFromEnvironment({ ...endpoint, OTEL_TRACES_SAMPLER: " TraceIdRatio " }).sampler, { name: "traceidratio", ratio: 1 });
    assert.deepEqual(tracingSettingsFromEnvironment({ ...endpoint, OTEL_TRACES_SAMPLER: "always_off", OTEL_TRACES_SAMPLER_ARG: "0.5" }).sampler, { name: "always_off", ratio: 1 });
  });

  it("refuses an unknown sampler or a ratio outside 0 to 1, naming the variable, but only where spans are exported", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" };
    const names = (variable: string) => (error: unknown) => error instanceof ConfigurationError && error.problems[0]?.variable === variable;
    assert.throws(() => tracingSettingsFromEnvironment({ ...endpoint, OTEL_TRACES_SAMPLER: "jaeger_remote" }), names("OTEL_TRACES_SAMPLER"));
    assert.throws(() => tracingSettingsFromEnvironment({ ...endpoint, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" }), names("OTEL_TRACES_SAMPLER_ARG"));
    assert.throws(() => tracingSettingsFromEnvironment({ ...endpoint, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "one percent" }), names("OTEL_TRACES_SAMPLER_ARG"));
    assert.equal(tracingSettingsFromEnvironment({ OTEL_TRACES_SAMPLER: "jaeger_remote" }).enabled, false);
  });
});
