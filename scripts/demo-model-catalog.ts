/**
 * The models `npm start` seeds on embedded defaults: one chat model and one embedding model, real
 * (downloaded once, hash-checked) or generated (random weights, no download). Each kind answers to
 * the same names, `demo` / `demo-chat` and `demo-embedding`, so the README's examples work with either.
 */
import type { DemoModelsKind } from "./demo-models-setting.ts";
import type { DemoRole } from "./demo-seeding-record.ts";

export interface DemoModel {
  role: DemoRole;
  kind: DemoModelsKind;
  id: string;
  aliases: readonly string[];
  /** File in MODELS_DIR; registered as the relative `modelPath`. Capabilities, context length and size come from its metadata. */
  file: string;
  /** Shown to people. Default: the GGUF's `general.name`. */
  displayName?: string;
  /** Registered family. Default: the GGUF's `general.architecture`. */
  family?: string;
  /** Real models: what is downloaded, said before the download starts. */
  download?: string;
}

/** Family of the generated models: how a listing tells random weights from real ones. */
export const generatedFamily = "generated-llama";

/** The name each role answers to, whichever kind serves it: seeding checks it before registering. */
export const roleNames: Readonly<Record<DemoRole, string>> = { chat: "demo-chat", embedding: "demo-embedding" };

export const demoRoles: readonly DemoRole[] = ["chat", "embedding"];

export const demoModels: Readonly<Record<DemoModelsKind, Readonly<Record<DemoRole, DemoModel>>>> = {
  real: {
    chat: {
      role: "chat",
      kind: "real",
      id: "smollm2-135m-instruct",
      aliases: ["demo", "demo-chat"],
      file: "SmolLM2-135M-Instruct.Q4_1.gguf",
      // The file's general.name is a training-run tag ("Smollm2 135M 8k Lc100K Mix1 Ep2").
      displayName: "SmolLM2 135M Instruct (Q4_1)",
      download: "SmolLM2-135M-Instruct Q4_1, 98 MB",
    },
    embedding: {
      role: "embedding",
      kind: "real",
      id: "all-minilm-l6-v2",
      aliases: ["demo-embedding"],
      file: "all-MiniLM-L6-v2.f16.gguf",
      download: "all-MiniLM-L6-v2 safetensors, 91 MB, converted here to a 46 MB GGUF",
    },
  },
  generated: {
    chat: {
      role: "chat",
      kind: "generated",
      id: "demo-chat",
      aliases: ["demo"],
      file: "demo-chat.gguf",
      displayName: "Demo chat (random weights: its output is random text)",
      family: generatedFamily,
    },
    embedding: {
      role: "embedding",
      kind: "generated",
      id: "demo-embedding",
      aliases: [],
      file: "demo-embedding.gguf",
      displayName: "Demo embeddings (random weights: vectors carry no meaning)",
      family: generatedFamily,
    },
  },
};
