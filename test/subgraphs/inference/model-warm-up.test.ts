/**
 * Readiness means ready: ModelWarmUp holds /readyz's "warm-up" check failing until every model of
 * WARM_UP_MODELS is loaded, retries failed loads, logs its progress, and with `*` loads the
 * registry's ACTIVE models up to the budget. The engines and the store here are test doubles
 * (a loader whose loads the test completes by hand); the real engines are exercised by
 * test/deployment/compiled-services.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResolvedModel } from "../../../engines/model-engines.ts";
import type { Logger } from "../../../platform/logging/logger.ts";
import type { ModelRecord } from "../../../subgraphs/model-registry/model-record.ts";
import { ModelWarmUp } from "../../../subgraphs/inference/warm-up/model-warm-up.ts";
import { toWarmUpSettings } from "../../../subgraphs/inference/warm-up/warm-up-settings.ts";
import { modelRecord } from "../model-registry/model-fixtures.ts";

interface PendingLoad {
  name: string;
  succeed(): void;
  fail(message: string): void;
}

/** Engines whose loads wait for the test (a test double of ModelEngines.resolve). */
function manualEngines(known: readonly ModelRecord[]) {
  const pending: PendingLoad[] = [];
  const waiters: (() => void)[] = [];
  return {
    pending,
    /** Resolves once `count` loads have been asked for. */
    async requested(count: number): Promise<void> {
      while (pending.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    resolve(name: string): Promise<ResolvedModel | undefined> {
      return new Promise((resolve, reject) => {
        pending.push({
          name,
          succeed: () => {
            const model = known.find((candidate) => candidate.id === name);
            resolve(model === undefined ? undefined : ({ model, scheduler: {} } as ResolvedModel));
          },
          fail: (message) => reject(new Error(message)),
        });
        for (const wake of waiters.splice(0)) wake();
      });
    },
  };
}

function recordingLogger(): Logger & { messages: string[] } {
  const messages: string[] = [];
  const record = (message: string) => void messages.push(message);
  return { messages, debug: record, info: record, warn: record, error: record };
}

async function readiness(warmUp: ModelWarmUp): Promise<string> {
  try {
    await warmUp.readinessCheck().check();
    return "ok";
  } catch (error) {
    return (error as Error).message;
  }
}

const settings = (models: string, maxModels = 4) => toWarmUpSettings({ WARM_UP_MODELS: models, WARM_UP_MAX_MODELS: maxModels, WARM_UP_RETRY_SECONDS: 1 });

describe("WARM_UP_MODELS", () => {
  it("parses names, `*` and nothing", () => {
    assert.deepEqual(settings(" chat , embed,chat ").models, ["chat", "embed"]);
    assert.equal(settings("*").models, "active");
    assert.deepEqual(settings("").models, []);
  });
});

describe("ModelWarmUp", () => {
  it("is not ready until every named model is loaded, one after another, and logs its progress", async () => {
    const models = [modelRecord({ id: "chat" }), modelRecord({ id: "embed" })];
    const engines = manualEngines(models);
    const logger = recordingLogger();
    const warmUp = new ModelWarmUp({ engines, models: { list: async () => models }, settings: settings("chat,embed"), logger });
    assert.equal(await readiness(warmUp), "not started");
    warmUp.start();
    await engines.requested(1);
    assert.match(await readiness(warmUp), /loading model 1 of 2 \(chat\)/);
    assert.equal(engines.pending.length, 1, "models load one at a time");
    engines.pending[0]!.succeed();
    await engines.requested(2);
    assert.match(await readiness(warmUp), /loading model 2 of 2 \(embed\)/);
    engines.pending[1]!.succeed();
    await warmUp.finished();
    assert.equal(await readiness(warmUp), "ok");
    assert.deepEqual(logger.messages, [
      "warm-up: loading models before reporting ready",
      "warm-up: model loaded",
      "warm-up: model loaded",
      "warm-up: done, reporting ready",
    ]);
  });

  it("stays not ready while a load fails, says why, and retries", async () => {
    const models = [modelRecord({ id: "chat" })];
    const engines = manualEngines(models);
    const logger = recordingLogger();
    const warmUp = new ModelWarmUp({ engines, models: { list: async () => models }, settings: settings("chat"), logger });
    warmUp.start();
    await engines.requested(1);
    engines.pending[0]!.fail("Model file /models/chat.gguf is missing");
    await engines.requested(2);
    // Between the failure and the retry, or during the retry: either way not ready.
    assert.notEqual(await readiness(warmUp), "ok");
    assert.ok(logger.messages.some((message) => /loading model 1 of 1 \(chat\) failed; not ready, retrying/.test(message)));
    engines.pending[1]!.succeed();
    await warmUp.finished();
    assert.equal(await readiness(warmUp), "ok");
  });

  it("a name no model has is an error it retries, not a silent success", async () => {
    const engines = manualEngines([]);
    const warmUp = new ModelWarmUp({ engines, models: { list: async () => [] }, settings: settings("ghost"), logger: recordingLogger() });
    warmUp.start();
    await engines.requested(1);
    engines.pending[0]!.succeed();
    await engines.requested(2);
    assert.match(await readiness(warmUp), /no model is named ghost|loading model 1 of 1/);
    warmUp.stop();
    engines.pending[1]!.succeed();
    await warmUp.finished();
    assert.equal(await readiness(warmUp), "stopped");
  });

  it("`*` loads the ACTIVE models in id order, up to WARM_UP_MAX_MODELS, and warns about the rest", async () => {
    const models = [
      modelRecord({ id: "zeta" }),
      modelRecord({ id: "alpha" }),
      modelRecord({ id: "old", status: "DEPRECATED" }),
      modelRecord({ id: "mid" }),
    ];
    const engines = manualEngines(models);
    const logger = recordingLogger();
    const warmUp = new ModelWarmUp({ engines, models: { list: async () => models }, settings: settings("*", 2), logger });
    warmUp.start();
    await engines.requested(1);
    engines.pending[0]!.succeed();
    await engines.requested(2);
    engines.pending[1]!.succeed();
    await warmUp.finished();
    assert.deepEqual(engines.pending.map((load) => load.name), ["alpha", "mid"]);
    assert.ok(logger.messages.includes("warm-up: more ACTIVE models than WARM_UP_MAX_MODELS; the rest load on first use"));
    assert.equal(await readiness(warmUp), "ok");
  });
});
