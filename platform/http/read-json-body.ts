import type { IncomingMessage } from "node:http";
import { ErrorCode } from "../errors/error-code.ts";

/**
 * Why a request body could not be read: an HTTP status, the stable `extensions.code` to answer
 * with, and details for `extensions` (for 413, `maximumBytes`).
 */
export class RequestBodyError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "RequestBodyError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/**
 * Reads and parses a JSON request body, refusing more than `maximumBytes` as soon as it is exceeded,
 * whether the client declared the length or streams a chunked body (a client cannot make the
 * server buffer an unbounded body). Past the limit nothing more is read: the caller answers 413 and
 * closes the connection. Non-JSON content types are passed through as `undefined` so Apollo
 * Server's CSRF prevention and content-type checks answer them.
 */
export async function readJsonBody(request: IncomingMessage, maximumBytes: number): Promise<unknown> {
  assertDeclaredLength(request, maximumBytes);
  const body = await readAtMost(request, maximumBytes);
  if (body.length === 0) return undefined;
  const contentType = request.headers["content-type"] ?? "";
  if (!contentType.toLowerCase().includes("json")) return undefined;
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (error) {
    throw new RequestBodyError(400, ErrorCode.BadRequest, `Request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Throws the 413 when the request announces (`Content-Length`) a body over `maximumBytes`, before any of it is read. */
export function assertDeclaredLength(request: IncomingMessage, maximumBytes: number): void {
  if (Number(request.headers["content-length"] ?? 0) > maximumBytes) throw tooLarge(maximumBytes);
}

/**
 * The whole body, or a 413 as soon as more than `maximumBytes` arrived. Events rather than an async
 * iterator: leaving a `for await` destroys the request, and with it the socket the 413 must be
 * written to; here the request is only paused.
 */
function readAtMost(request: IncomingMessage, maximumBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (outcome: () => void) => {
      request.off("data", onData).off("end", onEnd).off("error", onError).off("close", onClose);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maximumBytes) {
        chunks.push(chunk);
        return;
      }
      request.pause();
      finish(() => reject(tooLarge(maximumBytes)));
    };
    const onEnd = () => finish(() => resolve(Buffer.concat(chunks)));
    // The client went away (or node timed the request out) mid-body: no one is left to answer.
    const onError = (error: Error) => finish(() => reject(new RequestBodyError(400, ErrorCode.BadRequest, `The request body could not be read: ${error.message}`)));
    const onClose = () => finish(() => reject(new RequestBodyError(400, ErrorCode.BadRequest, "The connection closed before the request body was complete.")));
    request.on("data", onData).on("end", onEnd).on("error", onError).on("close", onClose);
  });
}

function tooLarge(maximumBytes: number): RequestBodyError {
  return new RequestBodyError(413, ErrorCode.PayloadTooLarge, `Request body is larger than ${maximumBytes} bytes.`, { maximumBytes });
}
