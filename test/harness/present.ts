import assert from "node:assert/strict";

/**
 * `value`, asserted to be neither null nor undefined. For fields the schema makes nullable because
 * they are null only with an error (root fields, fields another subgraph resolves), in tests that
 * expect success: a null fails the test here, naming `what`, instead of as a TypeError further on.
 */
export function present<T>(value: T | null | undefined, what = "the value"): T {
  assert.ok(value !== null && value !== undefined, `${what} is ${String(value)}`);
  return value;
}
