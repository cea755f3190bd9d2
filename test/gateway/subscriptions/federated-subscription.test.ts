import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildSchema, type ExecutionResult, type FormattedExecutionResult } from "graphql";
import { clientsSeeEveryMember } from "../../../gateway/subscriptions/subscription-planner.ts";
import { FederatedSubscription } from "../../../gateway/subscriptions/federated-subscription.ts";
import { SubscriptionFailure, upstreamUnavailable } from "../../../gateway/subscriptions/subscription-errors.ts";
import { resolveSubscriptionOptions, subscriptionDefaults } from "../../../gateway/subscriptions/subscription-options.ts";
import { toWebSocketUrl, type UpstreamHandlers } from "../../../gateway/subscriptions/upstream-subscriptions.ts";
import type { Logger } from "../../../platform/logging/logger.ts";

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A FederatedSubscription over a hand-driven upstream. */
function harness(options: { maxBufferedEvents?: number; resolveEvent?: (event: FormattedExecutionResult) => Promise<ExecutionResult> } = {}) {
  let handlers: UpstreamHandlers | undefined;
  const state = { cancelled: 0, ended: 0 };
  const subscription = new FederatedSubscription({
    maxBufferedEvents: options.maxBufferedEvents ?? 3,
    logger: silent,
    openUpstream: (given) => {
      handlers = given;
      return () => {
        state.cancelled += 1;
      };
    },
    resolveEvent: options.resolveEvent ?? (async (event) => ({ data: event.data ?? null })),
    onEnded: () => {
      state.ended += 1;
    },
  });
  if (handlers === undefined) throw new Error("upstream not opened");
  return { subscription, upstream: handlers, state };
}

const event = (n: number): FormattedExecutionResult => ({ data: { n } });

describe("FederatedSubscription", () => {
  it("delivers events in order, then ends when the upstream completes", async () => {
    const { subscription, upstream, state } = harness();
    upstream.next(event(1));
    upstream.next(event(2));
    assert.deepEqual(await subscription.next(), { done: false, value: { data: { n: 1 } } });
    upstream.complete();
    assert.deepEqual(await subscription.next(), { done: false, value: { data: { n: 2 } } });
    assert.deepEqual(await subscription.next(), { done: true, value: undefined });
    assert.equal(state.cancelled, 0, "a completed upstream is not cancelled again");
    assert.equal(state.ended, 1);
  });

  it("ends with the error of an upstream that fails while it is being opened (no subgraph URL)", async () => {
    let cancelled = 0;
    const subscription = new FederatedSubscription({
      maxBufferedEvents: 3,
      logger: silent,
      openUpstream: (handlers) => {
        handlers.error([upstreamUnavailable("ticker", "could not connect")]);
        return () => {
          cancelled += 1;
        };
      },
      resolveEvent: async (given) => ({ data: given.data ?? null }),
    });
    await assert.rejects(subscription.next(), (error: unknown) => error instanceof SubscriptionFailure && error.errors[0]?.extensions.code === "SERVICE_UNAVAILABLE");
    assert.equal(cancelled, 1, "the upstream is cancelled once it exists");
  });

  it("cancels the upstream synchronously on return(), releasing a next() that waits for an event", async () => {
    const { subscription, state } = harness();
    const pending = subscription.next();
    const returned = subscription.return();
    assert.equal(state.cancelled, 1, "cancelled before return() even settles");
    assert.deepEqual(await pending, { done: true, value: undefined });
    assert.deepEqual(await returned, { done: true, value: undefined });
    await subscription.return();
    assert.equal(state.cancelled, 1);
    assert.equal(state.ended, 1);
  });

  it("drops an event resolved after return() instead of delivering it", async () => {
    let release: () => void = () => undefined;
    const { subscription, upstream } = harness({
      resolveEvent: (given) =>
        new Promise((resolve) => {
          release = () => resolve({ data: given.data ?? null });
        }),
    });
    upstream.next(event(1));
    const pending = subscription.next();
    await new Promise((resolve) => setImmediate(resolve));
    await subscription.return();
    release();
    assert.deepEqual(await pending, { done: true, value: undefined });
  });

  it("ends with SUBSCRIPTION_BUFFER_OVERFLOW when more than maxBufferedEvents wait, dropping them and cancelling upstream", async () => {
    const { subscription, upstream, state } = harness({ maxBufferedEvents: 3 });
    for (let n = 1; n <= 3; n += 1) upstream.next(event(n));
    assert.equal(subscription.bufferedEvents, 3);
    assert.equal(state.cancelled, 0);
    upstream.next(event(4));
    assert.equal(subscription.bufferedEvents, 0);
    assert.equal(state.cancelled, 1);
    upstream.next(event(5));
    await assert.rejects(subscription.next(), (error: unknown) => {
      assert.ok(error instanceof SubscriptionFailure);
      assert.equal(error.errors[0]?.extensions.code, "SUBSCRIPTION_BUFFER_OVERFLOW");
      assert.equal(error.errors[0]?.extensions.maxBufferedEvents, 3);
      return true;
    });
    assert.deepEqual(await subscription.next(), { done: true, value: undefined });
    assert.equal(state.ended, 1);
  });

  it("delivers events received before an upstream failure, then the failure", async () => {
    const { subscription, upstream } = harness();
    upstream.next(event(1));
    upstream.error([upstreamUnavailable("ticker", "connection lost")]);
    upstream.next(event(2));
    assert.deepEqual(await subscription.next(), { done: false, value: { data: { n: 1 } } });
    await assert.rejects(subscription.next(), (error: unknown) => error instanceof SubscriptionFailure && error.errors[0]?.extensions.code === "SERVICE_UNAVAILABLE");
  });

  it("turns a failure to resolve an event into INTERNAL_SERVER_ERROR and cancels upstream", async () => {
    const { subscription, upstream, state } = harness({ resolveEvent: async () => Promise.reject(new Error("bug")) });
    upstream.next(event(1));
    upstream.next(event(2));
    await assert.rejects(subscription.next(), (error: unknown) => error instanceof SubscriptionFailure && error.errors[0]?.extensions.code === "INTERNAL_SERVER_ERROR");
    assert.equal(state.cancelled, 1);
  });
});

