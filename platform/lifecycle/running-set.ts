/**
 * The streams (or operations) a transport is running, with a way to wait until none is left: what
 * a graceful stop waits on before it ends the rest.
 */
export class RunningSet<Item> {
  readonly #items = new Set<Item>();
  #waiters: (() => void)[] = [];

  get size(): number {
    return this.#items.size;
  }

  add(item: Item): void {
    this.#items.add(item);
  }

  delete(item: Item): void {
    if (!this.#items.delete(item) || this.#items.size > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** A copy of the items, safe to iterate while they end. */
  values(): Item[] {
    return [...this.#items];
  }

  /** Resolves once the set is empty (at once when it is). */
  whenEmpty(): Promise<void> {
    if (this.#items.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
