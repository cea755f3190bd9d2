/** The label value of everything past the cap of a `BoundedLabel`. */
export const overflowLabelValue = "other";

/**
 * Keeps a label's values bounded: the first `maximumValues` distinct values are used as they are,
 * later new ones become `other`, so a client sending random operation names cannot grow the
 * number of series without bound.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();
  readonly #maximumValues: number;

  /** @param maximumValues Most distinct values kept, at least 1. */
  constructor(maximumValues: number) {
    this.#maximumValues = maximumValues;
  }

  /** `value` when it was seen before or there is room for it, `other` otherwise. */
  valueOf(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.#maximumValues) return overflowLabelValue;
    this.#seen.add(value);
    return value;
  }
}
