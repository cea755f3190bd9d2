import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { build } from "esbuild";
import { projectRoot } from "../../platform/schema-file.ts";

/** Where the page's sources live: `index.html`, `styles.css`, `src/main.ts`. */
const sourceDirectory = join(projectRoot, "web", "playground");

interface Asset {
  body: Buffer;
  contentType: string;
}

/**
 * The playground's three files, built when the gateway starts (esbuild bundles `src/main.ts` with the
 * client libraries it imports, ~100 ms) and served from memory: nothing is generated on disk, so the
 * page can never be stale against the sources.
 */
export async function buildPlaygroundAssets(): Promise<Record<string, Asset>> {
  const bundle = await build({
    entryPoints: [join(sourceDirectory, "src", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const script = bundle.outputFiles[0];
  if (script === undefined) throw new Error("the playground bundle is empty");
  return {
    "/": { body: await readFile(join(sourceDirectory, "index.html")), contentType: "text/html; charset=utf-8" },
    "/playground.css": { body: await readFile(join(sourceDirectory, "styles.css")), contentType: "text/css; charset=utf-8" },
    "/playground.js": { body: Buffer.from(script.contents), contentType: "text/javascript; charset=utf-8" },
  };
}

/**
 * Content-Security-Policy of the page: its own script and styles only, GraphQL over HTTP and
 * WebSocket to the same host, nothing inline: a model's answer rendered by mistake as HTML could
 * not run script.
 */
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Route handlers for the gateway's server, by path. */
export function playgroundRoutes(assets: Record<string, Asset>): Record<string, (request: IncomingMessage, response: ServerResponse) => void> {
  const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => void> = {};
  for (const [path, asset] of Object.entries(assets)) {
    routes[path] = (request, response) => {
      response.writeHead(200, {
        "content-type": asset.contentType,
        "content-length": asset.body.length,
        "cache-control": "no-cache",
        "content-security-policy": contentSecurityPolicy,
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
      });
      response.end(request.method === "HEAD" ? undefined : asset.body);
    };
  }
  return routes;
}
