import type { ExecutionResult, FormattedExecutionResult, GraphQLError } from "graphql";
import { ErrorCode } from "../../platform/errors/error-code.ts";
import { ServiceError } from "../../platform/errors/service-error.ts";
import type { Logger } from "../../platform/logging/logger.ts";
import { bufferOverflow, SubscriptionFailure } from "./subscription-errors.ts";
import type { UpstreamHandlers } from "./upstream-subscriptions.ts";

export interface FederatedSubscriptionOptions {
  /** Most upstream events held for the client; one more ends the subscription (`SUBSCRIPTION_BUFFER_OVERFLOW`). */
  maxBufferedEvents: number;
  /** Starts the upstream subscription; returns what cancels it. Called once, in the constructor. */
  openUpstream: (handlers: UpstreamHandlers) => () => void;
  /** Turns one upstream event into the client's result (fetching other subgraphs' fields). */
  resolveEvent: (event: FormattedExecutionResult) => Promise<ExecutionResult>;
  /** Called once when the subscription has ended, however it ended. */
  onEnded?: () => void;
  logger: Logger;
}

const done: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One client subscription, as the async iterator graphql-ws consumes. Upstream events wait in a
 * bounded queue and are resolved one at a time when the client's socket is ready for the next
 * (graphql-ws pulls the next result only after the previous one was written), so a client that
 * reads slowly makes the queue grow, up to `maxBufferedEvents`; past it the subscription ends
 * with `SUBSCRIPTION_BUFFER_OVERFLOW`, the queue is dropped and the upstream cancelled.
 *
 * `return()` (client `complete`, socket closed) cancels the upstream at once, even while a `next()`
 * is waiting for an event: this is a hand-written iterator because an `async function*` would only
 * see `return()` after its pending `await` settled, that is at the next upstream event.
 */
export class FederatedSubscription implements AsyncIterableIterator<ExecutionResult> {
  readonly #options: FederatedSubscriptionOptions;
  #queue: FormattedExecutionResult[] = [];
  #upstreamCompleted = false;
  #failure: SubscriptionFailure | undefined;
  /** Set once `return()`/`throw()` was called or the end was handed to the client. */
  #closed = false;
  #upstreamCancelled = false;
  #wake: (() => void) | undefined;
  /** Set once `openUpstream` has returned; the upstream may fail before that, synchronously. */
  #cancelUpstream: (() => void) | undefined;
  #cancelWhenOpened = false;

  constructor(options: FederatedSubscriptionOptions) {
    this.#options = options;
    const cancelUpstream = options.openUpstream({
      next: (event) => this.#push(event),
      error: (errors) => this.#fail(errors, false),
      complete: () => {
        this.#upstreamCancelled = true;
        this.#upstreamCompleted = true;
        this.#signal();
      },
    });
    this.#cancelUpstream = cancelUpstream;
    // Failed while opening (an error reported at once): cancel now that there is something to cancel.
    if (this.#cancelWhenOpened) cancelUpstream();
  }

  /** Events waiting for the client. */
  get bufferedEvents(): number {
    return this.#queue.length;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
    for (;;) {
      if (this.#closed) return done;
      const event = this.#queue.shift();
      if (event !== undefined) {
        let value: ExecutionResult;
        try {
          value = await this.#options.resolveEvent(event);
        } catch (error) {
          this.#options.logger.error("resolving a subscription event failed", { error });
          this.#fail([new ServiceError(ErrorCode.InternalServerError, "Internal server error")], true);
          continue;
        }
        // Cancelled while resolving: the client no longer wants it.
        return this.#closed ? done : { done: false, value };
      }
      if (this.#failure !== undefined) {
        this.#end();
        throw this.#failure;
      }
      if (this.#upstreamCompleted) {
        this.#end();
        return done;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Ends the subscription now: cancels the upstream and releases a pending `next()`. */
  async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.#end();
    return done;
  }

  async throw(): Promise<IteratorResult<ExecutionResult, undefined>> {
    this.#end();
    return done;
  }

  #push(event: FormattedExecutionResult): void {
    if (this.#closed || this.#failure !== undefined) return;
    if (this.#queue.length >= this.#options.maxBufferedEvents) {
      this.#options.logger.warn("subscription buffer overflow: a client reads too slowly", { maxBufferedEvents: this.#options.maxBufferedEvents });
      this.#fail([bufferOverflow(this.#options.maxBufferedEvents)], true);
      return;
    }
    this.#queue.push(event);
    this.#signal();
  }

  /** Ends the stream with `errors`, after the events already received unless `dropQueued`. */
  #fail(errors: GraphQLError[], dropQueued: boolean): void {
    if (this.#closed || this.#failure !== undefined) return;
    if (dropQueued) this.#queue = [];
    this.#failure = new SubscriptionFailure(errors);
    this.#cancel();
    this.#signal();
  }

  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#cancel();
    this.#signal();
    this.#options.onEnded?.();
  }

  #cancel(): void {
    if (this.#upstreamCancelled) return;
    this.#upstreamCancelled = true;
    if (this.#cancelUpstream === undefined) this.#cancelWhenOpened = true;
    else this.#cancelUpstream();
  }

  #signal(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
