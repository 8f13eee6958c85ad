import { describe, expect, it } from 'vitest';
import { endpointOf, listenAddressOf } from '../../src/agent/listen-address.ts';

describe("the address an agent's model servers listen on", () => {
  it('is loopback unless given', () => {
    expect(listenAddressOf(undefined)).toBe('127.0.0.1');
    expect(listenAddressOf('')).toBe('127.0.0.1');
  });

  it("is the pod's IP when given one, IPv4 or IPv6", () => {
    expect(listenAddressOf('10.42.0.17')).toBe('10.42.0.17');
    expect(listenAddressOf('fd00::17')).toBe('fd00::17');
  });

  it('refuses a name and the wildcard addresses, which a gateway cannot call', () => {
    expect(() => listenAddressOf('agent.svc.cluster.local')).toThrow(/must be an IP address/);
    expect(() => listenAddressOf('0.0.0.0')).toThrow(/not the wildcard/);
    expect(() => listenAddressOf('::')).toThrow(/not the wildcard/);
  });

  it('is reported as a URL, IPv6 in brackets', () => {
    expect(endpointOf('127.0.0.1', 5001)).toBe('http://127.0.0.1:5001');
    expect(endpointOf('fd00::17', 5001)).toBe('http://[fd00::17]:5001');
  });
});
