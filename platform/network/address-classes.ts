/**
 * Which addresses an outbound call may reach by default: every special-purpose range (IANA's IPv4
 * and IPv6 special-purpose registries) is refused unless the operator allows it.
 */
import { BlockList, isIP } from "node:net";

/**
 * - `public`: global unicast, reachable by default (unless ENGINE_ALLOW_PUBLIC_NETWORKS=false).
 * - `private`: RFC 1918, CGNAT, loopback, unique-local (fc00::/7), documentation, transition ranges:
 *   allowed by a host-name rule that names the host, or by an address/CIDR rule.
 * - `sensitive`: link-local (169.254/16, fe80::/10, where cloud metadata services answer), the
 *   metadata addresses themselves, unspecified (0.0.0.0/8, ::), multicast, broadcast and reserved:
 *   allowed only by an address/CIDR rule that covers them, never by a host name alone.
 */
export type AddressClass = "public" | "private" | "sensitive";

type Range = readonly [network: string, prefix: number];

const sensitiveIpv4: readonly Range[] = [
  ["0.0.0.0", 8],
  ["169.254.0.0", 16],
  // Alibaba Cloud metadata (inside CGNAT) and Azure's platform address (a public-looking one).
  ["100.100.100.200", 32],
  ["168.63.129.16", 32],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

const privateIpv4: readonly Range[] = [
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
];

const sensitiveIpv6: readonly Range[] = [
  ["::", 128],
  ["fe80::", 10],
  ["ff00::", 8],
  // AWS instance metadata over IPv6 (inside fc00::/7).
  ["fd00:ec2::254", 128],
];

const privateIpv6: readonly Range[] = [
  // IPv4-compatible (deprecated) addresses, and ::1 (loopback).
  ["::", 96],
  ["64:ff9b::", 96],
  ["64:ff9b:1::", 48],
  ["100::", 64],
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["fc00::", 7],
  ["fec0::", 10],
];

function blockListOf(ipv4: readonly Range[], ipv6: readonly Range[]): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ipv4) list.addSubnet(network, prefix, "ipv4");
  for (const [network, prefix] of ipv6) list.addSubnet(network, prefix, "ipv6");
  return list;
}

const sensitive = blockListOf(sensitiveIpv4, sensitiveIpv6);
const privateRanges = blockListOf(privateIpv4, privateIpv6);

/** An IP address without URL brackets or an IPv6 zone (`[fe80::1%eth0]` → `fe80::1`), or undefined when it is none. */
export function normalizeAddress(text: string): string | undefined {
  const unbracketed = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const address = unbracketed.split("%")[0] ?? unbracketed;
  return isIP(address) === 0 ? undefined : address.toLowerCase();
}

/** `ipv4` or `ipv6` for an address `normalizeAddress` accepted. */
export function familyOf(address: string): "ipv4" | "ipv6" {
  return isIP(address) === 4 ? "ipv4" : "ipv6";
}

/** The class of an IP address (IPv4-mapped IPv6 addresses are classed as their IPv4 address). */
export function classifyAddress(address: string): AddressClass {
  const family = familyOf(address);
  if (sensitive.check(address, family)) return "sensitive";
  if (privateRanges.check(address, family)) return "private";
  return "public";
}
