import assert from "node:assert/strict";
import type { LookupAddress } from "node:dns";
import { describe, it } from "node:test";
import { ConfigurationError, parseEnvironment } from "../../platform/config/parse-environment.ts";
import { classifyAddress } from "../../platform/network/address-classes.ts";
import { egressEnvironment, toEgressPolicy } from "../../platform/network/egress-environment.ts";
import { EgressGuard, EgressRefusedError } from "../../platform/network/egress-policy.ts";
import { createGuardedLookup } from "../../platform/network/guarded-lookup.ts";
import { HostAllowList, InvalidHostRuleError } from "../../platform/network/host-allow-list.ts";

function refused(guard: EgressGuard, url: string): boolean {
  try {
    guard.checkUrl(url);
    return false;
  } catch (error) {
    if (error instanceof EgressRefusedError) return true;
    throw error;
  }
}

describe("address classes", () => {
  it("classes special-purpose ranges, IPv4-mapped IPv6 as its IPv4 address", () => {
    for (const address of ["8.8.8.8", "1.1.1.1", "2606:4700::1111"]) assert.equal(classifyAddress(address), "public", address);
    for (const address of ["10.1.2.3", "172.16.0.1", "192.168.1.1", "127.0.0.1", "100.64.0.1", "::1", "fd12::1", "::ffff:7f00:1", "::ffff:10.0.0.1"]) {
      assert.equal(classifyAddress(address), "private", address);
    }
    for (const address of ["169.254.169.254", "0.0.0.0", "224.0.0.1", "255.255.255.255", "fe80::1", "ff02::1", "::", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254"]) {
      assert.equal(classifyAddress(address), "sensitive", address);
    }
  });
});

describe("HostAllowList", () => {
  it("reads names, *. patterns, addresses and CIDRs, skipping empty entries", () => {
    const list = new HostAllowList(" vllm.internal, *.models.example.com,,10.0.0.0/8, ::1, [fd00::5], 192.168.1.7 ");
    assert.deepEqual(list.rules, ["vllm.internal", "*.models.example.com", "10.0.0.0/8", "::1", "[fd00::5]", "192.168.1.7"]);
    assert.equal(list.allowsName("VLLM.internal."), true);
    assert.equal(list.allowsName("a.models.example.com"), true);
    assert.equal(list.allowsName("models.example.com"), false, "a pattern does not match its apex");
    assert.equal(list.allowsName("evilmodels.example.com"), false);
    assert.equal(list.allowsAddress("10.200.3.4"), true);
    assert.equal(list.allowsAddress("::1"), true);
    assert.equal(list.allowsAddress("fd00::5"), true);
    assert.equal(list.allowsAddress("192.168.1.8"), false);
  });

  it("refuses malformed rules", () => {
    for (const rule of ["10.0.0.0/33", "::/129", "vllm/8", "bad host", "*.", "http://vllm", "10.0.0.0/8/1"]) {
      assert.throws(() => new HostAllowList(rule), InvalidHostRuleError, rule);
    }
  });
});

describe("EgressGuard: the check without DNS (registration)", () => {
  const strict = new EgressGuard();

  it("refuses internal addresses and localhost by default, in every spelling", () => {
    for (const url of [
      "http://127.0.0.1:4001/graphql",
      "http://10.0.0.5:8000/v1",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]:8000/v1",
      "http://localhost:8000/v1",
      "http://LOCALHOST./v1",
      "http://api.localhost/v1",
      "http://0x7f000001/v1",
      "http://2130706433/v1",
      "http://127.1/v1",
      "http://[::ffff:127.0.0.1]/v1",
      "http://[fe80::1]/v1",
      "http://0.0.0.0:4000/",
      "http://192.168.0.10/v1",
    ]) {
      assert.equal(refused(strict, url), true, url);
    }
  });

  it("passes public addresses and names (names are checked again at connect time)", () => {
    for (const url of ["https://api.openai.com/v1", "http://8.8.8.8/v1", "http://vllm:8000/v1"]) assert.equal(refused(strict, url), false, url);
  });

  it("allows what the operator lists: a CIDR covers addresses, a name covers the name", () => {
    const guard = new EgressGuard({ allowedHosts: ["10.0.0.0/8", "127.0.0.1", "vllm.internal"], allowPublicNetworks: true });
    assert.equal(refused(guard, "http://10.1.2.3:8000/v1"), false);
    assert.equal(refused(guard, "http://127.0.0.1:8000/v1"), false);
    assert.equal(refused(guard, "http://localhost:8000/v1"), false, "localhost is 127.0.0.1, which is listed");
    assert.equal(refused(guard, "http://127.0.0.2:8000/v1"), true);
    assert.equal(refused(guard, "http://169.254.169.254/"), true);
  });

  it("without public networks, only listed hosts pass", () => {
    const guard = new EgressGuard({ allowedHosts: ["api.openai.com", "*.internal"], allowPublicNetworks: false });
    assert.equal(refused(guard, "https://api.openai.com/v1"), false);
    assert.equal(refused(guard, "http://vllm.internal/v1"), false);
    assert.equal(refused(guard, "https://api.example.com/v1"), true);
    assert.equal(refused(guard, "http://8.8.8.8/v1"), true);
  });
});

