import ipaddr from 'ipaddr.js';

/**
 * Which TCP peers may tell us the client's address (in `X-Forwarded-For`). Everything that
 * needs a client address (the audit log, sign-in throttles, job tokens, `/-/metrics`
 * exposure) reads Fastify's `request.ip`, which walks `X-Forwarded-For` from the right only
 * while the hop it came from is trusted here; so a client cannot spoof its address by sending
 * the header itself, and behind a load balancer each client keeps its own address.
 */
export type TrustedProxies = readonly [ipaddr.IPv4 | ipaddr.IPv6, number][];

/** Parses `10.0.0.0/8, 127.0.0.1, fd00::/8`; a bare address is a range of one. */
export function parseTrustedProxies(list: string): TrustedProxies {
  const ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];
  for (const entry of list
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')) {
    if (ipaddr.isValidCIDR(entry)) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      ranges.push(normalizedRange(address, bits));
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.process(entry);
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else {
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    }
  }
  return ranges;
}

/** `::ffff:10.0.0.0/104` is written for IPv4 clients: compare it as `10.0.0.0/8`. */
function normalizedRange(address: ipaddr.IPv4 | ipaddr.IPv6, bits: number): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}

/** A socket's address as ipaddr.js sees it, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) unwrapped. */
function parsed(address: string | undefined | null): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!address || !ipaddr.isValid(address)) return null;
  return ipaddr.process(address);
}

/** The trust function for Fastify's `trustProxy` and for the connection budget. */
export function trustFunction(ranges: TrustedProxies): (address: string | undefined) => boolean {
  if (ranges.length === 0) return () => false;
  return (address) => {
    const ip = parsed(address);
    if (!ip) return false;
    return ranges.some(([range, bits]) => range.kind() === ip.kind() && ip.match(range, bits));
  };
}

export function isLoopback(address: string | undefined | null): boolean {
  return parsed(address)?.range() === 'loopback';
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'] as const;

/**
 * True when a request says it was forwarded but its peer is not a trusted proxy: a proxy on
 * the same machine that nobody declared in MODELYARD_TRUSTED_PROXIES makes every client look
 * like 127.0.0.1, so such a request must not count as local.
 */
export function forwardedByUntrustedPeer(headers: Record<string, string | string[] | undefined>, peer: string | undefined, trusted: (address: string | undefined) => boolean): boolean {
  return FORWARDING_HEADERS.some((name) => headers[name] !== undefined) && !trusted(peer);
}
