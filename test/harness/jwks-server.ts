/**
 * An identity provider's key endpoints for tests, over node:http with keys made by jose: the JSON Web
 * Key Set (`/.well-known/jwks.json`; its keys can be swapped, for rotation, and its fetches are
 * counted) and the OpenID Connect discovery document naming it (`/.well-known/openid-configuration`,
 * whose `issuer` is the server's own URL).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from "jose";

export interface SigningKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** The public key as published in the key set (`kid`, `alg`, `use: "sig"`). */
  jwk: JWK;
}

export async function signingKey(kid: string, alg: "RS256" | "ES256"): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A JWKS endpoint: serves `keys` (changeable: rotation) and counts its fetches. */
export interface JwksServer {
  /** The key set's URL (`jwks_uri`). */
  url: string;
  /** The server's own URL with a trailing slash: `iss` of an issuer that publishes discovery here. */
  baseUrl: string;
  discoveryUrl: string;
  keys: JWK[];
  fetches: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JWK[]): Promise<JwksServer> {
  const state = { keys, fetches: 0, baseUrl: "" };
  const server: Server = createServer((request, response) => {
    if (request.url === "/.well-known/jwks.json") {
      state.fetches += 1;
      response.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify({ keys: state.keys }));
    } else if (request.url === "/.well-known/openid-configuration") {
      const algorithms = [...new Set(state.keys.map((key) => key.alg).filter((alg) => alg !== undefined))];
      response.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          issuer: state.baseUrl,
          jwks_uri: `${state.baseUrl}.well-known/jwks.json`,
          response_types_supported: ["code"],
          subject_types_supported: ["public"],
          id_token_signing_alg_values_supported: algorithms,
        }),
      );
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url: `${state.baseUrl}.well-known/jwks.json`,
    baseUrl: state.baseUrl,
    discoveryUrl: `${state.baseUrl}.well-known/openid-configuration`,
    get keys() {
      return state.keys;
    },
    set keys(next: JWK[]) {
      state.keys = next;
    },
    get fetches() {
      return state.fetches;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
