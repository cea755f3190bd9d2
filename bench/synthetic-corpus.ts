import { SeededRandom } from "../engines/gguf/seeded-random.ts";

/**
 * The retrieval benchmarks' SYNTHETIC corpus: random unit vectors (no real embedding model) and
 * texts of random words from a small vocabulary, from one seeded generator, so every run of a
 * benchmark searches the same data. Calls draw from the one stream in order.
 */
export class SyntheticCorpus {
  static readonly words = ["river", "stone", "falcon", "copper", "lantern", "meadow", "harbor", "ember", "glacier", "orchid", "signal", "violet", "thunder", "saddle", "pixel", "quartz"];
  readonly dimensions: number;
  readonly #random: SeededRandom;

  constructor(dimensions: number, seed = 42) {
    this.dimensions = dimensions;
    this.#random = new SeededRandom(seed);
  }

  /** Uniform in [0, 1). */
  random(): number {
    return this.#random.nextUint32() / 2 ** 32;
  }

  /** A random vector of unit length. */
  unitVector(): Float32Array {
    const vector = new Float32Array(this.dimensions);
    let norm = 0;
    for (let index = 0; index < this.dimensions; index += 1) {
      const value = this.random() * 2 - 1;
      vector[index] = value;
      norm += value * value;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let index = 0; index < this.dimensions; index += 1) vector[index] = (vector[index] ?? 0) * scale;
    return vector;
  }

  /** `wordCount` random words of the vocabulary, space-separated. */
  text(wordCount = 24): string {
    return Array.from({ length: wordCount }, () => SyntheticCorpus.words[Math.floor(this.random() * SyntheticCorpus.words.length)]).join(" ");
  }
}
