import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from "node:http";
import { connect, type Socket } from "node:net";

/** What the server answered: status, headers, body (empty when the connection closed without one). */
export interface PartialResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * An HTTP request whose body the test sends piece by piece, to see what the server answers before
 * the body is complete: `continued` resolves when the server sends `100 Continue` (with
 * `Expect: 100-continue`), `response` when the final answer has arrived in full.
 */
export interface PartialRequest {
  /** Sends more of the body; false once the connection is gone. */
  write(chunk: string | Buffer): Promise<boolean>;
  /** Finishes the body. */
  end(chunk?: string | Buffer): void;
  /** Resolves on `100 Continue`; never resolves when the server answers without inviting the body. */
  continued: Promise<void>;
  response: Promise<PartialResponse>;
  /** Bytes of body written so far. */
  readonly bytesWritten: number;
  destroy(): void;
}

/** Starts a request on its own connection (no agent, no pooling). `headers` as a flat name, value, name, value... list may repeat a name. */
export function startPartialRequest(url: string, options: { method?: string; headers: OutgoingHttpHeaders | readonly string[] }): PartialRequest {
  const request = httpRequest(url, { method: options.method ?? "POST", headers: options.headers, agent: false });
  let bytesWritten = 0;
  let gone = false;
  request.on("error", () => {
    gone = true;
  });
  request.on("close", () => {
    gone = true;
  });
  const continued = new Promise<void>((resolve) => request.once("continue", () => resolve()));
  const response = new Promise<PartialResponse>((resolve, reject) => {
    request.once("response", (incoming) => {
      let body = "";
      incoming.setEncoding("utf8");
      incoming.on("data", (chunk: string) => (body += chunk));
      incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
      incoming.on("error", reject);
    });
    request.once("error", (error) => reject(error));
  });
  // A request with a body is only sent once something is written; headers alone go now.
  request.flushHeaders();
  return {
    write: (chunk) =>
      new Promise((resolve) => {
        if (gone) return resolve(false);
        bytesWritten += Buffer.byteLength(chunk);
        request.write(chunk, (error) => resolve(error === undefined || error === null));
      }),
    end: (chunk) => {
      if (!gone) request.end(chunk);
    },
    continued,
    response,
    get bytesWritten() {
      return bytesWritten;
    },
    destroy: () => request.destroy(),
  };
}

/** A raw TCP connection to `port` on the loopback, for sending malformed or dripping requests byte by byte. */
export function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (data += chunk));
    socket.on("error", () => {});
    const closed = new Promise<void>((done) => socket.once("close", () => done()));
    socket.once("connect", () => resolve({ socket, received: () => data, closed }));
    socket.once("error", reject);
  });
}

/** The parsed error body of a GraphQL HTTP response: its first error's message and extensions. */
export function firstError(response: PartialResponse): { message: string; extensions: Record<string, unknown> } | undefined {
  const parsed = JSON.parse(response.body) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
  const error = parsed.errors?.[0];
  return error === undefined ? undefined : { message: error.message, extensions: error.extensions ?? {} };
}
