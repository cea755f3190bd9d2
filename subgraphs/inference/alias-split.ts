import { createHash } from "node:crypto";
import type { RequestContext } from "../../platform/context/request-context.ts";
import type { ModelRecord } from "../model-registry/model-record.ts";

/**
 * Where in [0, 100) a tenant (or API key) falls for the split of `alias`: a SHA-256 of the alias and
 * the key, so one caller always lands on the same arm of one split, and its place in one split says
 * nothing of its place in another.
 */
export function splitPoint(alias: string, stickyKey: string): number {
  const digest = createHash("sha256").update(`${alias}\u0000${stickyKey}`).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 100;
}

/**
 * The arm (a model id) that serves `caller` when it names `model` by `requestedName`, or undefined
 * when the request stays on `model`: its name is not a split alias, or the caller falls in the share
 * the arms leave over. Arms take the points from 0 up, in order: `[{ b, 10 }, { c, 5 }]` gives b the
 * points [0, 10) and c [10, 15).
 */
export function chooseSplitArm(model: Pick<ModelRecord, "aliasSplits">, requestedName: string, caller: Pick<RequestContext, "tenantId" | "apiKeyId">): string | undefined {
  const split = model.aliasSplits?.find((entry) => entry.alias === requestedName);
  if (split === undefined) return undefined;
  const point = splitPoint(split.alias, split.stickiness === "TENANT" ? caller.tenantId : caller.apiKeyId);
  let upper = 0;
  for (const arm of split.arms) {
    upper += arm.percent;
    if (point < upper) return arm.modelId;
  }
  return undefined;
}
