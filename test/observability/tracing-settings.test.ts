import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { tracingSettingsFromEnvironment } from "../../platform/tracing/tracing-settings.ts";

describe("tracing settings (OTEL_* variables)", () => {
  it("is off unless an OTLP endpoint or the otlp exporter is configured", () => {
    assert.deepEqual(tracingSettingsFromEnvironment({}), { enabled: false, captureMessageContent: false });
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
});
