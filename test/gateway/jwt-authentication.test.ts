/**
 * Issue 15, item 2: bearer JWTs beside API keys, verified against a real JWKS endpoint this test
 * serves (test/harness/jwks-server.ts: node:http, keys made with jose): valid, expired, wrong audience and issuer, `alg: none`,
 * HS256 with the public key as secret (algorithm confusion), key rotation, claim paths and role
 * mapping; then the same rules over HTTP and WebSocket through the real gateway.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { exportSPKI, SignJWT, type JWTPayload } from "jose";
import { authenticate, withJwtVerifier, type CredentialStore } from "../../gateway/authentication.ts";
import { loadGatewayConfig } from "../../gateway/config.ts";
import { JwtVerifier } from "../../gateway/jwt/jwt-verifier.ts";
import type { JwtSettings } from "../../gateway/jwt/jwt-settings.ts";
import type { RunningGateway } from "../../gateway/service.ts";
import { EmbeddedApiKeyStore } from "../../platform/api-keys/embedded-api-key-store.ts";
import { issueApiKey } from "../../platform/api-keys/issue-api-key.ts";
import { ConfigurationError } from "../../platform/config/parse-environment.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import { signingKey, startJwksServer, type JwksServer, type SigningKey } from "../harness/jwks-server.ts";
import { temporaryDirectory } from "../harness/temporary-directory.ts";
import { executeOverSocket, gatewayClient, startSubscriptionTestStack, subscribe, type SubscriptionTestStack } from "./subscriptions/subscription-test-stack.ts";

const issuer = "https://idp.example.test/";
const audience = "aigraph-api";

const now = () => Math.floor(Date.now() / 1_000);

/** A token signed with `key`: by default valid for tenant-a as a member, for five minutes. */
function token(key: SigningKey, claims: JWTPayload = {}, options: { header?: Record<string, unknown> } = {}): Promise<string> {
  return new SignJWT({ sub: "user-1", tenant_id: "tenant-a", roles: ["member"], iss: issuer, aud: audience, iat: now(), exp: now() + 300, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...options.header })
    .sign(key.privateKey);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function jwtEnvironment(jwksUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { JWT_JWKS_URL: jwksUrl, JWT_ISSUER: issuer, JWT_AUDIENCE: `other-api,${audience}`, ...extra };
}

function settingsFor(jwksUrl: string, extra: NodeJS.ProcessEnv = {}): JwtSettings {
  const settings = loadGatewayConfig({ DATA_DIR: "/nonexistent", ...jwtEnvironment(jwksUrl, extra) }).jwt;
  assert.ok(settings !== undefined);
  return settings;
}

async function rejects(promise: Promise<unknown>, status: number, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ServiceError, String(error));
    assert.equal(error.code, status === 401 ? "UNAUTHENTICATED" : "SERVICE_UNAVAILABLE");
    assert.deepEqual(error.extensions.http, { status });
    assert.match(error.message, message);
    return true;
  });
}

describe("JWT settings", () => {
  it("are off by default, and require an issuer and an audience with a JWKS URL", () => {
    assert.equal(loadGatewayConfig({ DATA_DIR: "/nonexistent" }).jwt, undefined);
    assert.throws(
      () => loadGatewayConfig({ DATA_DIR: "/nonexistent", JWT_JWKS_URL: "https://idp.example.test/jwks" }),
      (error: unknown) => error instanceof ConfigurationError && ["JWT_ISSUER", "JWT_AUDIENCE"].every((name) => error.problems.some((problem) => problem.variable === name)),
    );
    const settings = settingsFor("https://idp.example.test/jwks");
    assert.deepEqual(settings.algorithms, ["RS256", "ES256"]);
    assert.equal(settings.clockToleranceSeconds, 30);
    assert.equal(settings.tenantClaim, "tenant_id");
    assert.equal(settings.rolesClaim, "roles");
    assert.deepEqual(settings.audiences, ["other-api", audience]);
  });

  it("never accept none or HMAC algorithms, and map roles only to known ones", () => {
    for (const algorithms of ["none", "HS256", "RS256,HS512", ","]) {
      assert.throws(
        () => settingsFor("https://idp.example.test/jwks", { JWT_ALGORITHMS: algorithms }),
        (error: unknown) => error instanceof ConfigurationError && error.problems[0]?.variable === "JWT_ALGORITHMS",
        algorithms,
      );
    }
    assert.throws(() => settingsFor("https://idp.example.test/jwks", { JWT_ROLE_MAP: "admin=root" }), ConfigurationError);
    assert.deepEqual([...settingsFor("https://idp.example.test/jwks", { JWT_ROLE_MAP: "admin=tenant-admin, ops=platform-admin" }).roleMap], [
      ["admin", "tenant-admin"],
      ["ops", "platform-admin"],
    ]);
  });
});

