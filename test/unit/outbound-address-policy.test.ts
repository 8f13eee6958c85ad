import { describe, expect, it } from 'vitest';
import { canonicalAddress, classifyAddress, isMetadataAddress } from '../../src/outbound/address-policy.ts';

/** One address inside each special-purpose range of the IANA IPv4 and IPv6 registries. */
const IANA_SPECIAL: [range: string, address: string][] = [
  ['0.0.0.0/8 "this network"', '0.1.2.3'],
  ['0.0.0.0/32', '0.0.0.0'],
  ['10.0.0.0/8 private', '10.0.0.1'],
  ['100.64.0.0/10 shared (CGN)', '100.100.1.1'],
  ['127.0.0.0/8 loopback', '127.0.0.1'],
  ['127.0.0.0/8 loopback (not .1)', '127.255.0.9'],
  ['169.254.0.0/16 link-local', '169.254.169.254'],
  ['172.16.0.0/12 private', '172.31.255.254'],
  ['192.0.0.0/24 IETF protocol assignments', '192.0.0.9'],
  ['192.0.0.170/31 NAT64 discovery', '192.0.0.170'],
  ['192.0.2.0/24 TEST-NET-1', '192.0.2.1'],
  ['192.31.196.0/24 AS112-v4', '192.31.196.1'],
  ['192.52.193.0/24 AMT', '192.52.193.1'],
  ['192.88.99.0/24 6to4 relay anycast', '192.88.99.1'],
  ['192.168.0.0/16 private', '192.168.1.1'],
  ['192.175.48.0/24 direct delegation AS112', '192.175.48.1'],
  ['198.18.0.0/15 benchmarking', '198.19.0.1'],
  ['198.51.100.0/24 TEST-NET-2', '198.51.100.7'],
  ['203.0.113.0/24 TEST-NET-3', '203.0.113.7'],
  ['224.0.0.0/4 multicast', '224.0.0.1'],
  ['240.0.0.0/4 reserved', '240.0.0.1'],
  ['255.255.255.255/32 broadcast', '255.255.255.255'],
  ['::/128 unspecified', '::'],
  ['::1/128 loopback', '::1'],
  ['::ffff:0:0/96 IPv4-mapped (private inside)', '::ffff:10.0.0.1'],
  ['::ffff:0:0/96 IPv4-mapped (metadata, hex)', '::ffff:a9fe:a9fe'],
  ['64:ff9b::/96 NAT64 (metadata inside)', '64:ff9b::a9fe:a9fe'],
  ['64:ff9b::/96 NAT64 (loopback inside)', '64:ff9b::127.0.0.1'],
  ['64:ff9b:1::/48 local-use NAT64', '64:ff9b:1::808:808'],
  ['100::/64 discard-only', '100::1'],
  ['2001::/23 IETF protocol assignments', '2001:1::1'],
  ['2001::/32 Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
  ['2001:2::/48 benchmarking', '2001:2::1'],
  ['2001:3::/32 AMT', '2001:3::1'],
  ['2001:4:112::/48 AS112-v6', '2001:4:112::1'],
  ['2001:10::/28 deprecated ORCHID', '2001:10::1'],
  ['2001:20::/28 ORCHIDv2', '2001:20::1'],
  ['2001:db8::/32 documentation', '2001:db8::1'],
  ['2002::/16 6to4 (public inside)', '2002:808:808::1'],
  ['2002::/16 6to4 (metadata inside)', '2002:a9fe:a9fe::1'],
  ['2620:4f:8000::/48 direct delegation AS112', '2620:4f:8000::1'],
  ['3fff::/20 documentation', '3fff::1'],
  ['5f00::/16 segment routing', '5f00::1'],
  ['fc00::/7 unique local', 'fd00:ec2::254'],
  ['fc00::/7 unique local (fc)', 'fc00::1'],
  ['fe80::/10 link-local', 'fe80::1'],
  ['fec0::/10 deprecated site-local', 'fec0::1'],
  ['ff00::/8 multicast', 'ff02::1'],
  ['IPv4-compatible ::a.b.c.d (deprecated)', '::a9fe:a9fe'],
  ['IPv4-compatible with a public address', '::808:808'],
  ['::ffff:0:0:0/96 IPv4-translated', '::ffff:0:a9fe:a9fe'],
  ['outside 2000::/3 (reserved by the IETF)', '4000::1'],
];

const PUBLIC = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808'];

describe('the outbound address classifier', () => {
  for (const [range, address] of IANA_SPECIAL) {
    it(`refuses ${address} (${range})`, () => {
      const verdict = classifyAddress(address);
      expect(verdict.allowed).toBe(false);
    });
  }

  for (const address of PUBLIC) {
    it(`lets ${address} through`, () => expect(classifyAddress(address)).toMatchObject({ allowed: true }));
  }

  it('names the IPv4 address an IPv6 form carries', () => {
    expect(classifyAddress('64:ff9b::a9fe:a9fe')).toMatchObject({ allowed: false, embeddedIPv4: '169.254.169.254' });
    expect(classifyAddress('2002:a9fe:a9fe::1')).toMatchObject({ allowed: false, range: '6to4', embeddedIPv4: '169.254.169.254' });
    expect(classifyAddress('::a9fe:a9fe')).toMatchObject({ allowed: false, range: 'ipv4Compatible', embeddedIPv4: '169.254.169.254' });
    // Teredo keeps the client's address inverted in the last 32 bits: 0x3fff:fdd2 is 192.0.2.45.
    expect(classifyAddress('2001:0:4136:e378:8000:63bf:3fff:fdd2')).toMatchObject({ range: 'teredo', embeddedIPv4: '192.0.2.45' });
    // An IPv4-mapped address is its IPv4 address.
    expect(classifyAddress('::ffff:127.0.0.1')).toMatchObject({ allowed: false, address: '127.0.0.1', range: 'loopback' });
  });

  it('writes addresses canonically and knows metadata endpoints in every form', () => {
    expect(canonicalAddress('[::FFFF:7f00:1]')).toBe('127.0.0.1');
    expect(canonicalAddress('FD00:0EC2:0:0:0:0:0:0254')).toBe('fd00:ec2::254');
    expect(canonicalAddress('0x7f000001')).toBeUndefined();
    expect(canonicalAddress('git.example.com')).toBeUndefined();
    for (const address of ['169.254.169.254', '::ffff:169.254.169.254', 'fd00:ec2::254', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::', '100.100.100.200']) {
      expect(isMetadataAddress(address), address).toBe(true);
    }
    expect(isMetadataAddress('10.0.0.1')).toBe(false);
  });
});
