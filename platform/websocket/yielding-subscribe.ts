import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";

/**
 * graphql-js's `subscribe`, except that each source event is executed and handed on (to be
 * formatted and written to the socket) only after the event loop has run what was queued while
 * the event arrived.
 *
 * Why: node-llama-cpp decodes the next token when its dispatch, queued with `setImmediate` as the
 * previous token comes out, runs. graphql-js's own mapping executes the event's selection, and
 * graphql-ws stringifies and writes it, in the promise chain that delivered the token, so all of
 * that ran before the dispatch and llama.cpp sat idle for it on every token. Deferred past the
 * dispatch, the delivery runs on the event loop while llama.cpp decodes on its own thread.
 *
 * Like graphql-js's mapping, `return()` ends the source at once, even while a `next()` waits.
 */
export async function subscribeYieldingPerEvent(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const events = source[Symbol.asyncIterator]();
  const done: IteratorReturnResult<void> = { done: true, value: undefined };
  const close = async () => {
    await events.return?.();
  };
  const stream: AsyncGenerator<ExecutionResult, void, void> = {
    async next() {
      const step = await events.next();
      if (step.done === true) return done;
      await afterQueuedWork();
      try {
        return { done: false, value: await execute({ ...args, rootValue: step.value }) };
      } catch (error) {
        await close().catch(() => undefined);
        throw error;
      }
    },
    async return() {
      await close();
      return done;
    },
    async throw(error: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<ExecutionResult, void, void>;
  return stream;
}

/**
 * Resolves once every `setImmediate` callback queued before this call has run. One
 * `setImmediate` is not enough: queued in the same I/O callback as node-llama-cpp's dispatch but
 * before it, it would run first (and its promise chain with it). Callbacks queued while
 * immediates run wait for the next loop turn, so the second one runs after all of them.
 */
function afterQueuedWork(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function";
}
