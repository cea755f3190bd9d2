/**
 * The CPU budget read from cgroup files written by the test, as Linux lays them out: cgroup v2
 * (`cpu.max` at the root) and v1 (`cpu/` or `cpu,cpuacct/` with cfs quota and period).
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { availableCpus, cpuBudget, readCgroupCpuQuota } from "../../../engines/llama-cpp/cpu-budget.ts";
import { temporaryDirectory } from "../../harness/temporary-directory.ts";

async function cgroupVersion2(cpuMax: string): Promise<string> {
  const root = await temporaryDirectory("cgroup-v2");
  await writeFile(join(root, "cpu.max"), `${cpuMax}\n`);
  await writeFile(join(root, "cgroup.controllers"), "cpuset cpu io memory pids\n");
  return root;
}

async function cgroupVersion1(quota: string, period: string, controller = "cpu"): Promise<string> {
  const root = await temporaryDirectory("cgroup-v1");
  await mkdir(join(root, controller));
  await writeFile(join(root, controller, "cpu.cfs_quota_us"), `${quota}\n`);
  await writeFile(join(root, controller, "cpu.cfs_period_us"), `${period}\n`);
  return root;
}

describe("cgroup v2 (cpu.max)", () => {
  it("a 4-CPU limit on a 64-core node gives 4 CPUs", async () => {
    const root = await cgroupVersion2("400000 100000");
    assert.equal(availableCpus({ cgroupRoot: root, cores: 64 }), 4);
    assert.deepEqual(cpuBudget({ cgroupRoot: root, cores: 64 }), { cpus: 4, cores: 64, quotaCpus: 4, quotaSource: join(root, "cpu.max") });
  });

  it("a fractional limit rounds up: 0.5 CPU gives 1, 2.5 CPUs give 3", async () => {
    assert.equal(availableCpus({ cgroupRoot: await cgroupVersion2("50000 100000"), cores: 2 }), 1);
    assert.equal(availableCpus({ cgroupRoot: await cgroupVersion2("250000 100000"), cores: 16 }), 3);
  });

  it("a limit above the cores leaves the cores", async () => {
    assert.equal(availableCpus({ cgroupRoot: await cgroupVersion2("800000 100000"), cores: 2 }), 2);
  });

  it("`max` means no quota: all cores", async () => {
    const root = await cgroupVersion2("max 100000");
    assert.equal(readCgroupCpuQuota(root), undefined);
    assert.deepEqual(cpuBudget({ cgroupRoot: root, cores: 8 }), { cpus: 8, cores: 8, quotaCpus: undefined, quotaSource: undefined });
  });
});

describe("cgroup v1 (cpu.cfs_quota_us / cpu.cfs_period_us)", () => {
  it("a quota of 2 CPUs under cpu/ gives 2", async () => {
    const root = await cgroupVersion1("200000", "100000");
    assert.equal(availableCpus({ cgroupRoot: root, cores: 64 }), 2);
    assert.equal(readCgroupCpuQuota(root)?.source, join(root, "cpu", "cpu.cfs_quota_us"));
  });

  it("is found under cpu,cpuacct/ too, with another period", async () => {
    const root = await cgroupVersion1("150000", "50000", "cpu,cpuacct");
    assert.equal(availableCpus({ cgroupRoot: root, cores: 64 }), 3);
  });

  it("-1 means no quota: all cores", async () => {
    const root = await cgroupVersion1("-1", "100000");
    assert.equal(readCgroupCpuQuota(root), undefined);
    assert.equal(availableCpus({ cgroupRoot: root, cores: 12 }), 12);
  });
});

describe("no cgroup files", () => {
  it("an empty directory (no cgroup, or not Linux) leaves the cores; never fewer than 1", async () => {
    const root = await temporaryDirectory("no-cgroup");
    assert.equal(availableCpus({ cgroupRoot: root, cores: 6 }), 6);
    assert.equal(availableCpus({ cgroupRoot: root, cores: 0 }), 1);
  });

  it("unparsable contents are no quota rather than a guess", async () => {
    const root = await cgroupVersion2("garbage");
    assert.equal(readCgroupCpuQuota(root), undefined);
  });
});
