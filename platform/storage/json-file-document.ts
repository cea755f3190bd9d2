import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { z } from "zod";

/**
 * One JSON document on disk, the persistence of the embedded stores. Writes are atomic (a temporary
 * file, fsync, rename), so a crash leaves either the old or the new document, never half of one.
 * Reads reload the file when another process (a CLI, a second service) replaced it.
 *
 * Updates are serialized within this process. Two processes writing the same document at once is
 * not supported; that is what the Redis backend is for.
 */
export class JsonFileDocument<Document> {
  readonly path: string;
  readonly #schema: z.ZodType<Document>;
  readonly #createEmpty: () => Document;
  #cached: { document: Document; fingerprint: string } | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(path: string, schema: z.ZodType<Document>, createEmpty: () => Document) {
    this.path = path;
    this.#schema = schema;
    this.#createEmpty = createEmpty;
  }

  /** The current document. Callers must not mutate it. */
  async read(): Promise<Document> {
    const fingerprint = await this.#fingerprint();
    if (this.#cached !== undefined && this.#cached.fingerprint === fingerprint) return this.#cached.document;
    const document = fingerprint === "missing" ? this.#createEmpty() : await this.#load();
    this.#cached = { document, fingerprint };
    return document;
  }

  /**
   * Applies `change` to the current document and persists the result before resolving. `change`
   * returns the next document (a new object: the current one may be shared with readers) and a
   * result; if it throws, nothing is written.
   */
  update<Result>(change: (current: Document) => { next: Document; result: Result }): Promise<Result> {
    const run = this.#queue.then(async () => {
      const { next, result } = change(await this.read());
      await this.#write(next);
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<Document> {
    const text = await readFile(this.path, "utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    const result = this.#schema.safeParse(parsed);
    if (!result.success) throw new Error(`${this.path} does not hold a valid document: ${result.error.message}`);
    return result.data;
  }

  async #write(document: Document): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const temporaryPath = `${this.path}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temporaryPath, "w", 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporaryPath, this.path);
    } catch (error) {
      await rm(temporaryPath, { force: true });
      throw error;
    }
    this.#cached = { document, fingerprint: await this.#fingerprint() };
  }

  /**
   * Synchronous on purpose: every read checks it (an API key on every request, a model on every
   * completion), a `stat` takes about 5 µs, and the asynchronous one is a round trip through
   * libuv's thread pool (about 90 µs idle), where it queues behind llama.cpp's decode jobs
   * under load. (On a network filesystem a stat blocks longer: keep DATA_DIR on local disk.)
   */
  async #fingerprint(): Promise<string> {
    // No exception for a missing file: a fresh store is read on every request until its first write.
    const stats = statSync(this.path, { throwIfNoEntry: false });
    return stats === undefined ? "missing" : `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
  }
}
