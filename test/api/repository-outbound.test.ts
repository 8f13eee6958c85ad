import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_UNREACHABLE_MESSAGE } from '../../src/pipelines/git/repository-access.ts';
import { startTestApp, type TestApp, type TestUser } from '../support/app.ts';
import { bareRepositoryWith, closedPort, listen, serveRedirect, serveRepository, type LocalServer } from '../support/local-servers.ts';

/**
 * The CI repository URL is an outbound connection like any other: refused when linked if it
 * points at a special-purpose address, checked again when git fetches, held to the checked
 * address, never redirected, and every way of failing reads the same to the caller.
 */
let strict: TestApp;
let allowed: TestApp;
let strictOwner: TestUser;
let owner: TestUser;
let root: string;
let repository: LocalServer;
let redirectToRepository: LocalServer;
let redirectToMetadata: LocalServer;
let notGit: LocalServer;
let sshBanner: net.Server;
let sshPort: number;
let closed: number;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'modelyard-outbound-'));
  repository = await serveRepository(bareRepositoryWith(root, { '.modelyard-ci.yml': 'build:\n  script: echo built\n' }));
  redirectToRepository = await serveRedirect(`http://127.0.0.1:${repository.port}`);
  redirectToMetadata = await serveRedirect('http://169.254.169.254');
  notGit = await listen((_request, response) => response.writeHead(404).end('nothing here'));
  sshBanner = net.createServer((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
  await new Promise<void>((resolve) => sshBanner.listen(0, '127.0.0.1', resolve));
  sshPort = (sshBanner.address() as net.AddressInfo).port;
  closed = await closedPort();
  strict = await startTestApp();
  // Exact addresses and ports: the redirect target is allowed too, to show that redirects are
  // refused as such, not only because of where they lead.
  const ports = [repository.port, redirectToRepository.port, redirectToMetadata.port, notGit.port, sshPort, closed];
  allowed = await startTestApp({ MODELYARD_OUTBOUND_ALLOW: ports.map((port) => `127.0.0.1:${port}`).join(',') });
  strictOwner = await strict.createUser('outbound-strict');
  owner = await allowed.createUser('outbound-owner');
});

afterAll(async () => {
  for (const server of [repository, redirectToRepository, redirectToMetadata, notGit]) await server?.close();
  sshBanner?.close();
  await strict?.close();
  await allowed?.close();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

async function link(app: TestApp, token: string, projectId: number, repositoryUrl: string) {
  return app.call({ method: 'PUT', url: `/api/v4/projects/${projectId}/ci/settings`, token, payload: { repository_url: repositoryUrl } });
}

async function runPipelineFrom(repositoryUrl: string) {
  const project = await allowed.createProject(owner.token, `p-${Math.random().toString(36).slice(2, 10)}`);
  const linked = await link(allowed, owner.token, project.id, repositoryUrl);
  expect(linked.statusCode, linked.body).toBe(200);
  return allowed.call({ method: 'POST', url: `/api/v4/projects/${project.id}/pipeline`, token: owner.token, payload: { ref: 'main' } });
}

describe('linking a CI repository', () => {
  it('refuses every special-purpose address, in every spelling, with one text', async () => {
    const project = await strict.createProject(strictOwner.token, 'forms');
    const refused = [
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/repo.git',
      'http://[fd00:ec2::254]/repo.git',
      'http://0x7f000001/repo.git', // hex
      'http://2130706433/repo.git', // decimal
      'http://0177.0.0.1/repo.git', // octal
      'http://127.1/repo.git', // short form
      'http://[::1]/repo.git',
      'http://[::ffff:127.0.0.1]/repo.git', // IPv4-mapped
      'http://[64:ff9b::a9fe:a9fe]/repo.git', // NAT64
      'http://[2002:a9fe:a9fe::1]/repo.git', // 6to4
      'http://[::a9fe:a9fe]/repo.git', // IPv4-compatible
      'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/repo.git', // Teredo
      'http://[fec0::1]/repo.git',
      'http://[100::1]/repo.git',
      'http://198.18.0.1/repo.git',
      'http://192.0.0.1/repo.git',
      'https://localhost/repo.git',
      'https://no-such-host.invalid/repo.git', // does not resolve: the same text
      'ssh://git@10.0.0.1/repo.git',
      'ssh://git@0x7f000001/repo.git',
      // ssh goes only to hosts the allow-list names, public or not.
      'ssh://git@8.8.8.8/repo.git',
      'git@8.8.8.8:repo.git',
      'file:///srv/git/repo.git',
      '/srv/git/repo.git',
    ];
    for (const url of refused) {
      const res = await link(strict, strictOwner.token, project.id, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().message, url).toBe(REPOSITORY_UNREACHABLE_MESSAGE);
    }
    const settings = await strict.call({ method: 'GET', url: `/api/v4/projects/${project.id}/ci/settings`, token: strictOwner.token });
    expect(settings.json().repository_url).toBeNull();
    // A public address is linked without connecting to it.
    expect((await link(strict, strictOwner.token, project.id, 'https://8.8.8.8/ml/iris.git')).statusCode).toBe(200);
  });

  it('keeps malformed URLs apart, with their own messages', async () => {
    const project = await strict.createProject(strictOwner.token, 'malformed');
    const res = await link(strict, strictOwner.token, project.id, 'ext::sh -c touch% /tmp/pwned');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).not.toBe(REPOSITORY_UNREACHABLE_MESSAGE);
  });
});

describe('fetching a CI repository', () => {
  it('reads the pipeline file from an allowed repository', async () => {
    const res = await runPipelineFrom(`http://127.0.0.1:${repository.port}/repo.git`);
    expect(res.statusCode, res.body).toBe(201);
  });

  it('follows no redirect, whether it leads to an allowed server or to the metadata address', async () => {
    const before = repository.requests.length;
    for (const server of [redirectToRepository, redirectToMetadata]) {
      const res = await runPipelineFrom(`http://127.0.0.1:${server.port}/repo.git`);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().message).toBe(REPOSITORY_UNREACHABLE_MESSAGE);
      expect(server.requests.length).toBeGreaterThan(0);
    }
    expect(repository.requests.length).toBe(before);
  });

  it('answers the same for a closed port, an open port that is no git server, and an ssh banner', async () => {
    const answers = [];
    for (const port of [closed, notGit.port, sshPort]) {
      const res = await runPipelineFrom(`http://127.0.0.1:${port}/repo.git`);
      answers.push({ status: res.statusCode, body: res.json() });
    }
    expect(answers).toEqual(Array(3).fill({ status: 400, body: { message: REPOSITORY_UNREACHABLE_MESSAGE } }));
  });
});
