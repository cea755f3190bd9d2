import { canUseModel } from "../../platform/authorization/model-scope.ts";
import type { ChatMessage, GenerationPrompt, GenerationRequest } from "../../engines/engine.ts";
import type { ModelEngines, ResolvedModel } from "../../engines/model-engines.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { badUserInput, ServiceError } from "../../platform/errors/service-error.ts";
import { chooseSplitArm } from "./alias-split.ts";
import type { ModelCapability, ModelRecord } from "../model-registry/model-record.ts";
import { toServiceError } from "./engine-error-mapping.ts";
import type { CompletionInput } from "./generated/resolvers-types.ts";
import type { InferenceLimits } from "./inference-limits.ts";
import type { RequestContext } from "../../platform/context/request-context.ts";
import { defaultGroundingQuery, fitSources } from "./grounding/grounded-prompt.ts";
import type { GroundingRetriever } from "./grounding/grounding-source.ts";
import { decideGrounding, requestMinSimilarity, type GroundingOutcome } from "./grounding/grounding-decision.ts";

/** A completion request that passed every check: the model serves it and it fits the context. */
export interface PreparedCompletion extends ResolvedModel {
  request: GenerationRequest;
  promptTokens: number;
  /** False when `promptTokens` is the ~4-characters-per-token estimate (no tokenizer for the model). */
  promptTokensExact: boolean;
  /** Chunk ids put in the prompt by grounding, in the order numbered there. */
  citationChunkIds: string[];
  /** For grounded requests: grounded or abstained, on what evidence; null otherwise. */
  grounding: GroundingOutcome | null;
}

/** How a grounded request retrieves its chunks, on behalf of whom. */
export interface GroundingCall {
  retriever: GroundingRetriever;
  request: RequestContext;
  signal?: AbortSignal;
}

/** Most chunks one grounded completion may ask for. */
const maximumGroundingTopK = 20;

/**
 * Checks a completion input before any engine time is spent: the input's shape and ranges, then
 * the model (exists, enabled, has the capability), then the prompt's token count against the
 * context length. Each failure is a GraphQL error with a stable code and the field at fault.
 */
export async function prepareCompletion(
  input: CompletionInput,
  caller: RequestContext,
  engines: ModelEngines,
  limits: InferenceLimits,
  grounding?: GroundingCall,
): Promise<PreparedCompletion> {
  let prompt = promptFromInput(input, limits);
  checkSampling(input, limits);
  const resolved = await resolveServingModel(engines, caller, input.model, prompt.kind === "chat" ? "CHAT" : "COMPLETION", "input.model");
  const { model, scheduler } = resolved;
  const maxTokens = input.maxTokens ?? model.defaultParameters.maxTokens ?? Math.min(limits.defaultMaxTokens, model.contextLength);
  if (!Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > model.contextLength) {
    throw badUserInput("input.maxTokens", `maxTokens must be between 1 and the model's context length (${model.contextLength}), got ${maxTokens}.`);
  }
  const countTokens = async (candidate: GenerationPrompt) => {
    try {
      return await scheduler.countPromptTokens(candidate);
    } catch (error) {
      throw toServiceError(error, model.id);
    }
  };
  let citationChunkIds: string[] = [];
  let groundingOutcome: GroundingOutcome | null = null;
  if (input.grounding !== undefined && input.grounding !== null) {
    if (grounding === undefined) throw new ServiceError(ErrorCode.ServiceUnavailable, "Grounding is not available on this server.", { field: "input.grounding" });
    const topK = input.grounding.topK ?? 4;
    if (!Number.isInteger(topK) || topK < 1 || topK > maximumGroundingTopK) {
      throw badUserInput("input.grounding.topK", `topK must be between 1 and ${maximumGroundingTopK}, got ${topK}.`);
    }
    const query = input.grounding.query ?? defaultGroundingQuery(prompt);
    checkText("input.grounding.query", query, limits);
    requestMinSimilarity(input.grounding);
    const retrieved = await grounding.retriever.retrieve(input.grounding, query, topK, grounding.request, grounding.signal);
    groundingOutcome = decideGrounding(input.grounding, retrieved);
    // Abstaining puts no source in the prompt: the model answers ungrounded, or (NO_ANSWER) nothing runs.
    if (groundingOutcome.status === "GROUNDED") {
      // The sources fill what the prompt and maxTokens leave of the context; the best ones first.
      const fitted = await fitSources(prompt, retrieved.sources, model.contextLength - maxTokens, async (candidate) => (await countTokens(candidate)).tokens);
      prompt = fitted.prompt;
      citationChunkIds = fitted.sources.map((source) => source.chunkId);
    }
  }
  const count = await countTokens(prompt);
  if (count.tokens + maxTokens > model.contextLength) {
    throw new ServiceError(
      ErrorCode.ContextLengthExceeded,
      `The prompt takes ${count.tokens} tokens${count.exact ? "" : " (estimated)"} and maxTokens asks for ${maxTokens}: ${count.tokens + maxTokens} in all, over the context length of ${model.id} (${model.contextLength}).`,
      { field: "input", details: { promptTokens: count.tokens, maxTokens, contextLength: model.contextLength, exactCount: count.exact } },
    );
  }
  const parameters = {
    maxTokens,
    ...optional("temperature", input.temperature ?? model.defaultParameters.temperature),
    ...optional("topP", input.topP ?? model.defaultParameters.topP),
    ...optional("stop", input.stop ?? model.defaultParameters.stop),
    ...optional("seed", input.seed),
  };
  return { ...resolved, request: { prompt, parameters }, promptTokens: count.tokens, promptTokensExact: count.exact, citationChunkIds, grounding: groundingOutcome };
}

