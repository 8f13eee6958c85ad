import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowList } from '../../src/outbound/allow-list.ts';
import { OutboundPolicy, OutboundRefusedError } from '../../src/outbound/outbound-policy.ts';
import { pinnedLookup } from '../../src/outbound/pinned-lookup.ts';
import { REPOSITORY_UNREACHABLE_MESSAGE } from '../../src/pipelines/git/repository-access.ts';
import { RepositoryMirror } from '../../src/pipelines/git/repository-mirror.ts';
import { resolverOf } from '../support/fixed-resolver.ts';
import { bareRepositoryWith, serveRepository, type LocalServer } from '../support/local-servers.ts';

const refusal = (promise: Promise<unknown>) => expect(promise).rejects.toBeInstanceOf(OutboundRefusedError);

describe('the allow-list', () => {
  it('reads ranges, addresses, ports, host names, *.suffixes and file://', () => {
    const list = parseAllowList(' 10.0.0.0/8, fd00::/8 ,127.0.0.1:3000,[::1]:8080,::1, git.internal, *.corp.example:443, file:// ,');
    expect(list.localPaths).toBe(true);
    expect(list.entries.map((entry) => [entry.kind, entry.port])).toEqual([
      ['range', undefined],
      ['range', undefined],
      ['range', 3000],
      ['range', 8080],
      ['range', undefined],
      ['host', undefined],
      ['host', 443],
    ]);
  });

  for (const bad of ['10.0.0.0/33', '10.0.0/8', '0x7f000001', 'bücher.example', 'host:0', 'host:99999', 'exa mple.com', '*', '*.', 'http://host', '-host', '::1/129', '1.2.3.4/8/8']) {
    it(`refuses the entry "${bad}"`, () => expect(() => parseAllowList(bad)).toThrow(`entry "${bad}"`));
  }
});

describe('the outbound policy', () => {
  it('checks every address a name resolves to', async () => {
    const policy = new OutboundPolicy(parseAllowList(''), resolverOf({ 'mixed.test': ['8.8.8.8', '10.0.0.1'], 'public.test': ['8.8.8.8', '2606:4700::1111'] }));
    await refusal(policy.check('mixed.test', 443));
    await expect(policy.check('public.test', 443)).resolves.toEqual({
      host: 'public.test',
      port: 443,
      addresses: [
        { address: '8.8.8.8', family: 4 },
        { address: '2606:4700::1111', family: 6 },
      ],
    });
    await refusal(policy.check('unknown.test', 443));
  });

  it('opens ranges, exact ports and named hosts, and nothing more', async () => {
    const resolver = resolverOf({ 'git.internal': ['10.1.1.1'], 'a.corp.example': ['192.168.0.5'], 'corp.example': ['192.168.0.6'], 'other.test': ['10.1.1.1'] });
    const policy = new OutboundPolicy(parseAllowList('172.16.0.0/12,127.0.0.1:3000,git.internal,*.corp.example'), resolver);
    await expect(policy.check('172.20.0.1', 80)).resolves.toBeDefined();
    await expect(policy.check('[::ffff:172.20.0.1]', 80)).resolves.toBeDefined();
    await expect(policy.check('127.0.0.1', 3000)).resolves.toBeDefined();
    await refusal(policy.check('127.0.0.1', 3001));
    await expect(policy.check('git.internal', 22)).resolves.toBeDefined();
    await expect(policy.check('a.corp.example', 443)).resolves.toBeDefined();
    await refusal(policy.check('corp.example', 443)); // *.suffix names what is under it only
    await refusal(policy.check('other.test', 443)); // same address, name not listed
  });

  it('opens a metadata address only by an entry naming exactly that address', async () => {
    const resolver = resolverOf({ 'git.internal': ['169.254.169.254'] });
    const broad = new OutboundPolicy(parseAllowList('169.254.0.0/16,fc00::/7,100.64.0.0/10,git.internal'), resolver);
    for (const host of ['169.254.169.254', 'fd00:ec2::254', '100.100.100.200', 'git.internal']) await refusal(broad.check(host, 80));
    await expect(broad.check('169.254.1.1', 80)).resolves.toBeDefined();
    const exact = new OutboundPolicy(parseAllowList('169.254.169.254'));
    await expect(exact.check('169.254.169.254', 80)).resolves.toBeDefined();
  });

  it('lets connections it cannot pin go only to listed hosts', async () => {
    const policy = new OutboundPolicy(parseAllowList('git.internal,10.0.0.0/8'), resolverOf({ 'git.internal': ['10.1.1.1'], 'github.com': ['140.82.112.3'] }));
    await expect(policy.check('git.internal', 22, { requireListed: true })).resolves.toBeDefined();
    await expect(policy.check('10.2.2.2', 22, { requireListed: true })).resolves.toBeDefined();
    await refusal(policy.check('github.com', 22, { requireListed: true }));
    await refusal(policy.check('140.82.112.3', 22, { requireListed: true }));
  });
});

describe('connections held to the checked address', () => {
  let root: string;
  let repository: LocalServer;
  let receiver: http.Server;
  let receiverPort: number;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'modelyard-pinned-'));
    repository = await serveRepository(bareRepositoryWith(root, { 'README.md': '# pinned\n' }));
    receiver = http.createServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverPort = (receiver.address() as { port: number }).port;
  });

  afterAll(async () => {
    await repository?.close();
    receiver?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('gives node http the checked address instead of asking DNS again', async () => {
    // Only the policy's resolver knows this name; reaching the server proves the pin was used.
    const policy = new OutboundPolicy(parseAllowList(`127.0.0.1:${receiverPort}`), resolverOf({ 'receiver.test': ['127.0.0.1'] }));
    const target = await policy.check('receiver.test', receiverPort);
    const status = await new Promise<number>((resolve, reject) => {
      http.get(`http://receiver.test:${receiverPort}/`, { lookup: pinnedLookup(target) }, (response) => resolve(response.statusCode ?? 0)).on('error', reject);
    });
    expect(status).toBe(204);
    const lookup = pinnedLookup(target);
    await new Promise<void>((resolve) =>
      lookup('elsewhere.test', { all: true }, (error) => {
        expect(error?.message).toMatch(/not checked/);
        resolve();
      }),
    );
  });

  it('gives git the checked address (curl resolve list) and refuses a name with any refused address', async () => {
    const url = `http://git.test:${repository.port}/repo.git`;
    const pinned = new RepositoryMirror(join(root, 'cache'), { policy: new OutboundPolicy(parseAllowList(`127.0.0.1:${repository.port}`), resolverOf({ 'git.test': ['127.0.0.1'] })) });
    await pinned.sync(url);
    expect(await pinned.readFile(url, (await pinned.resolve(url, 'main'))!, 'README.md')).toBe('# pinned\n');

    const rebinding = new RepositoryMirror(join(root, 'cache-rebinding'), {
      policy: new OutboundPolicy(parseAllowList(`127.0.0.1:${repository.port}`), resolverOf({ 'git.test': ['127.0.0.1', '169.254.169.254'] })),
    });
    await expect(rebinding.sync(url)).rejects.toThrow(REPOSITORY_UNREACHABLE_MESSAGE);
  });
});
