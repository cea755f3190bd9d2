/**
 * The operator's list of hosts an outbound call may reach beyond the default: host names,
 * `*.example.com` patterns, IP addresses and CIDRs (`ENGINE_ALLOWED_HOSTS`).
 */
import { BlockList } from "node:net";
import { familyOf, normalizeAddress } from "./address-classes.ts";

/** A letter-digit label with inner `-` or `_` (Docker and Compose service names use `_`). */
const hostNamePattern = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

export class InvalidHostRuleError extends Error {
  constructor(rule: string, reason: string) {
    super(`"${rule}" is not a host name, *.domain pattern, IP address or CIDR: ${reason}`);
    this.name = "InvalidHostRuleError";
  }
}

/** A host name as compared here: lower case, without a trailing dot. */
export function canonicalHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

export class HostAllowList {
  readonly #names = new Set<string>();
  /** Suffixes of `*.` patterns, with their leading dot: `.example.com`. */
  readonly #suffixes: string[] = [];
  readonly #addresses = new BlockList();
  /** The rules as given, for messages. */
  readonly rules: readonly string[];

  /** Parses comma-separated rules (or a list); throws InvalidHostRuleError naming the first bad one. Empty entries are skipped. */
  constructor(rules: string | readonly string[]) {
    const list = (typeof rules === "string" ? rules.split(",") : rules).map((rule) => rule.trim()).filter((rule) => rule !== "");
    this.rules = list;
    for (const rule of list) this.#add(rule);
  }

  /** Whether a host name is listed by name or matches a `*.` pattern (a pattern does not match its apex). */
  allowsName(hostName: string): boolean {
    const name = canonicalHostName(hostName);
    return this.#names.has(name) || this.#suffixes.some((suffix) => name.endsWith(suffix));
  }

  /** Whether an IP address is listed or inside a listed CIDR. */
  allowsAddress(address: string): boolean {
    return this.#addresses.check(address, familyOf(address));
  }

  #add(rule: string): void {
    const [network, prefixText, extra] = rule.split("/");
    if (prefixText !== undefined) {
      const address = normalizeAddress(network ?? "");
      const prefix = Number(prefixText);
      if (address === undefined || extra !== undefined) throw new InvalidHostRuleError(rule, "a CIDR needs an IP address before the /");
      const family = familyOf(address);
      const maximum = family === "ipv4" ? 32 : 128;
      if (!/^\d{1,3}$/.test(prefixText) || prefix > maximum) throw new InvalidHostRuleError(rule, `the prefix must be 0 to ${maximum}`);
      this.#addresses.addSubnet(address, prefix, family);
      return;
    }
    const address = normalizeAddress(rule);
    if (address !== undefined) {
      this.#addresses.addAddress(address, familyOf(address));
      return;
    }
    const name = canonicalHostName(rule);
    if (name.startsWith("*.")) {
      const domain = name.slice(2);
      if (!hostNamePattern.test(domain)) throw new InvalidHostRuleError(rule, "the part after *. is not a host name");
      this.#suffixes.push(`.${domain}`);
      return;
    }
    if (!hostNamePattern.test(name)) throw new InvalidHostRuleError(rule, "not a valid host name");
    this.#names.add(name);
  }
}
