/**
 * The OpenTelemetry SDK sampler a `SamplerSetting` (OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG)
 * names, as the specification defines each one.
 */
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from "@opentelemetry/sdk-trace-base";
import type { SamplerSetting } from "./tracing-settings.ts";

export function samplerOf(setting: SamplerSetting): Sampler {
  switch (setting.name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(setting.ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setting.ratio) });
  }
}
