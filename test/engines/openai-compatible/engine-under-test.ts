/**
 * An engine pointed at a replay server with fast retries and short timeouts, so failure tests stay quick.
 */
import { OpenAICompatibleEngine } from "../../../engines/openai-compatible/openai-compatible-engine.ts";
import type { OpenAICompatibleEngineOptions } from "../../../engines/openai-compatible/openai-compatible-options.ts";
import type { GenerationEvent } from "../../../engines/engine.ts";
import type { ReplayOpenAIServer } from "./replay-openai-server.ts";
import { loopbackEngineNetwork } from "./loopback-network.ts";
import { model } from "./wire-format.ts";

export function engineFor(server: ReplayOpenAIServer, overrides: Partial<OpenAICompatibleEngineOptions> = {}): OpenAICompatibleEngine {
  return new OpenAICompatibleEngine({
    baseUrl: server.baseUrl,
    upstreamModel: model,
    contextLength: 4096,
    requestTimeoutMillis: 2_000,
    maxRetries: 2,
    initialBackoffMillis: 5,
    maxBackoffMillis: 100,
    random: () => 0.5,
    network: loopbackEngineNetwork,
    ...overrides,
  });
}

export async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const collected: GenerationEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
}

/** Runs `work` and returns what it threw (failing when it did not throw). */
export async function thrownBy(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
