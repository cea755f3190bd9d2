/**
 * Issue 15, item 1: browsers can call the gateway. CORS for the origins of CORS_ORIGINS (preflights,
 * headers on actual responses, `Vary: Origin`), CSRF prevention for what could be forged, and GET
 * queries as urql sends them by default.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { loadGatewayConfig } from "../../gateway/config.ts";
import type { RunningGateway } from "../../gateway/service.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { applyCors } from "../../platform/http/cors.ts";
import { startSubscriptionTestStack, type SubscriptionTestStack } from "./subscriptions/subscription-test-stack.ts";
import { testSigningSecret } from "./subscriptions/test-subgraphs.ts";

const app = "https://app.example.test";
const elsewhere = "https://evil.example.test";
/** What urql 4+ sends with every request (`preferGetMethod: "within-url-limit"` makes queries GETs). */
const urqlAccept = "application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed";

describe("CORS settings", () => {
  it("default to the gateway's own loopback origins on embedded stores and to none with Redis", () => {
    assert.deepEqual(loadGatewayConfig({ DATA_DIR: "/nonexistent", GATEWAY_PORT: "4100" }).cors, {
      allowedOrigins: ["http://127.0.0.1:4100", "http://localhost:4100"],
      maxAgeSeconds: 600,
    });
    const production = { STORE_BACKEND: "redis", REDIS_URL: "redis://127.0.0.1:6379", INTERNAL_SIGNING_SECRET: testSigningSecret };
    assert.deepEqual(loadGatewayConfig(production).cors.allowedOrigins, []);
    assert.deepEqual(loadGatewayConfig({ ...production, CORS_ORIGINS: `${app}, HTTP://LOCALHOST:5173/`, CORS_MAX_AGE_SECONDS: "60" }).cors, {
      allowedOrigins: [app, "http://localhost:5173"],
      maxAgeSeconds: 60,
    });
    assert.deepEqual(loadGatewayConfig({ ...production, CORS_ORIGINS: "*" }).cors.allowedOrigins, ["*"]);
  });

  it("refuse anything but exact origins, or * alone", () => {
    for (const origins of [`${app}/path`, "null", "app.example.test", `*,${app}`, "file:///tmp", `${app}?x=1`]) {
      assert.throws(
        () => loadGatewayConfig({ DATA_DIR: "/nonexistent", CORS_ORIGINS: origins }),
        (error: unknown) => error instanceof ConfigurationError && error.problems[0]?.variable === "CORS_ORIGINS",
        origins,
      );
    }
  });

  it("with *, answer any origin with `Access-Control-Allow-Origin: *` and never with credentials", async () => {
    const server = createServer((request, response) => {
      if (!applyCors({ allowedOrigins: ["*"], maxAgeSeconds: 5 }, request, response)) response.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const preflight = await fetch(url, { method: "OPTIONS", headers: { origin: elsewhere, "access-control-request-method": "POST" } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get("access-control-allow-origin"), "*");
      assert.equal(preflight.headers.get("access-control-allow-credentials"), null);
      assert.equal(preflight.headers.get("access-control-max-age"), "5");
      const actual = await fetch(url, { headers: { origin: elsewhere } });
      assert.equal(actual.headers.get("access-control-allow-origin"), "*");
      assert.equal(actual.headers.get("access-control-allow-credentials"), null);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("browsers calling the gateway", () => {
  let stack: SubscriptionTestStack;
  let gateway: RunningGateway;
  let key: string;

  before(async () => {
    stack = await startSubscriptionTestStack({ environment: { CORS_ORIGINS: `${app},http://localhost:5173` } });
    gateway = stack.gateway;
    key = stack.key.key;
  });
  after(async () => {
    await stack?.stop();
  });

  const preflight = (origin: string, method = "POST", headers = "authorization, content-type") =>
    fetch(gateway.graphqlUrl, { method: "OPTIONS", headers: { origin, "access-control-request-method": method, "access-control-request-headers": headers } });

  it("answers the preflight of an allowed origin with 204 and what a page may send", async () => {
    const response = await preflight(app, "POST", "authorization, content-type, apollo-require-preflight, x-request-id");
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("access-control-allow-origin"), app);
    assert.equal(response.headers.get("access-control-allow-credentials"), "true");
    assert.equal(response.headers.get("access-control-max-age"), "600");
    assert.equal(response.headers.get("vary"), "Origin");
    const methods = (response.headers.get("access-control-allow-methods") ?? "").split(/,\s*/);
    for (const method of ["GET", "POST"]) assert.ok(methods.includes(method), method);
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").split(/,\s*/);
    for (const header of ["authorization", "content-type", "apollo-require-preflight", "x-apollo-operation-name", "x-request-id"]) assert.ok(allowed.includes(header), header);
    assert.equal((await preflight("http://localhost:5173", "GET", "authorization")).status, 204);
  });

  it("refuses the preflight of any other origin with 403 and no CORS headers, so the browser blocks the call", async () => {
    for (const origin of [elsewhere, "null", `${app}.evil.example`, "http://app.example.test"]) {
      const response = await preflight(origin);
      assert.equal(response.status, 403, origin);
      assert.equal(response.headers.get("access-control-allow-origin"), null);
      assert.equal(response.headers.get("access-control-allow-methods"), null);
      assert.equal(response.headers.get("vary"), "Origin");
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      assert.equal(body.errors[0]?.extensions.code, "FORBIDDEN");
      assert.match(body.errors[0]?.message ?? "", /CORS_ORIGINS/);
    }
  });

  it("puts the CORS headers on actual responses of an allowed origin, refusals included; none for other origins", async () => {
    const query = JSON.stringify({ query: `{ item(id: "1") { id tenant } }` });
    const allowed = await fetch(gateway.graphqlUrl, { method: "POST", headers: { origin: app, "content-type": "application/json", authorization: `Bearer ${key}` }, body: query });
    assert.equal(allowed.status, 200);
    assert.deepEqual(((await allowed.json()) as { data: unknown }).data, { item: { id: "1", tenant: "tenant-a" } });
    assert.equal(allowed.headers.get("access-control-allow-origin"), app);
    assert.equal(allowed.headers.get("access-control-allow-credentials"), "true");
    assert.equal(allowed.headers.get("vary"), "Origin");
    const exposed = (allowed.headers.get("access-control-expose-headers") ?? "").split(/,\s*/);
    for (const header of ["x-request-id", "ratelimit", "ratelimit-policy", "retry-after"]) assert.ok(exposed.includes(header), header);
    assert.ok(allowed.headers.get("x-request-id"));

    // A page must be able to read why it was refused.
    const unauthenticated = await fetch(gateway.graphqlUrl, { method: "POST", headers: { origin: app, "content-type": "application/json" }, body: query });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.headers.get("access-control-allow-origin"), app);

    const other = await fetch(gateway.graphqlUrl, { method: "POST", headers: { origin: elsewhere, "content-type": "application/json", authorization: `Bearer ${key}` }, body: query });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get("access-control-allow-origin"), null);
    assert.equal(other.headers.get("access-control-allow-credentials"), null);
    assert.equal(other.headers.get("vary"), "Origin");
  });

  it("accepts a GET query as urql sends it by default (no preflight header), with the caller's bearer token", async () => {
    const search = new URLSearchParams({ query: `query Item($id: ID!) { item(id: $id) { id name } }`, operationName: "Item", variables: JSON.stringify({ id: "2" }) });
    const response = await fetch(`${gateway.graphqlUrl}?${search}`, { headers: { origin: app, accept: urqlAccept, authorization: `Bearer ${key}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), app);
    // urql's Accept lists JSON first but also text/event-stream and multipart/mixed, and reads all three;
    // whichever framing the gateway picks, the result is in it.
    const text = await response.text();
    assert.ok(text.includes(JSON.stringify({ data: { item: { id: "2", name: "beta" } } }).slice(1, -1)), text);
    // The same GET asking for JSON only (Apollo Client's or graphql-http's default Accept) goes through Apollo Server.
    const json = await fetch(`${gateway.graphqlUrl}?${search}`, { headers: { origin: app, accept: "application/graphql-response+json, application/json", authorization: `Bearer ${key}` } });
    assert.equal(json.status, 200);
    assert.deepEqual(((await json.json()) as { data: unknown }).data, { item: { id: "2", name: "beta" } });
  });

  it("refuses mutations over GET, and GETs or simple POSTs that a page elsewhere could forge", async () => {
    const mutation = new URLSearchParams({ query: `mutation { renameItem(id: "1", name: "forged") { name } }` });
    const overGet = await fetch(`${gateway.graphqlUrl}?${mutation}`, { headers: { accept: urqlAccept, authorization: `Bearer ${key}` } });
    assert.equal(overGet.status, 405);
    assert.match(await overGet.text(), /mutation/i);

    // Without credentials (what a forged cross-site request carries): 401 before anything runs.
    const forgedGet = await fetch(`${gateway.graphqlUrl}?${new URLSearchParams({ query: "{ item(id: \"1\") { id } }" })}`, { headers: { origin: elsewhere } });
    assert.equal(forgedGet.status, 401);

    // Simple content types never run, credentials or not, unless a preflight header says a script sent them.
    const body = JSON.stringify({ query: `mutation { renameItem(id: "1", name: "forged") { name } }` });
    for (const contentType of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await fetch(gateway.graphqlUrl, { method: "POST", headers: { origin: elsewhere, "content-type": contentType, authorization: `Bearer ${key}` }, body });
      assert.equal(response.status, 400, contentType);
      const refusal = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      assert.equal(refusal.errors[0]?.extensions.code, "BAD_REQUEST");
      assert.match(refusal.errors[0]?.message ?? "", /cross-site request forgery/);
    }
    const noContentType = await fetch(gateway.graphqlUrl, { method: "POST", headers: { authorization: `Bearer ${key}` }, body });
    assert.equal(noContentType.status, 400);
    // A GET without a bearer token and without a preflight header is refused too (after the 401 for missing credentials).
    const basic = await fetch(`${gateway.graphqlUrl}?${new URLSearchParams({ query: "{ item(id: \"1\") { id } }" })}`, { headers: { authorization: "Basic dXNlcjpwYXNz" } });
    assert.equal(basic.status, 401);

    const item = await fetch(gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ query: `{ item(id: "1") { name } }` }) });
    assert.deepEqual(((await item.json()) as { data: unknown }).data, { item: { name: "alpha" } }, "no forged request renamed the item");
  });

  it("keeps the other routes and WebSocket upgrades as they were", async () => {
    const health = await fetch(new URL("/healthz", gateway.graphqlUrl), { headers: { origin: app } });
    assert.equal(health.status, 200);
    // OPTIONS that is not a preflight (no Access-Control-Request-Method) is not GraphQL: 405 with Allow.
    const options = await fetch(gateway.graphqlUrl, { method: "OPTIONS" });
    assert.equal(options.status, 405);
  });
});
