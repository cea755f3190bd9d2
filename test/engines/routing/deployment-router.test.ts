import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineDescription, GenerationEvent, GenerationRequest, GenerationResult, InferenceEngine } from "../../../engines/engine.ts";
import { EngineError } from "../../../engines/engine-error.ts";
import { CircuitBreaker } from "../../../engines/routing/circuit-breaker.ts";
import { DeploymentRouter, type Deployment } from "../../../engines/routing/deployment-router.ts";
import { SeededRandom } from "../../../engines/gguf/seeded-random.ts";

type Behaviour = "ok" | "unavailable" | "fails-after-first-token" | "context-length" | "hold";

/**
 * TEST DOUBLE: an engine answering `<name>` as its text (one delta per character), or failing as
 * its current behaviour says; counts its calls.
 */
class ScriptedEngine implements InferenceEngine {
  calls = 0;
  behaviour: Behaviour = "ok";
  readonly #name: string;
  readonly #held: (() => void)[] = [];

  constructor(name: string, readonly contextLength = 4096) {
    this.#name = name;
  }

  describe(): EngineDescription {
    return { kind: "openai-compatible", contextLength: this.contextLength, embeddingDimensions: undefined };
  }

  releaseHeld(): void {
    for (const release of this.#held.splice(0)) release();
  }

  async *streamGeneration(_request: GenerationRequest): AsyncIterable<GenerationEvent> {
    this.calls += 1;
    yield { type: "text-start" };
    await this.#before();
    const characters = [...this.#name];
    for (const [index, text] of characters.entries()) {
      yield { type: "text-delta", index, text };
      if (this.behaviour === "fails-after-first-token") throw new EngineError("unavailable", `${this.#name} dropped the stream`);
    }
    yield { type: "text-end", result: this.#result() };
  }

  async generateBatch(requests: readonly GenerationRequest[]): Promise<GenerationResult[]> {
    this.calls += 1;
    await this.#before();
    return requests.map(() => this.#result());
  }

  async embedBatch(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls += 1;
    await this.#before();
    return texts.map(() => Float32Array.from([1]));
  }

  async countPromptTokens(): Promise<{ tokens: number; exact: boolean }> {
    return { tokens: 1, exact: true };
  }

  async applyChatTemplate(): Promise<string> {
    return "";
  }

  async close(): Promise<void> {}

  async #before(): Promise<void> {
    if (this.behaviour === "unavailable") throw new EngineError("unavailable", `${this.#name} is down`);
    if (this.behaviour === "context-length") throw new EngineError("context-overflow", "too long");
    if (this.behaviour === "hold") await new Promise<void>((resolve) => this.#held.push(resolve));
  }

  #result(): GenerationResult {
    return { text: this.#name, finishReason: "stop", usage: { promptTokens: 1, completionTokens: this.#name.length } };
  }
}

/** Uniform in [0, 1) from a seeded generator, so the split test is the same on every run. */
function uniform(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.nextUint32() / 2 ** 32;
}

const request: GenerationRequest = { prompt: { kind: "text", text: "hi" }, parameters: { maxTokens: 8 } };

function deployment(name: string, options: Partial<Omit<Deployment, "name" | "engine">> = {}): Deployment & { engine: ScriptedEngine } {
  return { name, engine: new ScriptedEngine(name), weight: 1, priority: 0, ...options };
}

async function collect(stream: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const events: GenerationEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function textOf(router: DeploymentRouter): Promise<string> {
  const [result] = await router.generateBatch([request]);
  return result?.text ?? "";
}

describe("CircuitBreaker", () => {
  it("opens after the threshold of failures in a row, lets one probe through when half-open, and closes on its success", () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMillis: 1_000, now: () => now });
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    assert.equal(breaker.state, "CLOSED", "a success resets the count");
    breaker.recordFailure();
    assert.equal(breaker.state, "OPEN");
    assert.equal(breaker.tryAcquire(), false);
    now = 999;
    assert.equal(breaker.state, "OPEN");
    now = 1_000;
    assert.equal(breaker.state, "HALF_OPEN");
    assert.equal(breaker.tryAcquire(), true, "the probe");
    assert.equal(breaker.tryAcquire(), false, "one probe at a time");
    breaker.recordFailure();
    assert.equal(breaker.state, "OPEN", "a failed probe opens it again");
    now = 2_000;
    assert.equal(breaker.tryAcquire(), true);
    breaker.recordNeutral();
    assert.equal(breaker.tryAcquire(), true, "a cancelled probe frees the slot");
    breaker.recordSuccess();
    assert.equal(breaker.state, "CLOSED");
  });
});

describe("DeploymentRouter", () => {
  it("splits traffic by weight within ±2 % over 10,000 calls", async () => {
    const deployments = [deployment("a", { weight: 70 }), deployment("b", { weight: 20 }), deployment("c", { weight: 10 })];
    const router = new DeploymentRouter({ modelId: "m", deployments, random: uniform(7) });
    for (let call = 0; call < 10_000; call += 1) await router.generateBatch([request]);
    const shares = deployments.map((entry) => entry.engine.calls / 10_000);
    for (const [index, expected] of [0.7, 0.2, 0.1].entries()) assert.ok(Math.abs((shares[index] ?? 0) - expected) <= 0.02, `share ${index}: ${shares[index]} against ${expected}`);
  });

  it("serves only the best priority while it is healthy, and fails over to the next priority with no error for the caller", async () => {
    const primary = deployment("primary");
    const secondPrimary = deployment("primary-2");
    const fallback = deployment("fallback", { priority: 1 });
    const router = new DeploymentRouter({ modelId: "m", deployments: [primary, secondPrimary, fallback] });
    for (let call = 0; call < 20; call += 1) assert.match(await textOf(router), /^primary/);
    assert.equal(fallback.engine.calls, 0);
    primary.engine.behaviour = "unavailable";
    for (let call = 0; call < 5; call += 1) assert.equal(await textOf(router), "primary-2", "the same priority first");
    secondPrimary.engine.behaviour = "unavailable";
    assert.equal(await textOf(router), "fallback");
    assert.deepEqual(await router.embedBatch(["x"]), [Float32Array.from([1])]);
  });

  it("fails a stream over before its first token (one text-start reaches the caller), never after", async () => {
    const down = deployment("down", { weight: 1_000 });
    const up = deployment("up", { weight: 1 });
    down.engine.behaviour = "unavailable";
    const router = new DeploymentRouter({ modelId: "m", deployments: [down, up], random: () => 0 });
    const events = await collect(router.streamGeneration(request));
    assert.deepEqual(events.map((event) => event.type), ["text-start", "text-delta", "text-delta", "text-end"]);
    assert.equal(events.flatMap((event) => (event.type === "text-delta" ? [event.text] : [])).join(""), "up");

    const dropping = deployment("dropping", { weight: 1_000 });
    const spare = deployment("spare", { weight: 1 });
    dropping.engine.behaviour = "fails-after-first-token";
    const afterTokens = new DeploymentRouter({ modelId: "m", deployments: [dropping, spare], random: () => 0 });
    const seen: GenerationEvent[] = [];
    await assert.rejects(async () => {
      for await (const event of afterTokens.streamGeneration(request)) seen.push(event);
    }, /dropped the stream/);
    assert.deepEqual(seen.map((event) => event.type), ["text-start", "text-delta"]);
    assert.equal(spare.engine.calls, 0, "no second text after tokens were delivered");
  });

  it("passes non-retryable failures straight on, without failing over or counting them against the deployment", async () => {
    const first = deployment("first", { weight: 1_000 });
    const second = deployment("second", { weight: 1 });
    first.engine.behaviour = "context-length";
    const router = new DeploymentRouter({ modelId: "m", deployments: [first, second], circuitBreaker: { failureThreshold: 1 }, random: () => 0 });
    await assert.rejects(router.generateBatch([request]), (error: unknown) => error instanceof EngineError && error.code === "context-overflow");
    assert.equal(second.engine.calls, 0);
    assert.deepEqual(router.status().map((status) => status.circuit), ["CLOSED", "CLOSED"]);
  });

  it("skips an open deployment, probes it once when half-open, and takes it back after a successful probe", async () => {
    let now = 0;
    const flaky = deployment("flaky", { weight: 1_000 });
    const steady = deployment("steady", { weight: 1 });
    const router = new DeploymentRouter({ modelId: "m", deployments: [flaky, steady], circuitBreaker: { failureThreshold: 2, openMillis: 10_000, now: () => now }, random: () => 0 });
    flaky.engine.behaviour = "unavailable";
    assert.equal(await textOf(router), "steady");
    assert.equal(await textOf(router), "steady");
    assert.equal(router.status()[0]?.circuit, "OPEN");
    const callsWhenOpened = flaky.engine.calls;
    for (let call = 0; call < 10; call += 1) assert.equal(await textOf(router), "steady");
    assert.equal(flaky.engine.calls, callsWhenOpened, "an open deployment gets no calls");
    now = 10_000;
    assert.equal(router.status()[0]?.circuit, "HALF_OPEN");
    assert.equal(await textOf(router), "steady", "the probe failed: the call failed over");
    assert.equal(flaky.engine.calls, callsWhenOpened + 1, "exactly one probe");
    assert.equal(router.status()[0]?.circuit, "OPEN");
    now = 20_000;
    flaky.engine.behaviour = "ok";
    assert.equal(await textOf(router), "flaky", "the probe succeeded");
    assert.equal(router.status()[0]?.circuit, "CLOSED");
  });

  it("does not count a token count's success (often local: a tokenizer file) as the server's health", async () => {
    const down = deployment("down", { weight: 1_000 });
    const up = deployment("up", { weight: 1 });
    down.engine.behaviour = "unavailable";
    const router = new DeploymentRouter({ modelId: "m", deployments: [down, up], circuitBreaker: { failureThreshold: 2 }, random: () => 0 });
    await router.countPromptTokens({ kind: "text", text: "hi" });
    assert.equal(await textOf(router), "up");
    await router.countPromptTokens({ kind: "text", text: "hi" });
    assert.equal(await textOf(router), "up");
    assert.equal(router.status()[0]?.circuit, "OPEN", "two failures in a row, whatever counted tokens between them");
  });

  it("answers with the last failure when every deployment failed, and says so while every circuit is open", async () => {
    const a = deployment("a");
    const b = deployment("b");
    a.engine.behaviour = "unavailable";
    b.engine.behaviour = "unavailable";
    const router = new DeploymentRouter({ modelId: "m", deployments: [a, b], circuitBreaker: { failureThreshold: 1 } });
    await assert.rejects(router.generateBatch([request]), /is down/);
    await assert.rejects(router.generateBatch([request]), (error: unknown) => error instanceof EngineError && error.retryable && /Every deployment of model m is failing/.test(error.message));
  });

  it("sends the next call to the deployment with the fewest calls in flight for its capacity (LEAST_BUSY)", async () => {
    const large = deployment("large", { maxConcurrentRequests: 4 });
    const small = deployment("small", { maxConcurrentRequests: 1 });
    const router = new DeploymentRouter({ modelId: "m", deployments: [large, small], strategy: "LEAST_BUSY" });
    large.engine.behaviour = "hold";
    small.engine.behaviour = "hold";
    const running = [router.generateBatch([request]), router.generateBatch([request]), router.generateBatch([request])];
    await new Promise((resolve) => setImmediate(resolve));
    // 3 calls on an idle pair: large takes 2 (2/4) while small takes 1 (1/1).
    assert.deepEqual(router.status().map((status) => status.inFlight), [2, 1]);
    const fourth = router.generateBatch([request]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(router.status().map((status) => status.inFlight), [3, 1]);
    large.engine.releaseHeld();
    small.engine.releaseHeld();
    await Promise.all([...running, fourth]);
    assert.deepEqual(router.status().map((status) => status.inFlight), [0, 0]);
  });

  it("counts nothing against a deployment when the caller stops reading a stream", async () => {
    const only = deployment("only");
    const router = new DeploymentRouter({ modelId: "m", deployments: [only], circuitBreaker: { failureThreshold: 1 } });
    for await (const event of router.streamGeneration(request)) if (event.type === "text-delta") break;
    assert.deepEqual(router.status(), [{ name: "only", circuit: "CLOSED", inFlight: 0 }]);
  });

  it("describes the shortest context of its deployments and refuses deployments of different embedding sizes", () => {
    const router = new DeploymentRouter({ modelId: "m", deployments: [{ ...deployment("a"), engine: new ScriptedEngine("a", 8192) }, { ...deployment("b"), engine: new ScriptedEngine("b", 2048) }] });
    assert.equal(router.describe().contextLength, 2048);
    const embedding = (dimensions: number) => Object.assign(new ScriptedEngine("e"), { describe: () => ({ kind: "openai-compatible" as const, contextLength: 512, embeddingDimensions: dimensions }) });
    assert.throws(() => new DeploymentRouter({ modelId: "m", deployments: [{ ...deployment("x"), engine: embedding(384) }, { ...deployment("y"), engine: embedding(768) }] }), /different dimensions/);
  });
});
