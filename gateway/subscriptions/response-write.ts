import type { ServerResponse } from "node:http";

/**
 * Writes `chunk` and resolves once it is flushed to the socket (true), or false when the client is
 * gone. The write callback alone is not enough: Node does not always call it for a chunk in flight
 * when the socket closes, which would leave a stream waiting forever on a departed client.
 */
export function writeChunk(response: ServerResponse, chunk: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    response.once("close", onClose);
    response.write(chunk, (error) => {
      response.off("close", onClose);
      resolve(error === null || error === undefined);
    });
  });
}
