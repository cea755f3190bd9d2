import { z } from "zod";
import { integerVariable } from "../../../platform/config/parse-environment.ts";

/** Which models an inference replica loads before it reports ready. */
export interface WarmUpSettings {
  /**
   * `WARM_UP_MODELS`: model ids or aliases, comma-separated; `*` for every ACTIVE model of the
   * registry (in id order, up to `maxModels`). Default: none, and /readyz does not wait for models.
   */
  models: readonly string[] | "active";
  /** `WARM_UP_MAX_MODELS`: most models loaded for `*`, a memory budget in models. Default 4. */
  maxModels: number;
  /** `WARM_UP_RETRY_SECONDS`: wait before loading a model that failed again (its file may still be copying in). Default 10. */
  retrySeconds: number;
}

export const warmUpEnvironment = {
  WARM_UP_MODELS: z.string().default(""),
  WARM_UP_MAX_MODELS: integerVariable(4, 1, 1_000),
  WARM_UP_RETRY_SECONDS: integerVariable(10, 1, 3_600),
};

export function toWarmUpSettings(values: { WARM_UP_MODELS: string; WARM_UP_MAX_MODELS: number; WARM_UP_RETRY_SECONDS: number }): WarmUpSettings {
  const names = values.WARM_UP_MODELS.split(",").map((name) => name.trim()).filter((name) => name !== "");
  return {
    models: names.length === 1 && names[0] === "*" ? "active" : [...new Set(names)],
    maxModels: values.WARM_UP_MAX_MODELS,
    retrySeconds: values.WARM_UP_RETRY_SECONDS,
  };
}
