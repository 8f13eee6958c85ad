import dns from 'node:dns/promises';
import net from 'node:net';
import { invalid } from '../shared/errors.ts';

/**
 * Outgoing webhooks must not become a way into the server's own network. Addresses that are
 * never a webhook receiver (link-local, where cloud metadata lives; unspecified; multicast) are
 * always refused; loopback and private ranges are refused unless the operator allows them
 * (MODELYARD_ALLOW_LOCAL_WEBHOOKS). The check runs when a hook is saved and again, on the
 * resolved address, when each delivery connects (so DNS rebinding does not get around it).
 */
export type AddressClass = 'public' | 'local' | 'forbidden';

function ipv4Class(address: string): AddressClass {
  const [a = 0, b = 0] = address.split('.').map(Number);
  if (a === 0 || a >= 224) return 'forbidden'; // unspecified, multicast, reserved
  if (a === 169 && b === 254) return 'forbidden'; // link-local, 169.254.169.254 metadata
  if (a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return 'local';
  return 'public';
}

export function classifyAddress(address: string): AddressClass {
  if (net.isIPv4(address)) return ipv4Class(address);
  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4Class(mapped[1]!);
  // IPv4-mapped addresses as URLs normalize them: ::ffff:a00:1 is 10.0.0.1.
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (mappedHex) {
    const high = parseInt(mappedHex[1]!, 16);
    const low = parseInt(mappedHex[2]!, 16);
    return ipv4Class(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  if (lower === '::' || lower.startsWith('ff')) return 'forbidden';
  if (/^fe[89ab]/.test(lower) || lower === 'fd00:ec2::254') return 'forbidden';
  if (lower === '::1' || /^f[cd]/.test(lower)) return 'local';
  return 'public';
}

export function assertAllowedAddress(address: string, allowLocal: boolean): void {
  const kind = classifyAddress(address);
  if (kind === 'forbidden') throw invalid(`webhook target ${address} is a link-local, metadata, multicast or unspecified address`, 'WEBHOOK_ADDRESS_FORBIDDEN');
  if (kind === 'local' && !allowLocal) throw invalid(`webhook target ${address} is a private or loopback address; an administrator can allow these with MODELYARD_ALLOW_LOCAL_WEBHOOKS`, 'WEBHOOK_ADDRESS_LOCAL');
}

export async function assertAllowedWebhookUrl(raw: string, allowLocal: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url must be http:// or https://');
  if (url.username || url.password) throw invalid('url must not carry credentials; the payload is signed instead');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = net.isIP(host) ? [host] : (await dns.lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw invalid(`url host ${host} does not resolve`);
  for (const address of addresses) assertAllowedAddress(address, allowLocal);
  return url;
}
