import type { Logger } from 'pino';
import { outboundGet, type OutboundResponse } from '../../outbound/outbound-get.ts';
import { OutboundRefusedError, type OutboundPolicy } from '../../outbound/outbound-policy.ts';
import type { AppError } from '../../shared/errors.ts';
import { ImportErrors } from '../errors.ts';
import type { OpenedFile } from '../fetcher.ts';
import { RetryableAnswer, withRetries, type RetryPolicy } from '../retries.ts';

/** What the Hub's API answers to model_info at a revision (the parts an import reads). */
export interface HubModelInfo {
  sha: string;
}

/** An entry of the Hub's tree listing (`list_repo_tree`). */
export interface HubTreeEntry {
  type: string;
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid?: string; size?: number };
}

/** The largest JSON answer read (a tree page of 1000 entries is far below it). */
const MAX_JSON_BYTES = 32 * 1024 * 1024;
/** Tree pages followed at most: 1000 entries each on the Hub. */
const MAX_TREE_PAGES = 1000;

/**
 * The Hub's HTTP protocol, as `huggingface_hub` speaks it, from one endpoint (the Hub or a
 * mirror, Modelyard's own /api/hf among them), over the outbound policy. Refusals become named
 * errors by their `X-Error-Code`; 5xx, 429 and broken connections are tried again with back-off.
 * The token goes only to the endpoint's origin (not to the storage a file redirects to).
 */
export class HubClient {
  readonly base: URL;

  constructor(
    private readonly policy: OutboundPolicy,
    endpoint: string,
    private readonly retries: RetryPolicy,
    private readonly logger: Logger,
  ) {
    this.base = new URL(endpoint.replace(/\/+$/, '') + '/');
  }

  get endpoint(): string {
    return this.base.href.replace(/\/$/, '');
  }

  private url(path: string): URL {
    return new URL(path, this.base);
  }

  private authorization(token: string | null): Record<string, string> {
    return token ? { authorization: `Bearer ${token}` } : {};
  }

  /** One GET, its refusals named; 2xx answers are returned with their body unread. */
  private async get(url: URL, token: string | null, what: { repo: string; revision?: string; path?: string }, headers: Record<string, string> = {}): Promise<OutboundResponse> {
    let response: OutboundResponse;
    try {
      response = await outboundGet(this.policy, url, { headers: { 'user-agent': 'modelyard-import', ...headers }, originHeaders: this.authorization(token) });
    } catch (error) {
      if (error instanceof OutboundRefusedError) {
        this.logger.warn({ endpoint: this.endpoint, detail: error.message }, 'hugging face import refused by the outbound policy');
        throw ImportErrors.IMPORT_SOURCE_NOT_ALLOWED({ endpoint: url.origin });
      }
      throw error;
    }
    if (response.status >= 200 && response.status < 300) return response;
    response.body.resume();
    throw this.refusal(response, token, what);
  }

  private refusal(response: OutboundResponse, token: string | null, what: { repo: string; revision?: string; path?: string }): Error {
    const code = response.headers['x-error-code'];
    const { repo } = what;
    const named: Record<string, () => AppError> = {
      RepoNotFound: () => ImportErrors.HF_REPO_NOT_FOUND({ repo, endpoint: this.endpoint }),
      RevisionNotFound: () => ImportErrors.HF_REVISION_NOT_FOUND({ repo, revision: what.revision ?? '' }),
      EntryNotFound: () => ImportErrors.HF_ENTRY_NOT_FOUND({ repo, path: what.path ?? '' }),
      GatedRepo: () => ImportErrors.HF_GATED_REPO({ repo }),
    };
    if (typeof code === 'string' && code in named) return named[code]!();
    if (response.status >= 500 || response.status === 429) return new RetryableAnswer(`${response.url.origin} answered ${response.status}`);
    if (response.status === 401) return token ? ImportErrors.HF_TOKEN_REFUSED({ endpoint: this.endpoint }) : ImportErrors.HF_REPO_NOT_FOUND({ repo, endpoint: this.endpoint });
    if (response.status === 403) return ImportErrors.HF_GATED_REPO({ repo });
    if (response.status === 404) return what.path !== undefined ? ImportErrors.HF_ENTRY_NOT_FOUND({ repo, path: what.path }) : ImportErrors.HF_REPO_NOT_FOUND({ repo, endpoint: this.endpoint });
    return ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: `${response.status} from ${response.url.pathname}` });
  }

  private async json<T>(url: URL, token: string | null, what: { repo: string; revision?: string }): Promise<{ body: T; headers: OutboundResponse['headers'] }> {
    return withRetries(this.retries, async () => {
      const response = await this.get(url, token, what);
      let size = 0;
      const chunks: Buffer[] = [];
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_JSON_BYTES) {
          response.body.destroy();
          throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: `an answer larger than ${MAX_JSON_BYTES} bytes` });
        }
        chunks.push(chunk);
      }
      try {
        return { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, headers: response.headers };
      } catch {
        throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: `${url.pathname} is not JSON` });
      }
    });
  }

  /** model_info at a revision: its commit. */
  async revision(repo: string, revision: string, token: string | null): Promise<HubModelInfo> {
    const { body } = await this.json<{ sha?: unknown }>(this.url(`api/models/${repo}/revision/${encodeURIComponent(revision)}`), token, { repo, revision });
    if (typeof body.sha !== 'string' || !/^[0-9a-f]{40}$/.test(body.sha)) {
      throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: 'model_info has no 40-hex sha' });
    }
    return { sha: body.sha };
  }

  /** Every file of a commit (list_repo_tree, recursive), following the `Link` of each page on the endpoint's origin. */
  async tree(repo: string, commit: string, token: string | null): Promise<HubTreeEntry[]> {
    const entries: HubTreeEntry[] = [];
    let next: URL | null = this.url(`api/models/${repo}/tree/${commit}?recursive=true&expand=false`);
    for (let page = 0; next !== null; page++) {
      if (page >= MAX_TREE_PAGES) throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: `more than ${MAX_TREE_PAGES} tree pages` });
      const { body, headers } = await this.json<unknown>(next, token, { repo, revision: commit });
      if (!Array.isArray(body)) throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: 'the tree is not a list' });
      entries.push(...(body as HubTreeEntry[]));
      next = this.nextPage(headers.link);
    }
    return entries;
  }

  private nextPage(link: string | string[] | undefined): URL | null {
    const text = Array.isArray(link) ? link.join(', ') : link;
    const target = text === undefined ? undefined : /<([^>]+)>\s*;\s*rel="?next"?/.exec(text)?.[1];
    if (target === undefined) return null;
    const url = new URL(target, this.base);
    if (url.origin !== this.base.origin) throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: `the next tree page is on another origin (${url.origin})` });
    return url;
  }

  /** A file of a commit from byte `offset` (a Range request), redirects followed under the policy. */
  async open(repo: string, commit: string, path: string, token: string | null, offset: number): Promise<OpenedFile> {
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const response = await this.get(this.url(`${repo}/resolve/${commit}/${encoded}`), token, { repo, revision: commit, path }, { ...range, 'accept-encoding': 'identity' });
    if (offset > 0 && response.status === 206) {
      const start = Number(/^bytes (\d+)-/.exec(String(response.headers['content-range'] ?? ''))?.[1]);
      if (start === offset) return { body: response.body, start };
      response.body.destroy();
      throw ImportErrors.HF_BAD_ANSWER({ endpoint: this.endpoint, detail: `asked for bytes from ${offset}, got ${String(response.headers['content-range'])}` });
    }
    return { body: response.body, start: 0 };
  }
}
