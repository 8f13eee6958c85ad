import { canonicalAddress } from '../../outbound/address-policy.ts';
import { OutboundRefusedError, type CheckedTarget, type OutboundPolicy } from '../../outbound/outbound-policy.ts';
import type { AppError } from '../../shared/errors.ts';
import { gitVersion } from './git-command.ts';
import { describeRepositoryUrl, redactCredentials } from './repository-url.ts';
import { PipelineErrors } from '../errors.ts';

/**
 * Whether the server may reach a linked repository, and how git must be run so that it
 * reaches only what was checked. Used when a repository is linked and again before every
 * clone or fetch, since a name may resolve elsewhere by then.
 *
 * http(s): the host is resolved and every address checked; git is then told to use exactly
 * those addresses (curl's resolve list) and to follow no redirect, so neither DNS rebinding
 * nor a 302 to 169.254.169.254 takes it anywhere else.
 * ssh: git hands the connection to ssh, whose own configuration (ProxyCommand, Match exec,
 * HostName) the server cannot hold to an address, and which uses the server's own keys; so an
 * ssh host must be named in MODELYARD_OUTBOUND_ALLOW, public or not.
 * Local paths: only with `file://` in the allow-list.
 *
 * Every refusal, and every failure to reach the repository, shows the caller the same text:
 * telling "refused", "connection refused", "timed out" and "not a git server" apart would make
 * the server a port scanner. The detail goes to the server's log.
 */
export const REPOSITORY_UNREACHABLE_MESSAGE = 'The repository could not be reached or is not allowed';

export function repositoryUnreachable(detail: string): AppError {
  return PipelineErrors.REPOSITORY_UNREACHABLE(undefined, { serverLog: redactCredentials(detail) });
}

export interface RepositoryConnection {
  /** The URL to hand git (for http(s), as URL parsing wrote it, so curl reads the host we checked). */
  url: string;
  /** `-c` settings for this one git command. */
  config: string[];
}

/** git ≥ 2.37 passes `http.curloptResolve` to curl; an older git would ignore it and resolve again. */
const PINNING_GIT: [number, number] = [2, 37];

export async function connectRepository(rawUrl: string, policy: OutboundPolicy): Promise<RepositoryConnection> {
  const endpoint = describeRepositoryUrl(rawUrl);
  try {
    if (endpoint.transport === 'local') {
      if (!policy.allowsLocalPaths) throw new OutboundRefusedError("a repository on the server's own disk is refused: MODELYARD_OUTBOUND_ALLOW does not contain file://");
      return { url: rawUrl, config: onlyProtocol('file') };
    }
    if (endpoint.transport === 'ssh') {
      await policy.check(endpoint.host, endpoint.port, { requireListed: true });
      return { url: rawUrl, config: onlyProtocol('ssh') };
    }
    const target = await policy.checkUrl(endpoint.url);
    // An address written in the URL is connected to as it is; only a name needs holding.
    const literal = canonicalAddress(endpoint.url.hostname) !== undefined;
    if (!literal && compareVersions(await gitVersion(), PINNING_GIT) < 0) {
      throw new OutboundRefusedError(`git older than ${PINNING_GIT.join('.')} cannot be held to the checked address of ${target.host}; upgrade git or write an address in the URL`);
    }
    const protocol = endpoint.url.protocol.slice(0, -1);
    return {
      url: endpoint.url.href,
      config: [...onlyProtocol(protocol), 'http.followRedirects=false', ...(literal ? [] : [curlResolve(target)])],
    };
  } catch (error) {
    if (error instanceof OutboundRefusedError) throw repositoryUnreachable(`${redactCredentials(rawUrl)}: ${error.message}`);
    throw error;
  }
}

/** curl's resolve entry: `host:port:addr[,addr…]`, IPv6 addresses in brackets. */
function curlResolve(target: CheckedTarget): string {
  const addresses = target.addresses.map(({ address, family }) => (family === 6 ? `[${address}]` : address));
  return `http.curloptResolve=${target.host}:${target.port}:${addresses.join(',')}`;
}

/**
 * One transport per command, and no bundle URIs: a server cannot switch git to another
 * transport, or send it to fetch a bundle from an address nobody checked.
 */
function onlyProtocol(protocol: string): string[] {
  return ['protocol.allow=never', `protocol.${protocol}.allow=always`, 'transfer.bundleURI=false'];
}

function compareVersions(a: [number, number], b: [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
