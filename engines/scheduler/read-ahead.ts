/**
 * Reads an engine's stream ahead of its reader, holding at most `capacity` events.
 *
 * Engines decode when asked for the next event (node-llama-cpp's token generator, an HTTP body):
 * read one event at a time by a GraphQL server that first formats and sends the previous one, the
 * engine would sit idle while each token travels, and every token would cost decoding plus
 * delivery. Reading ahead overlaps the two, as serving engines do, and starts the prompt's
 * evaluation right after `text-start` instead of after that event was delivered. The bound is the
 * backpressure: a reader that stops reading stops the engine `capacity` events later.
 */
export class ReadAhead<T> implements AsyncIterator<T> {
  readonly #source: AsyncIterator<T>;
  readonly #capacity: number;
  readonly #buffer: T[] = [];
  readonly #waiting: Array<{ resolve(result: IteratorResult<T>): void; reject(reason: unknown): void }> = [];
  #pulling = false;
  /** The source said done, or failed (then `#failure` holds its error until a reader takes it). */
  #sourceEnded = false;
  #failure: { error: unknown } | undefined;
  #stopped = false;

  /** @param capacity Most events read but not yet taken; at least 1. */
  constructor(source: AsyncIterator<T>, capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    this.#source = source;
    this.#capacity = capacity;
    this.#pull();
  }

  /** Events read from the source and not taken yet. */
  get buffered(): number {
    return this.#buffer.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#waiting.length === 0) {
      const settled = this.#take();
      if (settled !== undefined) return settled;
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /**
   * Stops reading, drops what was read and ends the source (its `return()`), resolving when the
   * source has ended. Waiting readers get `done`.
   */
  async return(): Promise<IteratorResult<T>> {
    if (!this.#stopped) {
      this.#stopped = true;
      this.#buffer.length = 0;
      for (const reader of this.#waiting.splice(0)) reader.resolve({ done: true, value: undefined });
      if (!this.#sourceEnded) await this.#source.return?.();
    }
    return { done: true, value: undefined };
  }

  /** The next result when one is ready: an event, the source's failure, or done. */
  #take(): Promise<IteratorResult<T>> | undefined {
    if (this.#buffer.length > 0) {
      const value = this.#buffer.shift() as T;
      this.#pull();
      return Promise.resolve({ done: false, value });
    }
    if (this.#failure !== undefined) {
      const { error } = this.#failure;
      this.#failure = undefined;
      return Promise.reject(error);
    }
    if (this.#sourceEnded || this.#stopped) return Promise.resolve({ done: true, value: undefined });
    return undefined;
  }

  #pull(): void {
    if (this.#pulling || this.#sourceEnded || this.#stopped || this.#buffer.length >= this.#capacity) return;
    this.#pulling = true;
    let step: Promise<IteratorResult<T>>;
    try {
      step = this.#source.next();
    } catch (error) {
      // A hand-written iterator may throw instead of rejecting; the same failure either way.
      step = Promise.reject(error);
    }
    step.then(
      (result) => {
        this.#pulling = false;
        if (this.#stopped) return;
        if (result.done === true) this.#sourceEnded = true;
        else this.#buffer.push(result.value);
        this.#serve();
        this.#pull();
      },
      (error: unknown) => {
        this.#pulling = false;
        this.#sourceEnded = true;
        if (this.#stopped) return;
        this.#failure = { error };
        this.#serve();
      },
    );
  }

  /** Hands ready results to waiting readers, in order. */
  #serve(): void {
    while (this.#waiting.length > 0) {
      const settled = this.#take();
      if (settled === undefined) return;
      const reader = this.#waiting.shift();
      settled.then(reader?.resolve, reader?.reject);
    }
  }
}
