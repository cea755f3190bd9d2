/**
 * How many CPUs this process may really use: the machine's cores, capped by the container's CPU
 * quota when one is set. Node 20's `os.availableParallelism()` ignores the quota (inside a 0.5-CPU
 * pod it returned the node's cores), so a 4-CPU pod on a 64-core node would start 63 llama.cpp
 * threads and lose most of its throughput to oversubscription (docs/BENCHMARKS.md).
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

/** Where the cgroup file systems are mounted. Default "/sys/fs/cgroup" (both v1 and v2 mount there). */
export const defaultCgroupRoot = "/sys/fs/cgroup";

/** A CPU quota: `quotaMicros` of CPU time per `periodMicros` of wall time, from one cgroup file. */
export interface CgroupCpuQuota {
  quotaMicros: number;
  periodMicros: number;
  /** The file it was read from, for the start-up log. */
  source: string;
}

/**
 * The CPU quota of the process's cgroup, or undefined when none is set (or no cgroup file is
 * readable, e.g. outside Linux). cgroup v2: `<root>/cpu.max` ("max 100000" or "50000 100000");
 * cgroup v1: `<root>/cpu/cpu.cfs_quota_us` (-1 for none) and `cpu.cfs_period_us`, also looked up
 * under `cpu,cpuacct/`. Inside a container the cgroup namespace makes these the container's own.
 */
export function readCgroupCpuQuota(cgroupRoot: string = defaultCgroupRoot): CgroupCpuQuota | undefined {
  const version2File = join(cgroupRoot, "cpu.max");
  const version2 = readText(version2File);
  if (version2 !== undefined) {
    const [quota = "", period = ""] = version2.trim().split(/\s+/);
    if (quota === "max") return undefined;
    return validQuota(Number(quota), Number(period), version2File);
  }
  for (const controller of ["cpu", "cpu,cpuacct", "cpuacct,cpu"]) {
    const quotaFile = join(cgroupRoot, controller, "cpu.cfs_quota_us");
    const quota = readText(quotaFile);
    const period = readText(join(cgroupRoot, controller, "cpu.cfs_period_us"));
    if (quota === undefined || period === undefined) continue;
    return validQuota(Number(quota.trim()), Number(period.trim()), quotaFile);
  }
  return undefined;
}

export interface CpuBudgetOptions {
  /** Where the cgroup file systems are mounted. Default "/sys/fs/cgroup". */
  cgroupRoot?: string;
  /** The CPUs the operating system offers this process. Default `os.availableParallelism()`. */
  cores?: number;
}

export interface CpuBudget {
  /** Whole CPUs to plan threads for: min(cores, ceil(quota / period)), at least 1. */
  cpus: number;
  /** The CPUs the operating system offers (cpuset included), before the quota. */
  cores: number;
  /** The quota in CPUs (0.5 for 50000/100000), or undefined when there is none. */
  quotaCpus: number | undefined;
  /** The file the quota came from. */
  quotaSource: string | undefined;
}

/** The CPUs this process may use (see `CpuBudget`), read once per call from the cgroup files. */
export function cpuBudget(options: CpuBudgetOptions = {}): CpuBudget {
  const cores = options.cores ?? availableParallelism();
  const quota = readCgroupCpuQuota(options.cgroupRoot ?? defaultCgroupRoot);
  if (quota === undefined) return { cpus: Math.max(1, cores), cores, quotaCpus: undefined, quotaSource: undefined };
  const quotaCpus = quota.quotaMicros / quota.periodMicros;
  return { cpus: Math.max(1, Math.min(cores, Math.ceil(quotaCpus))), cores, quotaCpus, quotaSource: quota.source };
}

/** Whole CPUs this process may use (`cpuBudget().cpus`). */
export function availableCpus(options: CpuBudgetOptions = {}): number {
  return cpuBudget(options).cpus;
}

function validQuota(quotaMicros: number, periodMicros: number, source: string): CgroupCpuQuota | undefined {
  // -1 (v1) means no quota; anything unparsable is treated as none rather than guessed at.
  if (!Number.isFinite(quotaMicros) || !Number.isFinite(periodMicros) || quotaMicros <= 0 || periodMicros <= 0) return undefined;
  return { quotaMicros, periodMicros, source };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
