import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { JobPayload } from '../pipelines/job-payload.ts';
import type { RunnerInfo } from '../pipelines/runners-service.ts';

export type Job = JobPayload;

/** What the server says about a job when the runner reports. */
export type JobStatusWord = 'created' | 'pending' | 'running' | 'success' | 'failed' | 'canceled' | 'skipped' | 'manual';

export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The runner's side of the runner protocol (docs/runner-protocol.md): plain HTTP, nothing else. */
export class ProtocolClient {
  private readonly api: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.api = `${url.replace(/\/+$/, '')}/api/v4`;
  }

  private async json<T>(method: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T | undefined; headers: Headers }> {
    const res = await fetch(`${this.api}${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(120_000) });
    const text = await res.text();
    if (res.status >= 400 && res.status !== 416) throw new ProtocolError(res.status, `${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, body: text ? (JSON.parse(text) as T) : undefined, headers: res.headers };
  }

  async verify(): Promise<{ id: number }> {
    return (await this.json<{ id: number }>('POST', '/runners/verify', { token: this.token })).body!;
  }

  /** Waits up to `waitSeconds` on the server for a job that fits this runner. */
  async requestJob(info: RunnerInfo, waitSeconds: number): Promise<Job | null> {
    const res = await this.json<Job>('POST', '/jobs/request', { token: this.token, info, wait_seconds: waitSeconds });
    return res.status === 201 ? res.body! : null;
  }

  async updateJob(job: Job, update: { state: 'running' | 'success' | 'failed'; failure_reason?: string; exit_code?: number }): Promise<JobStatusWord> {
    const res = await this.json<{ status: JobStatusWord }>('PUT', `/jobs/${job.id}`, { token: job.token, ...update });
    return res.body!.status;
  }

  /** Appends to the log at `offset`; answers the server's size of the log and the job's status. */
  async appendTrace(job: Job, offset: number, chunk: Buffer): Promise<{ size: number; accepted: boolean; status: string }> {
    const res = await fetch(`${this.api}/jobs/${job.id}/trace`, {
      method: 'PATCH',
      headers: { 'job-token': job.token, 'content-type': 'text/plain', 'content-range': `${offset}-${offset + chunk.length - 1}` },
      body: chunk,
      signal: AbortSignal.timeout(60_000),
    });
    await res.text();
    const size = Number(/^0-(\d+)$/.exec(res.headers.get('range') ?? '')?.[1] ?? offset);
    const status = res.headers.get('job-status') ?? 'running';
    if (res.status === 202) return { size, accepted: true, status };
    if (res.status === 416 || res.status === 403) return { size, accepted: false, status };
    throw new ProtocolError(res.status, `PATCH trace: ${res.status}`);
  }

  async uploadArtifact(job: Job, relativePath: string, file: string): Promise<void> {
    const size = fs.statSync(file).size;
    const res = await fetch(`${this.api}/jobs/${job.id}/artifacts/${relativePath.split('/').map(encodeURIComponent).join('/')}`, {
      method: 'PUT',
      headers: { 'job-token': job.token, 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    if (res.status !== 201) throw new ProtocolError(res.status, `uploading ${relativePath}: ${res.status} ${text.slice(0, 200)}`);
  }

  async downloadArtifact(job: Job, fromJob: number, relativePath: string, target: string): Promise<void> {
    const res = await fetch(`${this.api}/jobs/${fromJob}/artifacts/${relativePath.split('/').map(encodeURIComponent).join('/')}`, { headers: { 'job-token': job.token } });
    if (res.status !== 200 || !res.body) throw new ProtocolError(res.status, `downloading ${relativePath} of job ${fromJob}: ${res.status}`);
    const { pipeline } = await import('node:stream/promises');
    await pipeline(Readable.fromWeb(res.body as never), fs.createWriteStream(target));
  }
}
