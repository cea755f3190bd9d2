/** The service's own cosine similarity (the semantic cache's), for tests comparing embeddings. */
export { cosineSimilarity } from "../../subgraphs/inference/cache/semantic-index.ts";
