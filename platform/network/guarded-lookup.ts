/**
 * A `lookup` for `net.connect` (and so for `http.request`) that refuses to connect when a host name
 * resolves to an address the egress policy refuses: the check happens on the address actually
 * connected to, so a name that resolved to a public address at registration and to 127.0.0.1 now
 * (DNS rebinding) is refused.
 */
import { promises as dns, type LookupAddress, type LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import type { EgressGuard } from "./egress-policy.ts";

/** Resolves a host name to every address (`dns.lookup` with `all: true` by default; tests inject their own). */
export type ResolveHost = (hostName: string, options: LookupOptions) => Promise<readonly LookupAddress[]>;

export const systemResolveHost: ResolveHost = (hostName, options) => dns.lookup(hostName, { ...options, all: true });

/**
 * Every resolved address must pass (a mixed answer is refused whole). Answers in the form `net` asked
 * for: a list when `options.all`, else the first address and its family.
 */
export function createGuardedLookup(guard: EgressGuard, resolve: ResolveHost = systemResolveHost): LookupFunction {
  return (hostName, options, callback) => {
    resolve(hostName, options)
      .then((addresses) => {
        if (addresses.length === 0) throw Object.assign(new Error(`${hostName} resolved to no address`), { code: "ENOTFOUND" });
        for (const { address } of addresses) guard.checkResolved(hostName, address);
        const [first] = addresses;
        if (options.all === true) callback(null, [...addresses]);
        else if (first !== undefined) callback(null, first.address, first.family);
      })
      .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), "", 0));
  };
}
