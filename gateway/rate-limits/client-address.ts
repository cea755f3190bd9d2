import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";

/**
 * The address a request is rate limited under when it has no valid API key.
 *
 * - The socket's peer, unless `trustedProxyHops` proxies stand in front: then the entry that many
 *   hops back in `X-Forwarded-For` (each proxy appends the address it received from). Entries a
 *   client wrote itself sit further left and are never reached, so they cannot be spoofed; a
 *   header with fewer entries than hops yields its leftmost entry.
 * - IPv4-mapped IPv6 (`::ffff:192.0.2.1`) counts as the IPv4 address.
 * - IPv6 counts per /64 network: one host usually holds a whole /64, and limiting single addresses
 *   would let it rotate through 2^64 of them.
 */
export function clientAddress(request: IncomingMessage, trustedProxyHops: number): string {
  const peer = request.socket.remoteAddress ?? "unknown";
  let address = peer;
  if (trustedProxyHops > 0) {
    const header = request.headers["x-forwarded-for"];
    const forwarded = (Array.isArray(header) ? header.join(",") : (header ?? ""))
      .split(",")
      .map((entry) => entry.trim())
      .filter((entry) => entry !== "");
    const candidate = forwarded.length === 0 ? undefined : forwarded[Math.max(0, forwarded.length - trustedProxyHops)];
    // A trusted proxy writes addresses; anything else (a port, garbage) falls back to the peer.
    if (candidate !== undefined && isIP(stripZone(candidate)) !== 0) address = candidate;
  }
  return normalizeAddress(address);
}

/** The address as counted: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as its /64 (`2001:db8:0:1::/64`). */
export function normalizeAddress(address: string): string {
  const bare = stripZone(address);
  const version = isIP(bare);
  if (version === 4) return bare;
  if (version !== 6) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped?.[1] !== undefined) return mapped[1];
  const groups = expandIpv6(bare);
  return `${groups.slice(0, 4).map((group) => Number.parseInt(group, 16).toString(16)).join(":")}::/64`;
}

function stripZone(address: string): string {
  const percent = address.indexOf("%");
  return percent === -1 ? address : address.slice(0, percent);
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded; a trailing dotted IPv4 becomes two groups). */
function expandIpv6(address: string): string[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  if (tail === undefined) return headGroups;
  const tailGroups = tail === "" ? [] : tail.split(":");
  return [...headGroups, ...Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => "0"), ...tailGroups];
}