/**
 * The model named `name` with its scheduler, if it may serve `capability`: unknown →
 * MODEL_NOT_FOUND, disabled → MODEL_DISABLED, lacking the capability → CAPABILITY_NOT_SUPPORTED.
 */
/**
 * The model named `name` with its scheduler, if `caller` may use it: another tenant's private model
 * reads as absent (`MODEL_NOT_FOUND`), whatever the caller's role.
 */
export async function resolveServingModel(engines: ModelEngines, caller: RequestContext, name: string, capability: ModelCapability | undefined, field: string): Promise<ResolvedModel> {
  const found = await engines.find(name);
  let model = found !== undefined && canUseModel(caller, found.id) ? found : undefined;
  if (model === undefined) throw new ServiceError(ErrorCode.ModelNotFound, `No model has the id or alias "${name}".`, { field });
  checkServes(model, capability, field);
  model = (await splitArm(engines, caller, model, name, capability)) ?? model;
  try {
    return { model, scheduler: await engines.schedulerFor(model) };
  } catch (error) {
    throw toServiceError(error, model.id);
  }
}

/**
 * The arm of a canary or A/B split that serves `caller` (alias-split.ts), when `name` is a split
 * alias of `model` and the caller falls in an arm's share. An arm that is gone, disabled, not the
 * caller's to use or without the capability leaves its share on `model`, so a bad split never fails
 * a request.
 */
async function splitArm(engines: ModelEngines, caller: RequestContext, model: ModelRecord, name: string, capability: ModelCapability | undefined): Promise<ModelRecord | undefined> {
  const armId = chooseSplitArm(model, name, caller);
  if (armId === undefined) return undefined;
  const arm = await engines.find(armId).catch(() => undefined);
  if (arm === undefined || arm.id !== armId || !canUseModel(caller, arm.id) || arm.status === "DISABLED") return undefined;
  return capability === undefined || arm.capabilities.includes(capability) ? arm : undefined;
}

function checkServes(model: ModelRecord, capability: ModelCapability | undefined, field: string): void {
  if (model.status === "DISABLED") {
    throw new ServiceError(ErrorCode.ModelDisabled, `Model ${model.id} is disabled.`, { field });
  }
  if (capability !== undefined && !model.capabilities.includes(capability)) {
    throw new ServiceError(ErrorCode.CapabilityNotSupported, `Model ${model.id} cannot do ${capability}; it can do ${model.capabilities.join(", ")}.`, {
      field,
      details: { capabilities: model.capabilities },
    });
  }
}

function promptFromInput(input: CompletionInput, limits: InferenceLimits): GenerationPrompt {
  const hasPrompt = input.prompt !== undefined && input.prompt !== null;
  const hasMessages = input.messages !== undefined && input.messages !== null;
  if (hasPrompt === hasMessages) throw badUserInput("input", "Give either prompt or messages, not both and not neither.");
  if (hasPrompt) {
    const text = input.prompt ?? "";
    checkText("input.prompt", text, limits);
    return { kind: "text", text };
  }
  const messages = input.messages ?? [];
  if (messages.length === 0) throw badUserInput("input.messages", "messages must not be empty.");
  if (messages.length > limits.maximumMessages) throw badUserInput("input.messages", `At most ${limits.maximumMessages} messages.`);
  return {
    kind: "chat",
    messages: messages.map((message, index): ChatMessage => {
      checkText(`input.messages[${index}].content`, message.content, limits);
      return { role: message.role.toLowerCase() as ChatMessage["role"], content: message.content };
    }),
  };
}

export function checkText(field: string, text: string, limits: InferenceLimits): void {
  if (text.trim().length === 0) throw badUserInput(field, "The text is empty.");
  if (text.length > limits.maximumTextCharacters) throw badUserInput(field, `The text has ${text.length} characters; the limit is ${limits.maximumTextCharacters}.`);
}

function checkSampling(input: CompletionInput, limits: InferenceLimits): void {
  if (input.temperature !== undefined && input.temperature !== null && !(input.temperature >= 0 && input.temperature <= 2)) {
    throw badUserInput("input.temperature", `temperature must be between 0 and 2, got ${input.temperature}.`);
  }
  if (input.topP !== undefined && input.topP !== null && !(input.topP > 0 && input.topP <= 1)) {
    throw badUserInput("input.topP", `topP must be greater than 0 and at most 1, got ${input.topP}.`);
  }
  if (input.seed !== undefined && input.seed !== null && input.seed < 0) throw badUserInput("input.seed", "seed must not be negative.");
  const stop = input.stop ?? [];
  if (stop.length > limits.maximumStopSequences) throw badUserInput("input.stop", `At most ${limits.maximumStopSequences} stop sequences.`);
  stop.forEach((sequence, index) => {
    if (sequence.length === 0 || sequence.length > 200) throw badUserInput(`input.stop[${index}]`, "A stop sequence must have 1 to 200 characters.");
  });
}

function optional<Key extends string, Value>(key: Key, value: Value | null | undefined): { [K in Key]?: Value } {
  return value === null || value === undefined ? {} : ({ [key]: value } as { [K in Key]: Value });
}
