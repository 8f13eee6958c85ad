/**
 * fetch, retried once when the connection was dropped before an answer: uvicorn closes idle
 * keep-alive connections after 5 s, and reusing one that it just closed fails without a reply.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

/** A small JSON client for the MLflow protocol, the same for both servers. */
export class MlflowHttp {
  constructor(
    readonly base: string,
    private readonly token?: string,
    /** How long one request may take before the client gives up (a finding, not a crash). */
    private readonly timeoutMs = 180_000,
  ) {}

  private headers(json: boolean): Record<string, string> {
    const headers: Record<string, string> = {};
    if (json) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return headers;
  }

  async post<T = Record<string, unknown>>(endpoint: string, body: unknown): Promise<T> {
    const res = await fetchOnce(`${this.base}/api/2.0/mlflow/${endpoint}`, { method: 'POST', headers: this.headers(true), body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  async get<T = Record<string, unknown>>(endpoint: string, query: Record<string, string | string[] | number>): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
    }
    const res = await fetchOnce(`${this.base}/api/2.0/mlflow/${endpoint}?${params}`, { headers: this.headers(false), signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}
