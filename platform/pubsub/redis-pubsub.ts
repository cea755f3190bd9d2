import type { Redis } from "ioredis";
import type { Logger } from "../logging/logger.ts";
import type { MessageListener, PubSub } from "./pubsub.ts";

/**
 * Pub/sub over Redis channels. A subscribed Redis connection can run no other command, so this owns
 * a second connection for subscriptions, made from the given one.
 */
export class RedisPubSub implements PubSub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #keyPrefix: string;
  readonly #listeners = new Map<string, Set<MessageListener>>();
  readonly #logger: Logger;

  constructor(connection: Redis, keyPrefix: string, logger: Logger) {
    this.#publisher = connection;
    this.#subscriber = connection.duplicate();
    this.#keyPrefix = keyPrefix;
    this.#logger = logger;
    this.#subscriber.on("message", (channel: string, text: string) => this.#deliver(channel, text));
    // Without a listener ioredis prints every failed reconnect as an unhandled error; the shared
    // connection already reports the outage.
    this.#subscriber.on("error", (error: Error) => this.#logger.debug("pub/sub subscriber connection error", { error: error.message }));
  }

  async publish(channel: string, message: unknown): Promise<void> {
    await this.#publisher.publish(this.#keyPrefix + channel, JSON.stringify(message));
  }

  async subscribe(channel: string, listener: MessageListener): Promise<() => Promise<void>> {
    const fullChannel = this.#keyPrefix + channel;
    let listeners = this.#listeners.get(fullChannel);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(fullChannel, listeners);
      await this.#subscriber.subscribe(fullChannel);
    }
    const wrapped: MessageListener = (message) => listener(message);
    listeners.add(wrapped);
    return async () => {
      listeners.delete(wrapped);
      if (listeners.size === 0 && this.#listeners.get(fullChannel) === listeners) {
        this.#listeners.delete(fullChannel);
        await this.#subscriber.unsubscribe(fullChannel);
      }
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#subscriber.disconnect();
  }

  #deliver(channel: string, text: string): void {
    const listeners = this.#listeners.get(channel);
    if (listeners === undefined) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      this.#logger.warn("dropped a pub/sub message that is not JSON", { channel });
      return;
    }
    for (const listener of listeners) listener(message);
  }
}
