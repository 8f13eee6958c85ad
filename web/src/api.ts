import { formatNumber as formatMeasure } from './format.ts';

/**
 * The UI talks only to the native REST API (and MLflow's artifact API), on its own origin, so
 * anything it does a script can do. Writes carry the session's CSRF token.
 */
let csrfToken: string | null = null;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export interface Page<T> {
  items: T[];
  total: number;
}

async function request<T>(method: string, path: string, body?: unknown, init: { headers?: Record<string, string>; cache?: RequestCache } = {}): Promise<{ data: T; headers: Headers; status: number }> {
  const headers: Record<string, string> = { ...init.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: init.cache });
  // Only a caller that sent If-None-Match sees this: the browser answers its own revalidations.
  if (res.status === 304) return { data: null as T, headers: res.headers, status: 304 };
  const text = await res.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!res.ok) {
    const message = (parsed as { message?: string } | null)?.message ?? `${res.status} ${res.statusText}`;
    if (res.status === 401 && !path.endsWith('/session')) window.dispatchEvent(new CustomEvent('modelyard:signed-out'));
    throw new ApiError(res.status, message);
  }
  return { data: parsed as T, headers: res.headers, status: res.status };
}

export const api = {
  get: async <T>(path: string) => (await request<T>('GET', path)).data,
  post: async <T>(path: string, body: unknown = {}) => (await request<T>('POST', path, body)).data,
  put: async <T>(path: string, body: unknown = {}) => (await request<T>('PUT', path, body)).data,
  /** A DELETE; most answer 204 (null), a few say something (the provider's sign-out page). */
  del: async <T = null>(path: string) => (await request<T | null>('DELETE', path)).data,
  /** Plain bytes from offset `from` on (a job's log), with the headers that say how far it goes. */
  range: async (path: string, from: number): Promise<{ bytes: Uint8Array; headers: Headers }> => {
    const res = await fetch(path, { headers: { range: `bytes=${from}-` }, credentials: 'same-origin' });
    if (!res.ok) {
      if (res.status === 401) window.dispatchEvent(new CustomEvent('modelyard:signed-out'));
      throw new ApiError(res.status, `${res.status} ${res.statusText}`);
    }
    return { bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
  },
  /**
   * A GET that names the copy the caller holds by its ETag: null when that copy is still
   * current (304), else the new data and its tag. The browser's cache stays out of it, so what
   * the server said is what the caller sees.
   */
  ifChanged: async <T>(path: string, etag: string | null): Promise<{ data: T; etag: string | null } | null> => {
    const res = await request<T>('GET', path, undefined, { headers: etag ? { 'if-none-match': etag } : {}, cache: 'no-store' });
    return res.status === 304 ? null : { data: res.data, etag: res.headers.get('etag') };
  },
  /** A GitLab-style list page with its X-Total header. */
  page: async <T>(path: string): Promise<Page<T>> => {
    const { data, headers } = await request<T[]>('GET', path);
    return { items: data, total: Number(headers.get('x-total') ?? data.length) };
  },
};

/** Metric values NaN and ±Infinity arrive as strings. */
export function metricValue(value: number | string): number {
  return typeof value === 'number' ? value : Number(value);
}

/** A metric value as people read it (a few significant digits); NaN and ±Infinity as MLflow spells them. */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  const n = metricValue(value);
  if (!Number.isFinite(n)) return String(value);
  return formatMeasure(n);
}

export function formatTime(ms: number | null | undefined): string {
  return ms ? new Date(ms).toLocaleString() : '';
}
