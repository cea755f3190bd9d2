/**
 * A `fetch` for calls to operator-registered URLs, on node:http/https so that every connection goes
 * through the guarded lookup: IP-literal hosts are checked before the request, names at connect time
 * on each resolved address. Redirects are never followed: a 3xx comes back as it is, for the caller to
 * treat as a failure. Connections are kept alive per instance; `close()` drops them all.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { EgressGuard } from "./egress-policy.ts";
import { createGuardedLookup, systemResolveHost, type ResolveHost } from "./guarded-lookup.ts";

export interface GuardedFetchOptions {
  readonly guard: EgressGuard;
  /** Host-name resolution. Default: the system resolver (`dns.lookup`). */
  readonly resolveHost?: ResolveHost;
}

export interface GuardedFetch {
  readonly fetch: typeof fetch;
  /** Closes every connection of this fetch, those of requests still in flight included (they fail). Idempotent. */
  close(): void;
}

/** Statuses whose responses have no body (the Response constructor refuses one). */
const nullBodyStatuses: ReadonlySet<number> = new Set([101, 204, 205, 304]);

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException("The operation was aborted.", "AbortError");
}

function decoded(response: IncomingMessage): Readable {
  const encoding = response.headers["content-encoding"]?.trim().toLowerCase();
  const decoder = encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : undefined;
  if (decoder === undefined) return response;
  response.on("error", (error) => decoder.destroy(error));
  return response.pipe(decoder);
}

function toResponse(message: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let index = 0; index + 1 < message.rawHeaders.length; index += 2) {
    headers.append(message.rawHeaders[index] ?? "", message.rawHeaders[index + 1] ?? "");
  }
  const status = message.statusCode ?? 502;
  const hasBody = !nullBodyStatuses.has(status) && method !== "HEAD";
  if (!hasBody) message.resume();
  const body = hasBody ? (Readable.toWeb(decoded(message)) as NodeReadableStream<Uint8Array> as ReadableStream<Uint8Array>) : null;
  if (hasBody) headers.delete("content-encoding");
  return new Response(body, { status, statusText: message.statusMessage ?? "", headers });
}

export function createGuardedFetch(options: GuardedFetchOptions): GuardedFetch {
  const lookup = createGuardedLookup(options.guard, options.resolveHost ?? systemResolveHost);
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });

  const guardedFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const signal = init?.signal ?? request.signal;
    if (signal.aborted) throw abortReason(signal);
    const url = new URL(request.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`only http and https URLs can be fetched, got ${url.protocol}`);
    options.guard.checkUrl(url);
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body !== undefined) headers["content-length"] = String(body.byteLength);
    const send = url.protocol === "https:" ? httpsRequest : httpRequest;
    return new Promise<Response>((resolve, reject) => {
      const outgoing = send(url, { method: request.method, headers, agent: url.protocol === "https:" ? httpsAgent : httpAgent, lookup });
      const onAbort = (): void => {
        const reason = abortReason(signal);
        outgoing.destroy(reason);
        reject(reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      outgoing.on("error", (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      });
      outgoing.on("response", (message) => {
        // Aborting after the headers ends the body stream with the abort's reason.
        signal.removeEventListener("abort", onAbort);
        const onBodyAbort = (): void => {
          message.destroy(abortReason(signal));
        };
        signal.addEventListener("abort", onBodyAbort, { once: true });
        message.on("close", () => signal.removeEventListener("abort", onBodyAbort));
        try {
          resolve(toResponse(message, request.method));
        } catch (error) {
          message.destroy();
          reject(error);
        }
      });
      outgoing.end(body);
    });
  };

  return {
    fetch: guardedFetch as typeof fetch,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
