/**
 * A local OpenID Connect issuer for tests: discovery and a JSON Web Key Set (test/harness/jwks-server.ts)
 * with one ES256 key; `issue` signs access tokens as the provider would after a sign-in. Point the
 * gateway at it with `environment`.
 */
import { SignJWT, type JWTPayload } from "jose";
import { signingKey, startJwksServer } from "./jwks-server.ts";

export interface OidcTestIssuer {
  /** `iss` of its tokens: `http://127.0.0.1:<port>/`. */
  issuer: string;
  discoveryUrl: string;
  jwksUrl: string;
  /** The gateway variables that trust this issuer for `audience`. */
  environment: NodeJS.ProcessEnv;
  /** A signed access token: `sub`, `tenant_id` and `roles` of a member of tenant-a by default, valid for `lifetimeSeconds` (default 600). */
  issue(claims?: JWTPayload, lifetimeSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startOidcTestIssuer(options: { audience: string }): Promise<OidcTestIssuer> {
  const key = await signingKey("test-key-1", "ES256");
  const server = await startJwksServer([key.jwk]);
  const issuer = server.baseUrl;
  return {
    issuer,
    discoveryUrl: server.discoveryUrl,
    jwksUrl: server.url,
    environment: { JWT_JWKS_URL: server.url, JWT_ISSUER: issuer, JWT_AUDIENCE: options.audience, JWT_ALGORITHMS: key.alg },
    issue: (claims = {}, lifetimeSeconds = 600) => {
      const now = Math.floor(Date.now() / 1_000);
      return new SignJWT({ sub: "user-1", tenant_id: "tenant-a", roles: ["member"], ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
        .setIssuer(issuer)
        .setAudience(options.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + lifetimeSeconds)
        .sign(key.privateKey);
    },
    close: () => server.close(),
  };
}
