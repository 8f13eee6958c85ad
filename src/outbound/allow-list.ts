import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { canonicalAddress, parseAddress } from './address-policy.ts';

/**
 * The administrator's exceptions to the outbound address policy (MODELYARD_OUTBOUND_ALLOW):
 * comma-separated entries, each one of
 *   - a CIDR range (`10.0.0.0/8`, `fd00::/8`) or one address (`10.1.2.3`, `::1`),
 *     optionally with a port (`127.0.0.1:3000`, `[::1]:3000`);
 *   - a host name, exact (`git.internal`) or every name under a suffix (`*.corp.example`),
 *     optionally with a port (`git.internal:3000`): whatever the name resolves to is allowed;
 *   - `file://`: git repositories on the server's own disk (`file:///path` and `/path`).
 */
export interface AllowList {
  readonly entries: readonly AllowEntry[];
  readonly localPaths: boolean;
}

export type AllowEntry = { kind: 'range'; text: string; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number } | { kind: 'host'; text: string; host: string; wildcard: boolean; port?: number };

export const EMPTY_ALLOW_LIST: AllowList = { entries: [], localPaths: false };

/** What MODELYARD_ALLOW_LOCAL_WEBHOOKS used to open: loopback and the private ranges. */
export const LOCAL_NETWORK_ENTRIES = ['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'] as const;
export const LOCAL_PATHS_ENTRY = 'file://';

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Parses the list; throws an Error whose message names the first entry it cannot read. */
export function parseAllowList(text: string): AllowList {
  const entries: AllowEntry[] = [];
  let localPaths = false;
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    if (item.toLowerCase() === LOCAL_PATHS_ENTRY) localPaths = true;
    else entries.push(parseEntry(item));
  }
  return { entries, localPaths };
}

export function mergeAllowLists(...lists: AllowList[]): AllowList {
  return { entries: lists.flatMap((list) => list.entries), localPaths: lists.some((list) => list.localPaths) };
}

function parseEntry(item: string): AllowEntry {
  const unreadable = () => new Error(`entry "${item}" is not a CIDR range, an IP address, a host name, *.suffix or file://`);
  if (item.includes('/')) {
    const [address = '', bits = '', ...rest] = item.split('/');
    if (rest.length > 0 || canonicalAddress(address) === undefined || !/^\d{1,3}$/.test(bits) || !ipaddr.isValidCIDR(`${canonicalAddress(address)}/${bits}`)) throw unreadable();
    return { kind: 'range', text: item, range: rangeOf(address, Number(bits)) };
  }
  const { name, port } = splitPort(item, unreadable);
  const address = canonicalAddress(name);
  if (address !== undefined) {
    const parsed = parseAddress(address);
    return { kind: 'range', text: item, range: [parsed, parsed.kind() === 'ipv4' ? 32 : 128], port };
  }
  const wildcard = name.startsWith('*.');
  const host = normalizeHost(wildcard ? name.slice(2) : name);
  // A name that URL parsing would rewrite (0x7f000001 into 127.0.0.1, IDN) could never match a URL.
  if (host === undefined || !host.split('.').every((label) => HOST_LABEL.test(label)) || net.isIP(host) !== 0) throw unreadable();
  return { kind: 'host', text: item, host, wildcard, port };
}

/** An address written in a CIDR with an IPv4-mapped form (::ffff:10.0.0.0/104) means the IPv4 range. */
function rangeOf(address: string, bits: number): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(parsed as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [parsed, bits];
}

function splitPort(item: string, unreadable: () => Error): { name: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed) return { name: bracketed[1]!, port: readPort(bracketed[2], unreadable) };
  // More than one colon without brackets is an IPv6 address, which takes no port that way.
  if (item.indexOf(':') !== item.lastIndexOf(':')) return { name: item, port: undefined };
  const [name = '', port] = item.split(':');
  return { name, port: readPort(port, unreadable) };
}

function readPort(text: string | undefined, unreadable: () => Error): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw unreadable();
  return Number(text);
}

/** A host name as URLs carry it: lower case, punycode, no trailing dot. */
export function normalizeHost(name: string): string | undefined {
  try {
    const host = new URL(`http://${name}/`).hostname.replace(/\.$/, '');
    return host === name.toLowerCase().replace(/\.$/, '') ? host : undefined;
  } catch {
    return undefined;
  }
}

/** The entries that name this address (and port); addresses come canonical, IPv4-mapped as IPv4. */
function rangesFor(list: AllowList, address: string, port: number): Extract<AllowEntry, { kind: 'range' }>[] {
  const parsed = parseAddress(address);
  return list.entries.filter(
    (entry): entry is Extract<AllowEntry, { kind: 'range' }> =>
      entry.kind === 'range' && (entry.port === undefined || entry.port === port) && entry.range[0].kind() === parsed.kind() && parsed.match(entry.range),
  );
}

export function allowsAddress(list: AllowList, address: string, port: number): AllowEntry | undefined {
  return rangesFor(list, address, port)[0];
}

/** Whether an entry names this host (and port). */
export function allowsHost(list: AllowList, hostName: string, port: number): AllowEntry | undefined {
  const host = hostName.toLowerCase().replace(/\.$/, '');
  return list.entries.find((entry) => entry.kind === 'host' && (entry.port === undefined || entry.port === port) && (entry.wildcard ? host.endsWith(`.${entry.host}`) : host === entry.host));
}

/** Whether an entry names exactly this one address, which is what opens a metadata endpoint. */
export function namesExactAddress(list: AllowList, address: string, port: number): boolean {
  return rangesFor(list, address, port).some((entry) => entry.range[1] === (entry.range[0].kind() === 'ipv4' ? 32 : 128));
}