describe("subscription helpers", () => {
  it("clientsSeeEveryMember is false when the supergraph has a union member or an enum value the API schema hides", () => {
    const api = buildSchema(`type A { a: Int } type B { b: Int } union U = A | B enum E { ONE TWO } type Query { u: U e: E }`);
    assert.equal(clientsSeeEveryMember(api, api), true);
    const hiddenMember = buildSchema(`type A { a: Int } type B { b: Int } type C { c: Int } union U = A | B | C enum E { ONE TWO } type Query { u: U e: E }`);
    assert.equal(clientsSeeEveryMember(api, hiddenMember), false);
    const hiddenValue = buildSchema(`type A { a: Int } type B { b: Int } union U = A | B enum E { ONE TWO SECRET } type Query { u: U e: E }`);
    assert.equal(clientsSeeEveryMember(api, hiddenValue), false);
  });

  it("resolveSubscriptionOptions fills defaults and refuses nonsense", () => {
    assert.deepEqual(resolveSubscriptionOptions(), subscriptionDefaults);
    assert.equal(resolveSubscriptionOptions({ maxBufferedEvents: 8 }).maxBufferedEvents, 8);
    assert.equal(resolveSubscriptionOptions({ upstreamIdleTimeoutMillis: 0 }).upstreamIdleTimeoutMillis, 0);
    assert.throws(() => resolveSubscriptionOptions({ maxBufferedEvents: 0 }), RangeError);
    assert.throws(() => resolveSubscriptionOptions({ planCacheSize: 1.5 }), RangeError);
  });

  it("toWebSocketUrl maps http to ws and https to wss", () => {
    assert.equal(toWebSocketUrl("http://127.0.0.1:4001/graphql"), "ws://127.0.0.1:4001/graphql");
    assert.equal(toWebSocketUrl("https://inference.internal/graphql"), "wss://inference.internal/graphql");
  });
});
