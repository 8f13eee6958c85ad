import dns from 'node:dns/promises';
import net from 'node:net';
import { canonicalAddress, classifyAddress, isMetadataAddress } from './address-policy.ts';
import { allowsAddress, allowsHost, namesExactAddress, type AllowList } from './allow-list.ts';

/**
 * The one gate every outbound connection of the server goes through (webhooks, git
 * repositories, and whatever integration comes next). It resolves the host, checks every
 * address the name resolves to, and hands back those addresses: the caller connects to them and
 * to nothing else (see pinned-lookup.ts), so a name that resolves differently a moment later
 * (DNS rebinding) cannot send the connection somewhere that was never checked.
 */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface CheckedTarget {
  /** The host as the URL names it (no brackets); TLS and Host headers still use it. */
  host: string;
  port: number;
  /** Every address the host resolved to, all of them allowed. */
  addresses: ResolvedAddress[];
}

export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export interface CheckOptions {
  /**
   * Only hosts the allow-list names (by name, or by a range covering the address written in
   * the URL) pass; being public is not enough. For connections the policy cannot pin.
   */
  requireListed?: boolean;
}

/** A refusal, with the detail for the server's log; callers show their own uniform text. */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
}

export const systemResolver: Resolver = async (host) => {
  const found = await dns.lookup(host, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

export class OutboundPolicy {
  constructor(
    readonly allowList: AllowList,
    private readonly resolver: Resolver = systemResolver,
  ) {}

  /** Whether git repositories on the server's own disk may be linked (`file://` in the list). */
  get allowsLocalPaths(): boolean {
    return this.allowList.localPaths;
  }

  async check(hostText: string, port: number, options: CheckOptions = {}): Promise<CheckedTarget> {
    const host = hostText.replace(/^\[(.*)\]$/, '$1');
    const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const literal = canonicalAddress(host);
    const namedHost = literal === undefined ? allowsHost(this.allowList, host, port) : undefined;
    if (options.requireListed && namedHost === undefined && (literal === undefined || allowsAddress(this.allowList, literal, port) === undefined)) {
      throw new OutboundRefusedError(`${where} is refused: this kind of connection goes only to hosts that MODELYARD_OUTBOUND_ALLOW names`);
    }
    const addresses = literal !== undefined ? [{ address: literal, family: net.isIPv6(literal) ? 6 : 4 } as const] : await this.resolve(host, where);
    for (const { address } of addresses) this.assertAllowed(address, port, where, namedHost !== undefined);
    return { host, port, addresses: addresses.map(({ address, family }) => ({ address: canonicalAddress(address) ?? address, family })) };
  }

  /** Checks an http(s) URL's host and port (the scheme's default port when none is written). */
  checkUrl(url: URL, options: CheckOptions = {}): Promise<CheckedTarget> {
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return this.check(url.hostname, port, options);
  }

  private async resolve(host: string, where: string): Promise<ResolvedAddress[]> {
    let found: ResolvedAddress[];
    try {
      found = await this.resolver(host);
    } catch (error) {
      throw new OutboundRefusedError(`${where} does not resolve: ${(error as Error).message}`);
    }
    if (found.length === 0) throw new OutboundRefusedError(`${where} resolves to no address`);
    return found;
  }

  private assertAllowed(address: string, port: number, where: string, hostIsNamed: boolean): void {
    const canonical = canonicalAddress(address);
    if (canonical === undefined) throw new OutboundRefusedError(`${where} resolved to '${address}', which is not an IP address`);
    if (isMetadataAddress(canonical) && !namesExactAddress(this.allowList, canonical, port)) {
      throw new OutboundRefusedError(`${where} is refused: ${canonical} is a cloud metadata address, which only an entry naming exactly that address allows`);
    }
    if (hostIsNamed) return;
    const verdict = classifyAddress(canonical);
    if (verdict.allowed || allowsAddress(this.allowList, canonical, port) !== undefined) return;
    const embedded = verdict.embeddedIPv4 === undefined ? '' : ` carrying IPv4 ${verdict.embeddedIPv4}`;
    throw new OutboundRefusedError(`${where} is refused: ${canonical}${embedded} is in a special-purpose range (${verdict.range}) that MODELYARD_OUTBOUND_ALLOW does not name`);
  }
}
