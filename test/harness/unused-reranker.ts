import type { Reranker } from "../../subgraphs/retrieval/reranker.ts";

/** TEST DOUBLE: the reranker of a retrieval service whose tests never rerank; a call is a bug in the test. */
export const unusedReranker: Reranker = {
  rerank: () => Promise.reject(new Error("this test's retrieval service has no reranker")),
};
