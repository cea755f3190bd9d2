/**
 * Issue 15, item 7 and the acceptance: the example apps (examples/apollo-client, examples/urql),
 * bundled with esbuild and run in Debian's Chromium from a page on another origin than the gateway,
 * signed in with a JWT from a local OIDC issuer, against a stack with CORS_ORIGINS set to that
 * origin and persisted documents in `only` mode (the examples' manifests pushed with
 * `npm run persisted-documents -- push`). Each queries, mutates and streams a completion: Apollo
 * Client over multipart HTTP and graphql-ws, urql over SSE.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { build } from "esbuild";
import type { Browser } from "puppeteer-core";
import { generateModel, modelPresets } from "../../engines/gguf/generate-model.ts";
import { documentIdOf } from "../../gateway/persisted-documents/document-id.ts";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { projectRoot } from "../../platform/schema-file.ts";
import { launchChromium } from "../harness/chromium.ts";
import { startOidcTestIssuer, type OidcTestIssuer } from "../harness/oidc-issuer.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { startTestStack, type TestStack } from "../harness/test-stack.ts";

const examples = ["apollo-client", "urql"] as const;
type Example = (typeof examples)[number];
const audience = "aigraph-api";
const registerModel = "mutation ExamplesRegisterModel($input: RegisterModelInput!) { registerModel(input: $input) { id } }";

/** The example's page and its bundle (esbuild, as an app's build would make it), served from memory. */
async function bundleExample(example: Example): Promise<{ html: Buffer; script: Buffer }> {
  const root = join(projectRoot, "examples", example);
  const bundle = await build({
    entryPoints: [join(root, "src", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  const script = bundle.outputFiles[0];
  if (script === undefined) throw new Error(`the ${example} bundle is empty`);
  return { html: await readFile(join(root, "index.html")), script: Buffer.from(script.contents) };
}

/** Serves each example under `/<example>/` on its own port: the apps' origin, not the gateway's. */
async function startAppServer(bundles: Record<Example, { html: Buffer; script: Buffer }>): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const [, example, file] = /^\/([a-z-]+)\/([a-z.]*)/.exec(request.url ?? "") ?? [];
    const bundle = bundles[example as Example] as { html: Buffer; script: Buffer } | undefined;
    if (bundle === undefined) return void response.writeHead(404).end();
    if (file === "" || file === "index.html") return void response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(bundle.html);
    if (file === "main.js") return void response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(bundle.script);
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("the example apps in Chromium, from another origin, signed in with OIDC", () => {
  let issuer: OidcTestIssuer;
  let stack: TestStack;
  let apps: { port: number; close(): Promise<void> };
  let browser: Browser;
  let appOrigin: string;

  before(async () => {
    issuer = await startOidcTestIssuer({ audience });
    const bundles = { "apollo-client": await bundleExample("apollo-client"), urql: await bundleExample("urql") };
    apps = await startAppServer(bundles);
    // `localhost`, not the gateway's 127.0.0.1, and another port: a cross-origin page.
    appOrigin = `http://localhost:${apps.port}`;

    const dataDirectory = await temporaryDirectory("examples-stack");
    // The operator pushes each app's manifest, and one for this test's own registration.
    const adminManifest = join(dataDirectory, "admin-manifest.json");
    await writeFile(adminManifest, JSON.stringify({ [documentIdOf(registerModel)]: registerModel }));
    for (const manifest of [...examples.map((example) => join(projectRoot, "examples", example, "src", "gql", "persisted-documents.json")), adminManifest]) {
      const pushed = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/persisted-documents.ts", "push", manifest], { cwd: projectRoot, env: { ...process.env, DATA_DIR: dataDirectory, LOG_LEVEL: "error" } });
      assert.match(pushed.stdout, /^Pushed \d+ documents/);
    }
    const modelsDirectory = await temporaryDirectory("examples-models");
    await generateModel({ ...modelPresets.tiny, outputPath: join(modelsDirectory, "chat.gguf") });
    stack = await startTestStack({ DATA_DIR: dataDirectory, MODELS_DIR: modelsDirectory, CORS_ORIGINS: appOrigin, PERSISTED_DOCUMENTS_MODE: "only", ...issuer.environment });
    const registered = await fetch(stack.gateway.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${stack.adminKey.key}` },
      body: JSON.stringify({
        documentId: documentIdOf(registerModel),
        variables: { input: { id: "chat", displayName: "Chat", family: "llama", capabilities: ["CHAT", "COMPLETION"], contextLength: 512, engine: { kind: "LLAMA_CPP", modelPath: "chat.gguf" }, pricing: { inputPerMillionTokens: 1, outputPerMillionTokens: 1 } } },
      }),
    });
    assert.deepEqual(((await registered.json()) as { data?: unknown }).data, { registerModel: { id: "chat" } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    await apps?.close();
    await issuer?.close();
  });

  /** Opens `example` from `origin` as the OIDC redirect would (token in the fragment); returns what the page reported. */
  async function runExample(example: Example, origin: string): Promise<{ status: string; result: Record<string, unknown> & { error?: string }; requests: string[] }> {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));
    // What the page sent the gateway and what came back: method, Accept header and the answer's
    // Content-Type (the transport), preflights left out.
    const requests: string[] = [];
    page.on("response", (response) => {
      const request = response.request();
      if (request.url().startsWith(stack.gateway.graphqlUrl) && request.method() !== "OPTIONS") requests.push(`${request.method()} ${request.headers().accept ?? ""} -> ${response.headers()["content-type"] ?? ""}`);
    });
    try {
      const token = await issuer.issue();
      const query = new URLSearchParams({ graphql: stack.gateway.graphqlUrl, model: "chat" });
      await page.goto(`${origin}/${example}/?${query.toString()}#access_token=${token}`);
      await page.waitForFunction("document.body.dataset.status !== undefined", { timeout: 120_000 });
      const status = (await page.evaluate("document.body.dataset.status")) as string;
      const result = JSON.parse((await page.evaluate(`document.getElementById("result").textContent`)) as string) as Record<string, unknown>;
      assert.deepEqual(pageErrors, []);
      return { status, result, requests };
    } finally {
      await page.close();
    }
  }

  it("the gateway runs only the manifests' documents, for a token of the issuer", async () => {
    const token = await issuer.issue();
    const other = await fetch(stack.gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: JSON.stringify({ query: "{ models { totalCount } }" }) });
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code, ErrorCode.PersistedDocumentRequired);
    const discovery = (await (await fetch(issuer.discoveryUrl)).json()) as { issuer: string; jwks_uri: string };
    assert.deepEqual({ issuer: discovery.issuer, jwks: discovery.jwks_uri }, { issuer: issuer.issuer, jwks: issuer.jwksUrl });
  });

  it("Apollo Client: queries, mutates, and streams over multipart HTTP and over graphql-ws", async () => {
    const { status, result, requests } = await runExample("apollo-client", appOrigin);
    assert.ok(requests.some((request) => request.startsWith("POST multipart/mixed") && request.includes("-> multipart/mixed")), requests.join("\n"));
    assert.equal(status, "done", JSON.stringify(result));
    const seen = result as { modelIds: string[]; completion: { text: string; finishReason: string }; multipart: { deltas: number; text: string; finishReason: string }; webSocket: { deltas: number; text: string; finishReason: string } };
    assert.deepEqual(seen.modelIds, ["chat"]);
    assert.equal(seen.completion.finishReason, "LENGTH");
    for (const stream of [seen.multipart, seen.webSocket]) {
      assert.ok(stream.deltas >= 1, JSON.stringify(stream));
      assert.equal(stream.finishReason, "LENGTH");
      assert.equal(stream.text, seen.completion.text, "same seed, same text");
    }
  });

  it("urql: queries (GET), mutates, and streams over SSE", async () => {
    const { status, result, requests } = await runExample("urql", appOrigin);
    // urql's GET accepts an event stream too, after JSON: it gets JSON.
    assert.ok(requests.some((request) => /^GET application\/graphql-response\+json.*text\/event-stream.* -> application\/graphql-response\+json/.test(request)), requests.join("\n"));
    assert.ok(requests.some((request) => request.startsWith("POST text/event-stream -> text/event-stream")), requests.join("\n"));
    assert.equal(status, "done", JSON.stringify(result));
    const seen = result as { modelIds: string[]; completion: { text: string; finishReason: string }; sse: { deltas: number; text: string; finishReason: string } };
    assert.deepEqual(seen.modelIds, ["chat"]);
    assert.equal(seen.completion.finishReason, "LENGTH");
    assert.ok(seen.sse.deltas >= 1, JSON.stringify(seen.sse));
    assert.equal(seen.sse.finishReason, "LENGTH");
    assert.equal(seen.sse.text, seen.completion.text, "same seed, same text");
  });

  it("the same app on an origin CORS_ORIGINS does not list is blocked by the browser", async () => {
    const { status, result } = await runExample("urql", `http://127.0.0.1:${apps.port}`);
    assert.equal(status, "failed");
    assert.match(String(result.error), /fetch/i);
  });
});
