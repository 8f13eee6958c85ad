import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Hugging Face Hub, speaking the parts of its protocol an import uses,
 * as huggingface.co answers them (checked against huggingface_hub's source: `model_info`,
 * `list_repo_tree`, `hf_hub_download`, `hf_raise_for_status`):
 *  - GET /api/models/{repo}/revision/{revision} → {id, sha, siblings}; 404 X-Error-Code RevisionNotFound;
 *  - GET /api/models/{repo}/tree/{sha}?recursive=true → [{type, path, size, oid, lfs: {oid, size, pointerSize}}],
 *    `pageSize` entries a page, the next one in `Link: <…>; rel="next"`;
 *  - GET /{repo}/resolve/{sha}/{path}: a plain file served at once, an LFS file redirected (302)
 *    to the stand-in's /cdn-lfs/ path, which honours `Range` (206 with Content-Range);
 *  - private repositories: 401 RepoNotFound without a token, 404 RepoNotFound with another one;
 *    gated ones: 401 GatedRepo without a token, 403 GatedRepo with one that has not been granted.
 * Every request is logged (method, path, Range, whether a token came), and failures can be
 * injected: 5xx answers, a connection cut after some bytes, a redirect to elsewhere, a throttle.
 */
export interface StandInRepo {
  files: Record<string, Buffer>;
  /** Files served as LFS files (the others as plain git files). */
  lfs?: string[];
  /** Branches and tags → commit; default { main: a commit made from the files }. */
  refs?: Record<string, string>;
  private?: boolean;
  gated?: boolean;
  /** Tokens that may read it (private or gated). */
  tokens?: string[];
  /** A wrong SHA-256 announced for these LFS files. */
  wrongSha?: string[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  range: string | null;
  authorized: boolean;
}

export interface HubStandIn {
  url: string;
  port: number;
  log: LoggedRequest[];
  commitOf(repo: string, ref?: string): string;
  /** The next `count` requests whose path starts with `prefix` get `status`. */
  failNext(prefix: string, count: number, status?: number): void;
  /** The next response whose path starts with `prefix` stops after `bytes` bytes (the connection is cut). */
  cutNext(prefix: string, bytes: number): void;
  /** LFS downloads go at most this fast (bytes per second); null: no limit. */
  throttle(bytesPerSecond: number | null): void;
  /** LFS files are redirected here instead of to the stand-in itself. */
  redirectLfsTo(origin: string | null): void;
  close(): Promise<void>;
}

/** Hashed once per buffer: the tests' weights are tens of MiB and every request names their hashes. */
function memo(hash: (data: Buffer) => string): (data: Buffer) => string {
  const known = new WeakMap<Buffer, string>();
  return (data) => {
    const cached = known.get(data);
    if (cached !== undefined) return cached;
    const value = hash(data);
    known.set(data, value);
    return value;
  };
}
const sha256 = memo((data) => createHash('sha256').update(data).digest('hex'));
const gitBlobOid = memo((data) => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex'));
const lfsPointer = (data: Buffer) => Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(data)}\nsize ${data.length}\n`);

function commitFor(files: Record<string, Buffer>): string {
  const hash = createHash('sha1');
  for (const [path, data] of Object.entries(files).sort()) hash.update(`${path}\0${sha256(data)}\0`);
  return hash.digest('hex');
}

export async function startHubStandIn(repos: Record<string, StandInRepo>, options: { pageSize?: number } = {}): Promise<HubStandIn> {
  const pageSize = options.pageSize ?? 2;
  const log: LoggedRequest[] = [];
  const failures: { prefix: string; count: number; status: number }[] = [];
  const cuts: { prefix: string; bytes: number }[] = [];
  let bytesPerSecond: number | null = null;
  let lfsOrigin: string | null = null;
  const commits = new Map<string, Record<string, string>>();
  const refsOf = (repo: string) => {
    if (!commits.has(repo)) commits.set(repo, repos[repo]!.refs ?? { main: commitFor(repos[repo]!.files) });
    return commits.get(repo)!;
  };
  let origin = '';

  const refuse = (response: http.ServerResponse, status: number, code: string | null, message: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-error-message': message };
    if (code) headers['x-error-code'] = code;
    response.writeHead(status, headers).end(JSON.stringify({ error: message }));
  };

  /** Whether the caller may read the repository; answers the refusal itself when not. */
  const admitted = (repo: string, token: string | null, response: http.ServerResponse): boolean => {
    const entry = repos[repo];
    const granted = token !== null && (entry?.tokens ?? []).includes(token);
    if (!entry || (entry.private && !granted)) {
      refuse(response, token === null ? 401 : 404, 'RepoNotFound', 'Repository Not Found');
      return false;
    }
    if (entry.gated && !granted) {
      refuse(response, token === null ? 401 : 403, 'GatedRepo', `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it.`);
      return false;
    }
    return true;
  };

  const commitNamed = (repo: string, revision: string): string | undefined => {
    const commits = Object.values(refsOf(repo));
    return refsOf(repo)[revision] ?? (commits.includes(revision) ? revision : undefined);
  };

  const treeEntry = (repo: string, path: string) => {
    const entry = repos[repo]!;
    const data = entry.files[path]!;
    if (!(entry.lfs ?? []).includes(path)) return { type: 'file', oid: gitBlobOid(data), size: data.length, path };
    const pointer = lfsPointer(data);
    const oid = (entry.wrongSha ?? []).includes(path) ? sha256(Buffer.from('something else')) : sha256(data);
    return { type: 'file', oid: gitBlobOid(pointer), size: data.length, path, lfs: { oid, size: data.length, pointerSize: pointer.length } };
  };

  const send = (request: http.IncomingMessage, response: http.ServerResponse, data: Buffer, path: string, headers: Record<string, string>) => {
    const match = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const body = data.subarray(start);
    const head = { ...headers, 'accept-ranges': 'bytes', 'content-length': String(body.length) };
    if (match && start < data.length) response.writeHead(206, { ...head, 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` });
    else response.writeHead(200, head);
    const cutAt = cuts.findIndex((c) => path.startsWith(c.prefix));
    const limit = cutAt >= 0 ? cuts.splice(cutAt, 1)[0]!.bytes : null;
    let offset = 0;
    const chunk = 64 * 1024;
    const pump = () => {
      while (offset < body.length) {
        if (limit !== null && offset >= limit) {
          response.destroy();
          return;
        }
        const piece = body.subarray(offset, Math.min(offset + chunk, body.length, limit ?? Infinity));
        offset += piece.length;
        const more = response.write(piece);
        if (bytesPerSecond !== null) {
          setTimeout(pump, (piece.length / bytesPerSecond) * 1000);
          return;
        }
        if (!more) {
          response.once('drain', pump);
          return;
        }
      }
      response.end();
    };
    pump();
  };

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://stand-in');
    const path = decodeURIComponent(url.pathname);
    const auth = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? null;
    log.push({ method: request.method ?? 'GET', path, range: request.headers.range ?? null, authorized: auth !== null });
    const failing = failures.find((f) => path.startsWith(f.prefix) && f.count > 0);
    if (failing) {
      failing.count--;
      response.writeHead(failing.status).end('injected failure');
      return;
    }
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)$/.exec(path);
    if (api) {
      const [, repo, what, revision] = api as unknown as [string, string, string, string];
      if (!admitted(repo, auth, response)) return;
      const commit = commitNamed(repo, revision);
      if (!commit) return refuse(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
      const paths = Object.keys(repos[repo]!.files).sort();
      if (what === 'revision') {
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ id: repo, modelId: repo, sha: commit, private: !!repos[repo]!.private, siblings: paths.map((rfilename) => ({ rfilename })) }));
        return;
      }
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (start + pageSize < paths.length) headers.link = `<${origin}/api/models/${repo}/tree/${commit}?recursive=true&expand=false&cursor=${start + pageSize}>; rel="next"`;
      response.writeHead(200, headers).end(JSON.stringify(paths.slice(start, start + pageSize).map((p) => treeEntry(repo, p))));
      return;
    }
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (resolve) {
      const [, repo, revision, file] = resolve as unknown as [string, string, string, string];
      if (!admitted(repo, auth, response)) return;
      const commit = commitNamed(repo, revision);
      if (!commit) return refuse(response, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
      const data = repos[repo]!.files[file];
      if (!data) {
        response.setHeader('x-repo-commit', commit);
        return refuse(response, 404, 'EntryNotFound', `${file} does not exist on "${revision}"`);
      }
      const base = { 'x-repo-commit': commit, etag: `"${gitBlobOid(data)}"` };
      if ((repos[repo]!.lfs ?? []).includes(file)) {
        response
          .writeHead(302, {
            ...base,
            location: `${lfsOrigin ?? origin}/cdn-lfs/${encodeURIComponent(repo)}/${sha256(data)}?file=${encodeURIComponent(file)}`,
            'x-linked-etag': `"${sha256(data)}"`,
            'x-linked-size': String(data.length),
          })
          .end();
        return;
      }
      return send(request, response, data, path, base);
    }
    const cdn = /^\/cdn-lfs\/(.+)\/([0-9a-f]{64})$/.exec(path);
    if (cdn) {
      // Signed URLs carry no token: one that arrives here was not dropped on the way.
      const [, repo, oid] = cdn as unknown as [string, string, string];
      const data = Object.values(repos[repo]?.files ?? {}).find((d) => sha256(d) === oid);
      if (!data) return refuse(response, 404, null, 'no such object');
      return send(request, response, data, path, { etag: `"${oid}"` });
    }
    refuse(response, 404, null, 'Not Found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: origin,
    port,
    log,
    commitOf: (repo, ref = 'main') => refsOf(repo)[ref]!,
    failNext: (prefix, count, status = 503) => void failures.push({ prefix, count, status }),
    cutNext: (prefix, bytes) => void cuts.push({ prefix, bytes }),
    throttle: (rate) => void (bytesPerSecond = rate),
    redirectLfsTo: (to) => void (lfsOrigin = to),
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export { sha256 as sha256Of };
