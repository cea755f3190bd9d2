/**
 * What `startTracing` decided for this process, for code that does extra work only when spans are
 * recorded. Both off until `startTracing` runs (tests that start services in-process record nothing).
 */
let enabled = false;
let captureMessageContent = false;
/** Counts `setTracingState` calls, so a tracer obtained from an earlier registration is not reused. */
let generation = 0;

export function setTracingState(state: { enabled: boolean; captureMessageContent: boolean }): void {
  enabled = state.enabled;
  captureMessageContent = state.captureMessageContent;
  generation += 1;
}

/** Changes whenever tracing is started or stopped. */
export function tracingGeneration(): number {
  return generation;
}

/** Whether spans are exported by this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

/**
 * Whether prompt and completion text may go on spans: only with
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true (the GenAI semantic conventions' switch).
 * Prompts carry customer data, and trace backends are seldom guarded like the data stores.
 */
export function messageContentCaptured(): boolean {
  return enabled && captureMessageContent;
}
