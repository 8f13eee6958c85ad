import type { Resolver } from '../../src/outbound/outbound-policy.ts';

/**
 * A resolver with a fixed table, so a test knows exactly what each name "resolves" to; a key
 * `*.suffix` answers for every name under the suffix. Unknown names fail as DNS would.
 */
export function resolverOf(table: Record<string, string[]>): Resolver {
  return async (host) => {
    const wildcard = Object.keys(table).find((key) => key.startsWith('*.') && host.endsWith(key.slice(1)));
    const addresses = table[host] ?? (wildcard === undefined ? undefined : table[wildcard]);
    if (addresses === undefined) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}
