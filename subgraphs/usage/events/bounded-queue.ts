/**
 * A first-in first-out queue holding at most `capacity` items: pushing onto a full queue drops the
 * oldest item and returns it. Removing from the front is O(1) (a moving head, compacted now and
 * then), which `Array.prototype.shift` on a large array is not guaranteed to be.
 */
export class BoundedQueue<Item> {
  readonly capacity: number;
  #items: Item[] = [];
  #head = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Adds `item` at the back; returns the oldest item when it had to be dropped to make room. */
  push(item: Item): Item | undefined {
    const dropped = this.length >= this.capacity ? this.shift() : undefined;
    this.#items.push(item);
    return dropped;
  }

  peek(): Item | undefined {
    return this.#items[this.#head];
  }

  shift(): Item | undefined {
    if (this.length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#head += 1;
    // Reclaim the consumed prefix once it is most of the array.
    if (this.#head >= 1_024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes and returns up to `count` items from the front, oldest first. */
  take(count: number): Item[] {
    const taken = this.#items.slice(this.#head, this.#head + count);
    for (let index = 0; index < taken.length; index += 1) this.shift();
    return taken;
  }
}
