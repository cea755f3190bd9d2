/**
 * Where outbound calls to operator-registered URLs (OpenAI-compatible engines) may go: a guard
 * against server-side request forgery through a registered `baseUrl`.
 */
import { classifyAddress, normalizeAddress } from "./address-classes.ts";
import { canonicalHostName, HostAllowList } from "./host-allow-list.ts";

/** What the operator allows beyond public addresses. */
export interface EgressPolicy {
  /**
   * Host names (`vllm.internal`), `*.example.com` patterns (subdomains only), IP addresses and CIDRs
   * (`10.0.0.0/8`, `fd00::/8`) that may be reached although they are not public. A name allows the
   * private and loopback addresses it resolves to, never link-local/metadata ones; an address or CIDR
   * allows exactly what it covers, including those. Default: none.
   */
  readonly allowedHosts: readonly string[];
  /** Whether public (globally routable) addresses may be reached without being listed. Default true. */
  readonly allowPublicNetworks: boolean;
}

/** No private, loopback, link-local or metadata address; any public one. */
export const defaultEgressPolicy: EgressPolicy = { allowedHosts: [], allowPublicNetworks: true };

/** Stable code of every refusal, for callers that map it to their own errors. */
export const egressRefusedCode = "EGRESS_REFUSED";

/** A destination the policy refuses. The message names the host (and address) and how to allow it. */
export class EgressRefusedError extends Error {
  readonly code = egressRefusedCode;
  readonly host: string;
  readonly address: string | undefined;

  constructor(host: string, address: string | undefined, reason: string) {
    const target = address === undefined || address === host ? host : `${host} (${address})`;
    super(`${target} ${reason}`);
    this.name = "EgressRefusedError";
    this.host = host;
    this.address = address;
  }
}

const allowHint = "list it in ENGINE_ALLOWED_HOSTS to allow it";

/** Host names that always mean this machine (RFC 6761), whatever DNS would say. */
function isLocalhostName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

export class EgressGuard {
  readonly #allowList: HostAllowList;
  readonly #allowPublicNetworks: boolean;

  /** Throws InvalidHostRuleError when a rule of `policy.allowedHosts` is malformed. */
  constructor(policy: EgressPolicy = defaultEgressPolicy) {
    this.#allowList = new HostAllowList(policy.allowedHosts);
    this.#allowPublicNetworks = policy.allowPublicNetworks;
  }

  /**
   * The check without DNS, at registration and before each request: an IP-literal host is checked as
   * the address it is, `localhost` as loopback, any other name by the allow-list (or passes while public
   * networks are allowed: what it resolves to is checked at connect time by `checkResolved`).
   * Throws EgressRefusedError; TypeError when `url` is no URL.
   */
  checkUrl(url: string | URL): void {
    const hostname = (typeof url === "string" ? new URL(url) : url).hostname;
    const address = normalizeAddress(hostname);
    if (address !== undefined) {
      this.#checkAddress(undefined, address);
      return;
    }
    const name = canonicalHostName(hostname);
    if (isLocalhostName(name)) {
      this.#checkAddress(name, "127.0.0.1");
      return;
    }
    if (!this.#allowPublicNetworks && !this.#allowList.allowsName(name)) {
      throw new EgressRefusedError(name, undefined, `is not an allowed engine host (ENGINE_ALLOW_PUBLIC_NETWORKS=false): ${allowHint}`);
    }
  }

  /** The connect-time check of one address `hostName` resolved to. Throws EgressRefusedError. */
  checkResolved(hostName: string, address: string): void {
    const normalized = normalizeAddress(address);
    if (normalized === undefined) throw new EgressRefusedError(hostName, address, "resolved to something that is not an IP address");
    this.#checkAddress(canonicalHostName(hostName), normalized);
  }

  #checkAddress(name: string | undefined, address: string): void {
    if (this.#allowList.allowsAddress(address)) return;
    const host = name ?? address;
    const addressClass = classifyAddress(address);
    if (addressClass === "sensitive") {
      throw new EgressRefusedError(host, address, `is a link-local, metadata, multicast or reserved address: only an address or CIDR rule in ENGINE_ALLOWED_HOSTS allows it`);
    }
    if (name !== undefined && this.#allowList.allowsName(name)) return;
    if (addressClass === "private") throw new EgressRefusedError(host, address, `is a private or loopback address: ${allowHint}`);
    if (!this.#allowPublicNetworks) throw new EgressRefusedError(host, address, `is not an allowed engine host (ENGINE_ALLOW_PUBLIC_NETWORKS=false): ${allowHint}`);
  }
}
