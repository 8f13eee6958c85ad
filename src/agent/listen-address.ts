import net from 'node:net';

/** Where model servers listen when the agent is not told otherwise: only the agent and a server beside it reach them. */
export const LOOPBACK_LISTEN_ADDRESS = '127.0.0.1';

/**
 * The address the agent's model servers listen on, as `--listen-address` or
 * MODELYARD_AGENT_LISTEN_ADDRESS gives it. An IP literal, not a name: the gateway connects to
 * the address the agent reports, and a pod knows its own IP (the downward API's
 * `status.podIP`). A wildcard is refused because it is no address a gateway can call.
 */
export function listenAddressOf(given: string | undefined): string {
  if (given === undefined || given === '') return LOOPBACK_LISTEN_ADDRESS;
  if (net.isIP(given) === 0) throw new Error(`--listen-address must be an IP address (the pod's own, say), not ${JSON.stringify(given)}`);
  if (given === '0.0.0.0' || given === '::') throw new Error('--listen-address must be an address the gateway can call, not the wildcard address');
  return given;
}

/** The endpoint an instance reports for a server on this address and port; IPv6 in brackets, as in a URL. */
export function endpointOf(address: string, port: number): string {
  return net.isIPv6(address) ? `http://[${address}]:${port}` : `http://${address}:${port}`;
}
