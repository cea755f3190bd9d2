/**
 * Raw clients of the gateway's HTTP subscription transports, for tests that check the wire format
 * itself (the real clients, graphql-sse's and Apollo Client's, are used where they fit).
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { performance } from "node:perf_hooks";
import type { GraphQLFormattedError } from "graphql";
import { waitFor } from "./subscription-test-stack.ts";

/** The `Accept` header Apollo Router's protocol documentation gives (Apollo Client sends an unquoted variant). */
export const multipartAccept = 'multipart/mixed;subscriptionSpec="1.0", application/json';

/** One streaming response being read as it arrives. */
export interface RawStream {
  status: number;
  headers: Headers;
  /** Everything received so far, as text. */
  text(): string;
  /** Resolves when the server ended the response (or the client aborted). */
  done: Promise<void>;
  /** Drops the connection as a browser tab closing would; returns `performance.now()` at that moment. */
  abort(): number;
}

export async function openStream(url: string, init: { method?: string; headers: Record<string, string>; body?: unknown }): Promise<RawStream> {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: init.method ?? "POST",
    headers: init.body === undefined ? init.headers : { "content-type": "application/json", ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    signal: controller.signal,
  });
  let received = "";
  const decoder = new TextDecoder();
  const done = (async () => {
    if (response.body === null) return;
    try {
      for await (const chunk of response.body) received += decoder.decode(chunk as Uint8Array, { stream: true });
    } catch {
      // Aborted by the test.
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    text: () => received,
    done,
    abort: () => {
      const at = performance.now();
      controller.abort();
      return at;
    },
  };
}

/** The JSON parts of an Apollo multipart body (heartbeats `{}` included), and whether it was closed (`--graphql--`). */
export function multipartParts(text: string): { parts: unknown[]; closed: boolean } {
  const segments = text.split("\r\n--graphql");
  const parts: unknown[] = [];
  let closed = false;
  // The first segment is the (empty) preamble; the last may be incomplete.
  for (const [index, segment] of segments.entries()) {
    if (index === 0) continue;
    if (segment.startsWith("--")) {
      closed = true;
      break;
    }
    if (index === segments.length - 1) break;
    const bodyStart = segment.indexOf("\r\n\r\n");
    parts.push(JSON.parse(segment.slice(bodyStart + 4)));
  }
  return { parts, closed };
}

/** Multipart parts that are events or errors (not heartbeats). */
export function multipartPayloads(text: string): { payload?: { data?: unknown; errors?: GraphQLFormattedError[] } | null; errors?: GraphQLFormattedError[] }[] {
  return multipartParts(text).parts.filter((part) => Object.keys(part as object).length > 0) as never;
}

export interface SseEvent {
  event: string;
  data: unknown;
}

/** The events of a text/event-stream body (comments, the pings, left out). */
export function sseEvents(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    let event: string | undefined;
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (event !== undefined) events.push({ event, data: data === "" ? null : JSON.parse(data) });
  }
  return events;
}

/**
 * A client that reads the first bytes of a streaming response and then stops reading its socket, as
 * a stalled browser tab would; `resume` reads the rest.
 */
export function stalledReader(url: string, headers: Record<string, string>, body: unknown): Promise<{ response: IncomingMessage; text(): string; resume(): void; ended: Promise<void>; destroy(): void }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const request = httpRequest(url, { method: "POST", headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (response) => {
      let received = "";
      let paused = false;
      const ended = new Promise<void>((resolveEnded) => response.once("end", resolveEnded).once("close", resolveEnded));
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        received += chunk;
        if (!paused && received.length > 1_000) {
          paused = true;
          response.pause();
        }
      });
      resolve({
        response,
        text: () => received,
        resume: () => response.resume(),
        ended,
        destroy: () => request.destroy(),
      });
    });
    request.once("error", reject);
    request.end(text);
  });
}

/** Waits until `read()` holds something `accept` likes, polling; returns it. */
export async function eventually<T>(read: () => T, accept: (value: T) => boolean, timeoutMillis: number, what: string): Promise<T> {
  let value = read();
  await waitFor(() => accept((value = read())), timeoutMillis, what);
  return value;
}
