/**
 * The engine's network policy against server-side request forgery through a registered baseUrl:
 * resolved addresses checked at connect time (DNS rebinding), redirects not followed, upstream error
 * bodies kept out of what clients see.
 */
import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { after, before, describe, it } from "node:test";
import { EngineError } from "../../../engines/engine-error.ts";
import type { GenerationRequest } from "../../../engines/engine.ts";
import { OpenAICompatibleEngine } from "../../../engines/openai-compatible/openai-compatible-engine.ts";
import type { Logger } from "../../../platform/logging/logger.ts";
import { EgressGuard } from "../../../platform/network/egress-policy.ts";
import type { ResolveHost } from "../../../platform/network/guarded-lookup.ts";
import { toServiceError } from "../../../subgraphs/inference/engine-error-mapping.ts";
import { ServiceError } from "../../../platform/errors/service-error.ts";
import { ErrorCode } from "../../../platform/errors/error-code.ts";
import { engineFor, thrownBy } from "./engine-under-test.ts";
import { ReplayOpenAIServer } from "./replay-openai-server.ts";
import { chatStreamEvents, errorBody, jsonReply, model, streamReply } from "./wire-format.ts";

const path = "/v1/chat/completions";
const request: GenerationRequest = { prompt: { kind: "chat", messages: [{ role: "user", content: "Hi" }] }, parameters: { maxTokens: 8 } };
const success = streamReply(chatStreamEvents({ pieces: ["Hello"], usage: { prompt_tokens: 9, completion_tokens: 1 } }));

/** A resolver that answers every name with `address`, and remembers the names it was asked. */
function resolverTo(address: string): { resolveHost: ResolveHost; asked: string[] } {
  const asked: string[] = [];
  const resolveHost: ResolveHost = async (hostName) => {
    asked.push(hostName);
    const answer: LookupAddress = { address, family: address.includes(":") ? 6 : 4 };
    return [answer];
  };
  return { resolveHost, asked };
}

/** A logger that keeps what it is told. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, fields?: Record<string, unknown>): void => {
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { logger: { debug: record, info: record, warn: record, error: record }, lines };
}

describe("OpenAICompatibleEngine network policy", () => {
  let server: ReplayOpenAIServer;
  let port: string;
  before(async () => {
    server = await ReplayOpenAIServer.start();
    port = new URL(server.baseUrl).port;
  });
  after(async () => {
    await server.close();
  });

  it("refuses a baseUrl on an internal address when the engine is created", () => {
    for (const baseUrl of ["http://127.0.0.1:8000/v1", "http://10.1.2.3/v1", "http://169.254.169.254/v1", "http://[::1]:8000/v1", "http://localhost:8000/v1"]) {
      assert.throws(
        () => new OpenAICompatibleEngine({ baseUrl, upstreamModel: model, contextLength: 4096 }),
        (error: unknown) => error instanceof EngineError && error.code === "engine-unavailable" && /network policy/.test(error.message),
        baseUrl,
      );
    }
  });

  it("refuses at connect time a name that resolves to loopback (DNS rebinding), without reaching the server", async () => {
    const baseUrl = `http://rebind.example.com:${port}/v1`;
    // The name passes the check without DNS, as it would at registration.
    new EgressGuard().checkUrl(baseUrl);
    const { resolveHost, asked } = resolverTo("127.0.0.1");
    const before = server.requestsTo(path).length;
    const engine = engineFor(server, { baseUrl, network: { allowedHosts: [], allowPublicNetworks: true }, resolveHost, maxRetries: 2 });
    const error = await thrownBy(() => engine.generateBatch([request]));
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, "engine-unavailable");
    assert.equal(error.retryable, false);
    assert.doesNotMatch(error.message, /127\.0\.0\.1/, "the resolved address is not told to clients");
    assert.deepEqual(asked, ["rebind.example.com"], "refused once, not retried");
    assert.equal(server.requestsTo(path).length, before, "no request reached the loopback server");
    await engine.close();
  });

  it("reaches a loopback engine the operator allowed by name, and one allowed by CIDR", async () => {
    const { resolveHost } = resolverTo("127.0.0.1");
    server.reply(path, success, success);
    const byName = engineFor(server, { baseUrl: `http://engine.internal:${port}/v1`, network: { allowedHosts: ["engine.internal"], allowPublicNetworks: false }, resolveHost });
    const [named] = await byName.generateBatch([request]);
    assert.equal(named?.text, "Hello");
    const byCidr = engineFor(server, { network: { allowedHosts: ["127.0.0.0/8"], allowPublicNetworks: false } });
    const [cidr] = await byCidr.generateBatch([request]);
    assert.equal(cidr?.text, "Hello");
    await byName.close();
    await byCidr.close();
  });

  it("does not follow a redirect, not even to an allowed address", async () => {
    for (const location of ["http://169.254.169.254/latest/meta-data/iam/security-credentials/", `${server.baseUrl}/chat/completions-elsewhere`]) {
      server.reply(path, (_request, response) => {
        response.writeHead(302, { location }).end();
      });
      const before = server.requests.length;
      const error = await thrownBy(() => engineFor(server).generateBatch([request]));
      assert.ok(error instanceof EngineError, String(error));
      assert.equal(error.code, "engine-unavailable");
      assert.equal(error.upstreamStatus, 302);
      assert.match(error.message, /redirect/);
      assert.equal(server.requests.length, before + 1, "only the redirecting request was made");
    }
  });

  it("keeps an upstream error body out of the client's error and writes it to the log", async () => {
    const secret = "SECRET-internal-token-4242";
    const { logger, lines } = recordingLogger();
    const engine = engineFor(server, { maxRetries: 0, logger });
    for (const reply of [
      jsonReply(500, errorBody(`database at 10.0.0.7 says ${secret}`, "InternalServerError", 500)),
      (_request: unknown, response: import("node:http").ServerResponse) => {
        response.writeHead(500, { "content-type": "text/html" }).end(`<html>${secret}</html>`);
      },
      jsonReply(400, { error: { message: `unknown field ${secret}` } }),
    ]) {
      server.reply(path, reply);
      const error = await thrownBy(() => engine.generateBatch([request]));
      assert.ok(error instanceof EngineError, String(error));
      assert.doesNotMatch(error.message, new RegExp(secret));
      assert.doesNotMatch(error.message, /10\.0\.0\.7/);
      const clientError = toServiceError(error, "m");
      assert.ok(clientError instanceof ServiceError);
      assert.doesNotMatch(JSON.stringify({ message: clientError.message, extensions: clientError.extensions }), new RegExp(secret));
      assert.ok([ErrorCode.ServiceUnavailable, ErrorCode.BadUserInput].includes(clientError.code), clientError.code);
      assert.match(clientError.message, /the upstream engine answered HTTP (500|400)/);
    }
    assert.equal(lines.filter((line) => line.includes(secret)).length, 3, "the server log has each body");
    await engine.close();
  });

  it("keeps a refused connection's address out of the client's error", async () => {
    const closed = await ReplayOpenAIServer.start();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const error = await thrownBy(() => engineFor(server, { baseUrl, maxRetries: 0 }).generateBatch([request]));
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(error.code, "unavailable");
    assert.doesNotMatch(error.message, /127\.0\.0\.1|ECONNREFUSED/);
  });
});
