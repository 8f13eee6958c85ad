/** Small HTTP helpers to seed a live server through its public APIs, as a script would. */
export class Seeder {
  constructor(
    readonly base: string,
    readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = this.token): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'private-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async user(username: string, password: string): Promise<{ id: number; token: string }> {
    const user = await this.call<{ id: number }>('POST', '/api/v4/users', { username, password });
    const token = await this.call<{ token: string }>('POST', `/api/v4/users/${user.id}/personal_access_tokens`, { name: 'seed', scopes: ['api'] });
    return { id: user.id, token: token.token };
  }

  mlflow<T = Record<string, unknown>>(projectId: number, endpoint: string, body: unknown, token = this.token): Promise<T> {
    return this.call<T>('POST', `/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow/${endpoint}`, body, token);
  }

  async artifact(projectId: number, path: string, content: string | Buffer, contentType = 'application/octet-stream'): Promise<void> {
    const res = await fetch(`${this.base}/api/v4/projects/${projectId}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts/${path}`, {
      method: 'PUT',
      headers: { 'private-token': this.token, 'content-type': contentType },
      body: content,
    });
    if (!res.ok) throw new Error(`artifact ${path}: ${res.status} ${await res.text()}`);
  }
}

/** A metric curve with steps 0..n-1, for charts. */
export function curve(key: string, n: number, f: (step: number) => number) {
  return Array.from({ length: n }, (_, step) => ({ key, value: f(step), timestamp: 1_700_000_000_000 + step * 1000, step }));
}
