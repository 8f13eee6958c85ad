import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './outbound-policy.ts';

/**
 * A `lookup` for node's http, https and net clients (and undici's `connect` option) that
 * answers with the addresses the policy already checked instead of asking DNS again: the
 * socket can only open to an address that passed. TLS still verifies the certificate against
 * the host name, which this does not change.
 */
export function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const candidates = target.addresses.filter((entry) => family === 0 || entry.family === family);
    if (host !== target.host.toLowerCase() || candidates.length === 0) {
      const error: NodeJS.ErrnoException = new Error(`${hostname} was not checked by the outbound policy`);
      error.code = 'ENOTFOUND';
      callback(error, '', 0);
      return;
    }
    if (options.all === true) callback(null, candidates);
    else callback(null, candidates[0]!.address, candidates[0]!.family);
  };
}
