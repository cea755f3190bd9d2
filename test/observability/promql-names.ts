/**
 * The metric names a PromQL expression reads, to check dashboards and alert rules against the
 * series the services declare. Enough PromQL for that: string literals, label matchers and
 * groupings (`{...}`, `by (...)`, `on (...)`...), range and subquery brackets, durations and
 * numbers are removed; function names (followed by `(`) and keywords are not metric names.
 */
const keywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool", "atan2", "inf", "nan"]);

export function metricNamesIn(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/(?<![a-zA-Z0-9_:.])\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice((match.index ?? 0) + name.length).trimStart();
    if (after.startsWith("(") || keywords.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
