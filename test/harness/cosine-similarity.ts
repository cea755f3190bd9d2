/** The service's own cosine similarity, for tests comparing embeddings. */
export { cosineSimilarity } from "../../platform/vectors/cosine-similarity.ts";
