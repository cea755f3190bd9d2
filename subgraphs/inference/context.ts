import type { QuotaStore } from "../usage/quota/quota-store.ts";
import type { CallContext, CompletionService } from "./completion-service.ts";

/** What every inference resolver receives. Built once per GraphQL operation (or subscription). */
export interface InferenceContext extends CallContext {
  completions: CompletionService;
  /** Reports the counters the tenant's quota is enforced against. */
  quotas: QuotaStore;
}
