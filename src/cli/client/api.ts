import { CliError, ExitCode, exitCodeForStatus } from '../exit-codes.ts';
import type { ClientSettings } from './settings.ts';

/** The server's message from an error answer, else the start of its text. */
function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
    const message = parsed.message ?? parsed.error;
    if (message !== undefined) return typeof message === 'string' ? message : JSON.stringify(message);
  } catch {
    // not JSON: the text as it came
  }
  return text.slice(0, 300);
}

/** The public HTTP API (/api/v4) as one user, the only way the client commands reach the server. */
export class Api {
  constructor(readonly settings: ClientSettings) {}

  url(path: string): string {
    return `${this.settings.url}/api/v4${path}`;
  }

  get authorization(): Record<string, string> {
    return { 'private-token': this.settings.token };
  }

  /** A request whose failure is already turned into a CliError with its exit code. */
  async send(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers: { ...this.authorization, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach ${this.settings.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, ExitCode.server);
    }
    if (!res.ok && res.status !== 304) {
      const text = await res.text();
      throw new CliError(`${method} ${path}: ${res.status} ${messageOf(text)}`, exitCodeForStatus(res.status));
    }
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, { body });
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.json<T>('GET', path);
  }

  /**
   * Every item of a paginated list, page after page as the server's `X-Next-Page` header leads
   * (GitLab's pagination), 100 at a time: a list command shows all of it, not its first page.
   */
  async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    const separator = path.includes('?') ? '&' : '?';
    for (let page = '1'; page !== '';) {
      const res = await this.send('GET', `${path}${separator}per_page=100&page=${page}`);
      items.push(...((await res.json()) as T[]));
      page = res.headers.get('x-next-page') ?? '';
    }
    return items;
  }
}

export const enc = encodeURIComponent;
