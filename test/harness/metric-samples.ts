/**
 * Reads a service's `/metrics` (Prometheus text exposition format) in tests: every sample as a
 * name, labels and value. Only what tests need of the format: comments are skipped, label values
 * are unescaped, timestamps are ignored.
 */

export interface MetricSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

const samplePattern = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of an exposition; throws on a line that is not a comment, blank or a sample. */
export function parseExposition(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const match = samplePattern.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, raw] of (match[2] ?? "").matchAll(labelPattern)) {
      if (name !== undefined && raw !== undefined) labels[name] = raw.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    }
    const rawValue = match[3] ?? "";
    samples.push({ name: match[1] ?? "", labels, value: rawValue === "+Inf" ? Infinity : rawValue === "-Inf" ? -Infinity : Number(rawValue) });
  }
  return samples;
}

/** GETs `<baseUrl>/metrics` (only the families in `names`, when given), checks it is the text format, and parses it. */
export async function scrapeMetrics(baseUrl: string, names: readonly string[] = []): Promise<MetricSample[]> {
  const query = names.map((name) => `name[]=${encodeURIComponent(name)}`).join("&");
  const response = await fetch(`${baseUrl}/metrics${query === "" ? "" : `?${query}`}`);
  if (response.status !== 200) throw new Error(`${baseUrl}/metrics answered ${response.status}`);
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.startsWith("text/plain")) throw new Error(`${baseUrl}/metrics is not the text format: ${contentType}`);
  return parseExposition(await response.text());
}

/** The sum of the samples named `name` whose labels include `labels`; 0 when none match. */
export function sumOf(samples: readonly MetricSample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
  }
  return sum;
}

/** One scheduler kind's figures, as the inference subgraph's series give them (the shape the JSON endpoint had). */
export interface SchedulerRequestFigures {
  running: number;
  queueDepth: number;
  completed: number;
  failed: number;
  cancelledWhileQueued: number;
  cancelledWhileRunning: number;
  rejectedOverloaded: number;
}

/** Reads `model`'s `kind` figures from the inference subgraph at `baseUrl`. */
export async function schedulerRequests(baseUrl: string, model: string, kind: "embed" | "generate" | "stream"): Promise<SchedulerRequestFigures> {
  // Only the scheduler's families: polling them is cheap, which tests that poll every few milliseconds need.
  const samples = await scrapeMetrics(baseUrl, ["scheduler_requests_total", "scheduler_running", "scheduler_queue_depth"]);
  const outcome = (name: string) => sumOf(samples, "scheduler_requests_total", { model, kind, outcome: name });
  return {
    running: sumOf(samples, "scheduler_running", { model, kind }),
    queueDepth: sumOf(samples, "scheduler_queue_depth", { model, kind }),
    completed: outcome("completed"),
    failed: outcome("failed"),
    cancelledWhileQueued: outcome("cancelled_queued"),
    cancelledWhileRunning: outcome("cancelled_running"),
    rejectedOverloaded: outcome("overloaded"),
  };
}

/** The metric families an exposition declares (`# TYPE` lines), by name; histograms and summaries also under their `_bucket`, `_sum` and `_count` sample names. */
export function metricFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (match === null) continue;
    const [, name = "", type = ""] = match;
    families.set(name, type);
    if (type === "histogram" || type === "summary") for (const suffix of ["_bucket", "_sum", "_count"]) families.set(`${name}${suffix}`, type);
  }
  return families;
}
