/** Bounds on retrieval requests, checked before any work. */
export interface RetrievalLimits {
  /** Largest document, in UTF-8 bytes. Default 4 MiB (MAX_DOCUMENT_BYTES). */
  maximumDocumentBytes: number;
  /** Chunks embedded per call to the embedder. Default 32 (EMBEDDING_BATCH_SIZE). */
  embeddingBatchSize: number;
  /** Most metadata entries on one document. Default 32. */
  maximumMetadataEntries: number;
  /** Most hits one search returns. Default 100. */
  maximumTopK: number;
  /**
   * Longest a document's ingestion may run, in milliseconds; then it fails with
   * INGESTION_TIMED_OUT and nothing of it is kept. Default 3,600,000 (INGESTION_TIMEOUT_MILLIS).
   */
  ingestionTimeoutMillis: number;
}

export const defaultRetrievalLimits: RetrievalLimits = {
  maximumDocumentBytes: 4_194_304,
  embeddingBatchSize: 32,
  maximumMetadataEntries: 32,
  maximumTopK: 100,
  ingestionTimeoutMillis: 3_600_000,
};
