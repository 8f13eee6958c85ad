import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Small servers on loopback for tests of the server's outbound connections: git repositories
 * served over HTTP the way a plain web server can (git's "dumb" protocol: static files after
 * `git update-server-info`), redirects, and ports nothing listens on.
 */
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: os.tmpdir(), GIT_TERMINAL_PROMPT: '0' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A bare repository with one commit on main holding the files; returns its folder. */
export function bareRepositoryWith(root: string, files: Record<string, string>): string {
  const work = fs.mkdtempSync(path.join(root, 'work-'));
  git(work, 'init', '--quiet');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(work, name), content);
  git(work, 'add', '--', ...Object.keys(files));
  git(work, 'commit', '--quiet', '-m', 'Add the pipeline');
  const bare = path.join(root, 'repo.git');
  git(root, 'clone', '--quiet', '--bare', work, bare);
  git(bare, 'update-server-info');
  return bare;
}

export interface LocalServer {
  port: number;
  /** Request paths received, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves a bare repository's files under /repo.git/ on 127.0.0.1. */
export function serveRepository(bare: string): Promise<LocalServer> {
  return listen((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(bare, path.normalize(pathname.replace(/^\/repo\.git\//, '/')));
    if (!pathname.startsWith('/repo.git/') || !file.startsWith(bare) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200).end(fs.readFileSync(file));
  });
}

/** Answers every request with a redirect to the same path under `target`. */
export function serveRedirect(target: string): Promise<LocalServer> {
  return listen((request, response) => response.writeHead(302, { location: `${target}${request.url ?? '/'}` }).end());
}

export function listen(handler: http.RequestListener): Promise<LocalServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    handler(request, response);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

/** A port on 127.0.0.1 that nothing listens on (taken, then given back). */
export async function closedPort(): Promise<number> {
  const server = await listen(() => undefined);
  await server.close();
  return server.port;
}