describe("EgressGuard: the check of resolved addresses (connect time)", () => {
  it("refuses a public-looking name that resolves to loopback or metadata", () => {
    const guard = new EgressGuard();
    assert.throws(() => guard.checkResolved("rebind.example.com", "127.0.0.1"), EgressRefusedError);
    assert.throws(() => guard.checkResolved("rebind.example.com", "169.254.169.254"), EgressRefusedError);
    assert.throws(() => guard.checkResolved("rebind.example.com", "::ffff:10.0.0.1"), EgressRefusedError);
    guard.checkResolved("api.example.com", "93.184.216.34");
  });

  it("lets a listed name reach private addresses but never link-local/metadata ones; a CIDR can", () => {
    const byName = new EgressGuard({ allowedHosts: ["vllm.internal"], allowPublicNetworks: true });
    byName.checkResolved("vllm.internal", "10.1.2.3");
    byName.checkResolved("vllm.internal", "127.0.0.1");
    assert.throws(() => byName.checkResolved("vllm.internal", "169.254.169.254"), /link-local, metadata/);
    assert.throws(() => byName.checkResolved("other.internal", "10.1.2.3"), /private or loopback/);
    const byCidr = new EgressGuard({ allowedHosts: ["169.254.0.0/16"], allowPublicNetworks: true });
    byCidr.checkResolved("link-local-engine", "169.254.10.1");
  });
});

describe("createGuardedLookup", () => {
  const lookupWith = (guard: EgressGuard, addresses: LookupAddress[], all: boolean) =>
    new Promise<{ error: Error | null; result: unknown }>((resolve) => {
      createGuardedLookup(guard, async () => addresses)("engine.example.com", { all }, (error, address, family) => {
        resolve({ error, result: all ? address : [address, family] });
      });
    });

  it("answers in the form asked for when every address passes", async () => {
    const guard = new EgressGuard();
    const addresses = [{ address: "93.184.216.34", family: 4 }, { address: "2606:2800:220:1::1", family: 6 }];
    assert.deepEqual(await lookupWith(guard, addresses, true), { error: null, result: addresses });
    assert.deepEqual(await lookupWith(guard, addresses, false), { error: null, result: ["93.184.216.34", 4] });
  });

  it("fails the connection when any resolved address is refused (a rebinding answer)", async () => {
    const guard = new EgressGuard();
    const loopback = await lookupWith(guard, [{ address: "127.0.0.1", family: 4 }], false);
    assert.ok(loopback.error instanceof EgressRefusedError);
    const mixed = await lookupWith(guard, [{ address: "93.184.216.34", family: 4 }, { address: "10.0.0.1", family: 4 }], true);
    assert.ok(mixed.error instanceof EgressRefusedError);
  });
});

describe("engine network variables", () => {
  it("default to public hosts only and read the allow-list", () => {
    assert.deepEqual(toEgressPolicy(parseEnvironment(egressEnvironment, {})), { allowedHosts: [], allowPublicNetworks: true });
    const configured = toEgressPolicy(parseEnvironment(egressEnvironment, { ENGINE_ALLOWED_HOSTS: "10.0.0.0/8, vllm.internal", ENGINE_ALLOW_PUBLIC_NETWORKS: "false" }));
    assert.deepEqual(configured, { allowedHosts: ["10.0.0.0/8", "vllm.internal"], allowPublicNetworks: false });
  });

  it("refuse a malformed rule at start-up, naming the variable", () => {
    assert.throws(
      () => parseEnvironment(egressEnvironment, { ENGINE_ALLOWED_HOSTS: "10.0.0.0/40" }),
      (error: unknown) => error instanceof ConfigurationError && error.problems.some((problem) => problem.variable === "ENGINE_ALLOWED_HOSTS"),
    );
  });
});
