import { z } from "zod";
import { JsonFileDocument } from "../../platform/storage/json-file-document.ts";
import type { PersistedDocumentStore } from "./persisted-document-store.ts";

const manifestSchema = z.record(z.string(), z.string());
type Manifest = Record<string, string>;

/** The manifest as a JSON file (embedded stores); reloaded when another process replaces it. */
export class FilePersistedDocumentStore implements PersistedDocumentStore {
  readonly #document: JsonFileDocument<Manifest>;

  constructor(path: string) {
    this.#document = new JsonFileDocument(path, manifestSchema as z.ZodType<Manifest>, () => ({}));
  }

  async find(id: string): Promise<string | undefined> {
    const manifest = await this.#document.read();
    return Object.hasOwn(manifest, id) ? manifest[id] : undefined;
  }

  add(documents: Readonly<Record<string, string>>): Promise<number> {
    return this.#document.update((current) => {
      const next = { ...current, ...documents };
      return { next, result: Object.keys(next).length };
    });
  }

  async count(): Promise<number> {
    return Object.keys(await this.#document.read()).length;
  }
}