describe("JWT verification against a JWKS endpoint", () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let rotated: SigningKey;
  let jwks: JwksServer;
  let store: EmbeddedApiKeyStore;
  let credentials: CredentialStore;

  before(async () => {
    [rsa, ec, rotated] = await Promise.all([signingKey("rsa-1", "RS256"), signingKey("ec-1", "ES256"), signingKey("rsa-2", "RS256")]);
    jwks = await startJwksServer([rsa.jwk, ec.jwk]);
    store = new EmbeddedApiKeyStore(await temporaryDirectory("jwt-auth"));
    credentials = withJwtVerifier(store, new JwtVerifier(settingsFor(jwks.url, { JWT_JWKS_COOLDOWN_SECONDS: "0" })));
  });
  after(() => jwks.close());

  it("maps a valid token (RS256 or ES256) to its tenant, roles and subject, beside API keys", async () => {
    const context = await authenticate(`Bearer ${await token(rsa, { roles: ["member", "tenant-admin", "unknown-role"] })}`, "req-1", credentials);
    assert.deepEqual(context, { requestId: "req-1", tenantId: "tenant-a", apiKeyId: "jwt:user-1", roles: ["member", "tenant-admin"] });
    const fromEc = await authenticate(`Bearer ${await token(ec, { sub: "auth0|abc", roles: "member" })}`, undefined, credentials);
    assert.equal(fromEc.apiKeyId, "jwt:auth0|abc");
    assert.deepEqual(fromEc.roles, ["member"]);
    // A subject that is not safe to log is replaced by a hash of it.
    const odd = await authenticate(`Bearer ${await token(rsa, { sub: "user with spaces\n" })}`, undefined, credentials);
    assert.match(odd.apiKeyId, /^jwt:sha256:[0-9a-f]{32}$/);
    const issued = await issueApiKey(store, "tenant-b", ["member"], "beside JWTs");
    assert.equal((await authenticate(`Bearer ${issued.key}`, undefined, credentials)).tenantId, "tenant-b");
    await rejects(authenticate("Bearer aig_nope", undefined, credentials), 401, /API key is not valid/);
  });

  it("refuses expired tokens (beyond the clock tolerance), tokens not valid yet, and tokens without exp or sub", async () => {
    await rejects(authenticate(`Bearer ${await token(rsa, { exp: now() - 120 })}`, undefined, credentials), 401, /expired/);
    // Within JWT_CLOCK_TOLERANCE_SECONDS (30): still accepted.
    assert.equal((await authenticate(`Bearer ${await token(rsa, { exp: now() - 5 })}`, undefined, credentials)).tenantId, "tenant-a");
    await rejects(authenticate(`Bearer ${await token(rsa, { nbf: now() + 600 })}`, undefined, credentials), 401, /not valid yet/);
    await rejects(authenticate(`Bearer ${await token(rsa, { exp: undefined })}`, undefined, credentials), 401, /no "exp" claim/);
    await rejects(authenticate(`Bearer ${await token(rsa, { sub: undefined })}`, undefined, credentials), 401, /no "sub" claim/);
  });

  it("refuses a wrong audience or issuer", async () => {
    await rejects(authenticate(`Bearer ${await token(rsa, { aud: "someone-else" })}`, undefined, credentials), 401, /audience is not accepted/);
    await rejects(authenticate(`Bearer ${await token(rsa, { aud: undefined })}`, undefined, credentials), 401, /no "aud" claim/);
    await rejects(authenticate(`Bearer ${await token(rsa, { iss: "https://evil.example.test/" })}`, undefined, credentials), 401, /issuer is not accepted/);
  });

  it("refuses unsigned (alg: none) tokens, HS256 signed with the public key (algorithm confusion), and forged signatures", async () => {
    const claims = { sub: "user-1", tenant_id: "tenant-a", roles: ["platform-admin", "member"], iss: issuer, aud: audience, exp: now() + 300 };
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
    await rejects(authenticate(`Bearer ${unsigned}`, undefined, credentials), 401, /algorithm is not accepted; accepted: RS256, ES256/);
    const noneWithKid = `${base64url({ alg: "none", kid: rsa.kid })}.${base64url(claims)}.`;
    await rejects(authenticate(`Bearer ${noneWithKid}`, undefined, credentials), 401, /algorithm is not accepted/);
    // The attacker knows the public key (it is published): as an HMAC secret it signs anything.
    for (const secret of [await exportSPKI(rsa.publicKey), JSON.stringify(rsa.jwk), String(rsa.jwk.n)]) {
      const confused = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", kid: rsa.kid }).sign(new TextEncoder().encode(secret));
      await rejects(authenticate(`Bearer ${confused}`, undefined, credentials), 401, /algorithm is not accepted/);
    }
    // Signed by another key under a published kid.
    const impostor = await signingKey(rsa.kid, "RS256");
    await rejects(authenticate(`Bearer ${await token(impostor)}`, undefined, credentials), 401, /signature is not valid/);
    // A valid token with its payload swapped.
    const [header, , signature] = (await token(rsa)).split(".");
    await rejects(authenticate(`Bearer ${header}.${base64url(claims)}.${signature}`, undefined, credentials), 401, /signature is not valid/);
    await rejects(authenticate("Bearer a.b.c", undefined, credentials), 401, /not a valid JWT/);
  });

  it("follows key rotation: a token with a new kid makes the verifier fetch the key set again", async () => {
    const fetchesBefore = jwks.fetches;
    assert.ok(fetchesBefore >= 1);
    jwks.keys = [rotated.jwk, ec.jwk];
    const context = await authenticate(`Bearer ${await token(rotated, { sub: "after-rotation" })}`, undefined, credentials);
    assert.equal(context.apiKeyId, "jwt:after-rotation");
    assert.equal(jwks.fetches, fetchesBefore + 1);
    // The retired key is gone from the fetched set: its tokens are refused (after one more fetch).
    await rejects(authenticate(`Bearer ${await token(rsa)}`, undefined, credentials), 401, /key the issuer does not publish/);
    jwks.keys = [rsa.jwk, ec.jwk];
  });

  it("fetches the key set at most once per cooldown, whatever kids tokens make up", async () => {
    const cooled = withJwtVerifier(store, new JwtVerifier(settingsFor(jwks.url, { JWT_JWKS_COOLDOWN_SECONDS: "3600" })));
    await authenticate(`Bearer ${await token(rsa)}`, undefined, cooled);
    const fetches = jwks.fetches;
    for (const kid of ["made-up-1", "made-up-2", "made-up-3"]) {
      await rejects(authenticate(`Bearer ${await token({ ...rsa, kid })}`, undefined, cooled), 401, /does not publish/);
    }
    assert.equal(jwks.fetches, fetches);
  });

  it("reads tenant and roles from configured claim paths, mapping provider roles; platform-admin only through the map", async () => {
    const nested = withJwtVerifier(
      store,
      new JwtVerifier(settingsFor(jwks.url, { JWT_TENANT_CLAIM: "org.tenant", JWT_ROLES_CLAIM: "realm_access.roles", JWT_ROLE_MAP: "aig-admin=tenant-admin,aig-ops=platform-admin" })),
    );
    const context = await authenticate(`Bearer ${await token(rsa, { tenant_id: undefined, org: { tenant: "acme" }, realm_access: { roles: ["aig-admin", "offline_access", "aig-ops"] } })}`, undefined, nested);
    assert.deepEqual({ tenantId: context.tenantId, roles: context.roles }, { tenantId: "acme", roles: ["tenant-admin", "platform-admin"] });
    // Named directly, platform-admin is ignored: a tenant's own identity provider must not grant it.
    await rejects(authenticate(`Bearer ${await token(rsa, { org: { tenant: "acme" }, realm_access: { roles: ["platform-admin"] } })}`, undefined, nested), 401, /grants no role/);
    // Namespaced claims (dots in a top-level name) are read whole.
    const namespaced = withJwtVerifier(store, new JwtVerifier(settingsFor(jwks.url, { JWT_TENANT_CLAIM: "https://aigraph.example/tenant", JWT_ROLES_CLAIM: "scope" })));
    const fromNamespaced = await authenticate(`Bearer ${await token(rsa, { "https://aigraph.example/tenant": "globex", scope: "openid member email" })}`, undefined, namespaced);
    assert.deepEqual({ tenantId: fromNamespaced.tenantId, roles: fromNamespaced.roles }, { tenantId: "globex", roles: ["member"] });
    await rejects(authenticate(`Bearer ${await token(rsa, { org: undefined, realm_access: { roles: ["aig-admin"] } })}`, undefined, nested), 401, /no tenant: its "org.tenant" claim/);
    await rejects(authenticate(`Bearer ${await token(rsa, { tenant_id: "Not A Tenant!" })}`, undefined, credentials), 401, /not a valid tenant id/);
    await rejects(authenticate(`Bearer ${await token(rsa, { roles: ["viewer"] })}`, undefined, credentials), 401, /grants no role/);
  });

  it("answers 503 (retryable) when the key set cannot be fetched, and refuses JWTs where none are configured", async () => {
    const down = await startJwksServer([]);
    const url = down.url;
    await down.close();
    const unreachable = withJwtVerifier(store, new JwtVerifier(settingsFor(url)));
    await rejects(authenticate(`Bearer ${await token(rsa)}`, undefined, unreachable), 503, /signing keys cannot be fetched/);
    await rejects(authenticate(`Bearer ${await token(rsa)}`, undefined, store), 401, /JSON Web Tokens are not accepted here/);
  });
});

