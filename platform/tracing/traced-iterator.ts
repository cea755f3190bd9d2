/**
 * Keeps a span open for the life of an async iterator (a subscription, a token stream): each
 * `next()` runs with the span active, so work the iterator starts lazily is its child, and the span
 * ends when the iterator finishes, fails or is closed early.
 */
import { context, trace, type Context, type Span } from "@opentelemetry/api";
import { markFailed } from "./tracer.ts";

/**
 * `active`: the context each `next()` runs in (default: the current one, with `span` set in it).
 * `observe`: sees each value on its way (to put results on the span).
 */
export function tracedIterator<Value>(span: Span, iterator: AsyncIterator<Value>, active: Context = trace.setSpan(context.active(), span), observe?: (value: Value) => void): AsyncIterableIterator<Value> {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    span.end();
  };
  return {
    async next() {
      try {
        const step = await context.with(active, () => iterator.next());
        if (step.done === true) end();
        else observe?.(step.value);
        return step;
      } catch (error) {
        markFailed(span, error);
        end();
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return (await iterator.return?.(value)) ?? { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      markFailed(span, error);
      end();
      if (iterator.throw !== undefined) return iterator.throw(error);
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
