import type { ExecutionResult, FormattedExecutionResult, GraphQLFormattedError } from "graphql";

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** Where a `StreamedResults` takes its results from. */
export interface ResultSource {
  /** The next result to send, or done; never rejects (a failure is a last `{ errors }` result). */
  next(): Promise<IteratorResult<FormattedExecutionResult, unknown>>;
  /** Stops producing at once (cancels the upstream subscription, aborts an operation). */
  cancel(): void;
}

/**
 * Results of one operation not yet written to a response, shared by the operations of one SSE
 * stream. Results are taken from their sources only while none is waiting to be written, as
 * graphql-ws takes the next result only once the previous one is on the socket: a client that reads
 * slowly then fills the subscription's own bounded buffer (`maxBufferedEvents`, then
 * `SUBSCRIPTION_BUFFER_OVERFLOW`), not an unbounded queue in the transport.
 */
export class StreamFlow {
  #unwritten = 0;
  #waiters: (() => void)[] = [];

  /** Resolves once nothing taken is waiting to be written. */
  ready(): Promise<void> {
    if (this.#unwritten === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** A result was handed to the transport. */
  taken(): void {
    this.#unwritten += 1;
  }

  /** A result was written to the response. */
  written(): void {
    this.#unwritten = Math.max(0, this.#unwritten - 1);
    if (this.#unwritten > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The results of one operation as an async generator (what graphql-sse consumes), paced by a
 * `StreamFlow`. Hand-written rather than an `async function*` so that `return()` (the client went
 * away, a DELETE, the gateway stopping) cancels the source at once, even while `next()` waits.
 * `stop(result)` ends it with one last result (the gateway is stopping).
 */
export class StreamedResults implements AsyncGenerator<FormattedExecutionResult, undefined, undefined> {
  readonly #source: ResultSource;
  readonly #flow: StreamFlow;
  readonly #onEnded: () => void;
  #closed = false;
  #last: FormattedExecutionResult | undefined;
  #resolveFinished: () => void = () => undefined;
  /** Resolves once the consumer has seen the end (or returned): every result it will get was handed over. */
  readonly finished = new Promise<void>((resolve) => {
    this.#resolveFinished = resolve;
  });
  #wakeClosed: () => void = () => undefined;
  readonly #closedSignal = new Promise<void>((resolve) => {
    this.#wakeClosed = resolve;
  });

  constructor(source: ResultSource, flow: StreamFlow, onEnded: () => void = () => undefined) {
    this.#source = source;
    this.#flow = flow;
    this.#onEnded = onEnded;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<FormattedExecutionResult, undefined>> {
    if (this.#closed) return this.#takeLast();
    await Promise.race([this.#flow.ready(), this.#closedSignal]);
    if (this.#closed) return this.#takeLast();
    const item = await this.#source.next();
    if (this.#closed) return this.#takeLast();
    if (item.done === true) {
      this.#end();
      return this.#takeLast();
    }
    this.#flow.taken();
    return { done: false, value: item.value };
  }

  async return(): Promise<IteratorResult<FormattedExecutionResult, undefined>> {
    this.#last = undefined;
    this.#end();
    this.#resolveFinished();
    return done;
  }

  async throw(): Promise<IteratorResult<FormattedExecutionResult, undefined>> {
    return this.return();
  }

  /** Cancels the source now; the consumer gets `last`, then the end. */
  stop(last: FormattedExecutionResult): void {
    if (this.#closed) return;
    this.#last = last;
    this.#end();
  }

  #takeLast(): IteratorResult<FormattedExecutionResult, undefined> {
    const last = this.#last;
    this.#last = undefined;
    if (last !== undefined) return { done: false, value: last };
    this.#resolveFinished();
    return done;
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeClosed();
    this.#source.cancel();
    this.#onEnded();
  }
}

/** A source of exactly one result, made when first asked for (a refusal, a query's result). */
export function singleResult(produce: () => Promise<FormattedExecutionResult>, cancel: () => void = () => undefined): ResultSource {
  let given = false;
  return {
    async next() {
      if (given) return done;
      given = true;
      return { done: false, value: await produce() };
    },
    cancel,
  };
}

/**
 * A running subscription as a source: events formatted for the client, a failure (the iterator
 * threw `SubscriptionFailure`) as one last `{ errors }` result. `cancel` is the iterator's `return()`.
 */
export function subscriptionSource(
  subscription: AsyncIterator<ExecutionResult, unknown>,
  format: { formatResult(result: ExecutionResult): FormattedExecutionResult; failureErrors(error: unknown): GraphQLFormattedError[] },
): ResultSource {
  let ended = false;
  return {
    async next() {
      if (ended) return done;
      try {
        const item = await subscription.next();
        if (item.done === true) {
          ended = true;
          return done;
        }
        return { done: false, value: format.formatResult(item.value) };
      } catch (error) {
        ended = true;
        return { done: false, value: { errors: format.failureErrors(error) } };
      }
    },
    cancel() {
      ended = true;
      void subscription.return?.();
    },
  };
}