describe("JWTs through the gateway: HTTP and WebSocket alike", () => {
  let key: SigningKey;
  let jwks: JwksServer;
  let stack: SubscriptionTestStack;
  let gateway: RunningGateway;

  before(async () => {
    key = await signingKey("gw-1", "ES256");
    jwks = await startJwksServer([key.jwk]);
    stack = await startSubscriptionTestStack({ environment: jwtEnvironment(jwks.url) });
    gateway = stack.gateway;
  });
  after(async () => {
    await stack?.stop();
    await jwks?.close();
  });

  const post = (authorization: string, query: string) =>
    fetch(gateway.graphqlUrl, { method: "POST", headers: { "content-type": "application/json", authorization }, body: JSON.stringify({ query }) });

  it("HTTP: a valid token's tenant reaches the subgraphs; bad tokens get 401 with the reason", async () => {
    const response = await post(`Bearer ${await token(key, { tenant_id: "acme" })}`, `{ item(id: "1") { id tenant } }`);
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { data: unknown }).data, { item: { id: "1", tenant: "acme" } });
    const wrongAudience = await post(`Bearer ${await token(key, { aud: "someone-else" })}`, `{ item(id: "1") { id } }`);
    assert.equal(wrongAudience.status, 401);
    const body = (await wrongAudience.json()) as { errors: { message: string; extensions: { code: string } }[] };
    assert.equal(body.errors[0]?.extensions.code, "UNAUTHENTICATED");
    assert.match(body.errors[0]?.message ?? "", /audience/);
    const expired = await post(`Bearer ${await token(key, { exp: now() - 3_600 })}`, `{ item(id: "1") { id } }`);
    assert.equal(expired.status, 401);
  });

  it("WebSocket: the token in connection params authenticates the socket; a bad one closes it with 4401", async () => {
    const client = gatewayClient(gateway.graphqlUrl.replace(/^http/, "ws"), await token(key, { tenant_id: "globex" }));
    try {
      assert.deepEqual(await executeOverSocket(client, `{ item(id: "2") { id tenant } }`), { data: { item: { id: "2", tenant: "globex" } } });
      const ticks = await subscribe(client, `subscription { ticks(count: 1, intervalMillis: 0) { n tenant item { tenant } } }`).ended;
      assert.deepEqual(ticks.events[0]?.data, { ticks: { n: 1, tenant: "globex", item: { tenant: "globex" } } });
    } finally {
      await client.dispose();
    }
    const expired = gatewayClient(gateway.graphqlUrl.replace(/^http/, "ws"), await token(key, { exp: now() - 3_600 }));
    try {
      const refused = await subscribe(expired, `{ item(id: "2") { id } }`).ended;
      assert.deepEqual(refused.error, { code: 4401, reason: "Unauthorized: The token has expired." });
    } finally {
      await expired.dispose();
    }
  });
});
