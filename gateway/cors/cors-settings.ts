import { z } from "zod";
import { integerVariable } from "../../platform/config/parse-environment.ts";
import type { CorsSettings } from "../../platform/http/cors.ts";

/** The CORS variables, merged into the gateway's environment. */
export const corsEnvironment = {
  CORS_ORIGINS: z
    .string()
    .optional()
    .refine((value) => value === undefined || corsOriginsProblem(value) === undefined, {
      message: 'expected a comma list of exact origins such as "https://app.example.com,http://localhost:5173" (scheme, host and optional port; no path, no "null"), or "*" alone',
    }),
  CORS_MAX_AGE_SECONDS: integerVariable(600, 0, 86_400),
};

/**
 * CORS_ORIGINS, or its default: on Redis stores (production) none; on embedded stores (a developer's
 * machine) the gateway's own loopback origins, `http://127.0.0.1:<port>` and `http://localhost:<port>`,
 * so the playground it serves on `/` may call it under either name. Same-origin pages need no CORS.
 */
export function toCorsSettings(values: { CORS_ORIGINS?: string | undefined; CORS_MAX_AGE_SECONDS: number }, deployment: { storeBackend: string; port: number }): CorsSettings {
  const configured = values.CORS_ORIGINS === undefined ? undefined : splitOrigins(values.CORS_ORIGINS);
  const allowedOrigins =
    configured ?? (deployment.storeBackend === "embedded" ? [`http://127.0.0.1:${deployment.port}`, `http://localhost:${deployment.port}`] : []);
  return { allowedOrigins, maxAgeSeconds: values.CORS_MAX_AGE_SECONDS };
}

function splitOrigins(value: string): string[] {
  return value
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "")
    .map((origin) => (origin === "*" ? origin : new URL(origin).origin));
}

/** Why CORS_ORIGINS is not a valid list, or undefined. An origin is compared exactly with the browser's `Origin` header. */
function corsOriginsProblem(value: string): string | undefined {
  const origins = value
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  if (origins.length === 0) return "empty";
  if (origins.includes("*")) return origins.length === 1 ? undefined : "* must stand alone";
  for (const origin of origins) {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `${origin} is not a URL`;
    }
    // `null` is what sandboxed frames and file:// pages send: allowing it would allow them all.
    if (url.protocol !== "http:" && url.protocol !== "https:") return `${origin} is not http(s)`;
    // Compared with the browser's `Origin` once normalized (`HTTPS://App.Example.com:443/` → `https://app.example.com`).
    if (url.pathname !== "/" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") return `${origin} has a path, query or credentials`;
  }
  return undefined;
}
