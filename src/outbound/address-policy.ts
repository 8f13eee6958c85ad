import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which IP addresses an outbound connection may reach when nobody has allowed them by name.
 * Only ordinary global unicast passes: every special-purpose range of the IANA IPv4 and IPv6
 * registries is refused, using ipaddr.js's maintained range table rather than our own.
 *
 * IPv6 has several ways of carrying an IPv4 address inside it; a connection to one of them can
 * end at that IPv4 address (through the kernel, a NAT64 gateway or a tunnel relay). The IPv4
 * address is taken out and classified too, so 64:ff9b::a9fe:a9fe is refused as 169.254.169.254
 * would be. IPv4-mapped addresses are that IPv4 address outright; the well-known NAT64 prefix
 * with a public IPv4 address is how IPv6-only networks reach the IPv4 internet, so it passes.
 */
export type AddressVerdict = { allowed: true; address: string } | { allowed: false; address: string; range: string; embeddedIPv4?: string };

/** The only IPv6 space the IANA allocates for global unicast; the rest is special or unassigned. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * Cloud instance metadata and host agents. They sit inside ranges an administrator may
 * reasonably allow as a whole (the IPv6 one inside fc00::/7, Alibaba's inside 100.64.0.0/10,
 * Azure's in public space), so only an allow-list entry naming the exact address opens them.
 */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '168.63.129.16', 'fd00:ec2::254']);

/** The address in its canonical text (IPv4-mapped IPv6 as plain IPv4), or undefined if it is no IP. */
export function canonicalAddress(text: string): string | undefined {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(bare) === 0) return undefined;
  const parsed = ipaddr.process(bare);
  return parsed.kind() === 'ipv6' ? (parsed as ipaddr.IPv6).toRFC5952String() : parsed.toString();
}

export function parseAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const canonical = canonicalAddress(text);
  if (canonical === undefined) throw new Error(`'${text}' is not an IP address`);
  return ipaddr.parse(canonical);
}

export function classifyAddress(text: string): AddressVerdict {
  const parsed = parseAddress(text);
  const address = parsed.toString();
  if (parsed.kind() === 'ipv4') {
    const range = (parsed as ipaddr.IPv4).range();
    return range === 'unicast' ? { allowed: true, address } : { allowed: false, address, range };
  }
  return classifyIPv6(parsed as ipaddr.IPv6, address);
}

function classifyIPv6(parsed: ipaddr.IPv6, address: string): AddressVerdict {
  const embedded = embeddedIPv4(parsed);
  if (embedded !== undefined && parsed.match(NAT64_WELL_KNOWN)) {
    const inner = classifyAddress(embedded.toString());
    return inner.allowed ? { allowed: true, address } : { allowed: false, address, range: `rfc6052 (${inner.range})`, embeddedIPv4: inner.address };
  }
  const range = parsed.range();
  const refused = (name: string): AddressVerdict => (embedded === undefined ? { allowed: false, address, range: name } : { allowed: false, address, range: name, embeddedIPv4: embedded.toString() });
  if (range !== 'unicast') return refused(range);
  // ipaddr.js has no name for these; they are deprecated (IPv4-compatible, RFC 4291) or unassigned.
  if (isIPv4Compatible(parsed)) return refused('ipv4Compatible');
  if (!parsed.match(GLOBAL_UNICAST_V6)) return refused('reservedByIetf');
  return { allowed: true, address };
}

/**
 * The IPv4 address an IPv6 address carries, for the forms that carry one: IPv4-mapped and
 * -translated (last 32 bits), IPv4-compatible (::a.b.c.d), NAT64 (RFC 6052; the well-known
 * /96 and the local-use /48 as most gateways configure it, with the address in the last 32
 * bits), 6to4 (2002:AABB:CCDD::) and Teredo (the client's address, inverted, in the last 32 bits).
 */
export function embeddedIPv4(parsed: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const parts = parsed.parts;
  const fromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  const last = () => fromWords(parts[6]!, parts[7]!);
  switch (parsed.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return last();
    case '6to4':
      return fromWords(parts[1]!, parts[2]!);
    case 'teredo':
      return fromWords(parts[6]! ^ 0xffff, parts[7]! ^ 0xffff);
    default:
      return isIPv4Compatible(parsed) ? last() : undefined;
  }
}

/** ::a.b.c.d, except :: and ::1, which have their own meanings. */
function isIPv4Compatible(parsed: ipaddr.IPv6): boolean {
  const parts = parsed.parts;
  return parts.slice(0, 6).every((part) => part === 0) && (parts[6] !== 0 || parts[7]! > 1);
}

/** Whether the address, or the IPv4 address it carries, is a cloud metadata endpoint. */
export function isMetadataAddress(text: string): boolean {
  const parsed = parseAddress(text);
  if (METADATA_ADDRESSES.has(parsed.toString())) return true;
  if (parsed.kind() === 'ipv6') {
    const embedded = embeddedIPv4(parsed as ipaddr.IPv6);
    return embedded !== undefined && METADATA_ADDRESSES.has(embedded.toString());
  }
  return false;
}
