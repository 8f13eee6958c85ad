import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Value } from 'typebox/value';
import { ARTIFACT_FILE_FIELD } from '../runner-protocol/artifacts.ts';
import { JobResponse, type Artifact, type Dependency } from '../runner-protocol/job-response.ts';
import { LAST_UPDATE_HEADER, type JobState, type VersionInfo } from '../runner-protocol/requests.ts';
import { contentRange, JOB_STATUS_HEADER, JOB_TOKEN_HEADER, traceSizeOf } from '../runner-protocol/trace.ts';

export type Job = JobResponse;

export class ProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A job handed out that this runner cannot read: it is not confirmed, so the server puts it back in the queue. */
export class UnreadableJobError extends Error {}

/** The server's answer to a report: whether it was taken, and the job's status (anything but `running` means stop). */
export interface ReportOutcome {
  code: number;
  status: string;
}

/**
 * The runner's side of GitLab's runner protocol (docs/runner-protocol.md), over plain HTTP:
 * the same requests GitLab Runner makes, so that the server has one protocol and two clients.
 */
export class ProtocolClient {
  private readonly api: string;

  constructor(
    url: string,
    private readonly token: string,
    private readonly systemId: string,
  ) {
    this.api = `${url.replace(/\/+$/, '')}/api/v4`;
  }

  private async call(method: string, path: string, body: unknown, timeoutMs = 120_000): Promise<{ status: number; text: string; headers: Headers }> {
    const res = await fetch(`${this.api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  async verify(): Promise<{ id: number }> {
    const res = await this.call('POST', '/runners/verify', { token: this.token, system_id: this.systemId });
    if (res.status !== 200) throw new ProtocolError(res.status, `verifying the runner token: ${res.status} ${res.text.slice(0, 300)}`);
    return JSON.parse(res.text) as { id: number };
  }

  /**
   * Asks for a job. With `lastUpdate` (the value the server gave last time) the server holds the
   * request until a job comes or its long-polling time is over. A job that does not match the
   * protocol's shape is refused here, before anything of it runs.
   */
  async requestJob(info: VersionInfo, lastUpdate: string | undefined): Promise<{ job: Job | null; lastUpdate: string | undefined }> {
    const res = await this.call('POST', '/jobs/request', { token: this.token, system_id: this.systemId, info, ...(lastUpdate ? { last_update: lastUpdate } : {}) }, 120_000);
    const next = res.headers.get(LAST_UPDATE_HEADER) ?? lastUpdate;
    if (res.status === 204) return { job: null, lastUpdate: next };
    if (res.status !== 201) throw new ProtocolError(res.status, `asking for a job: ${res.status} ${res.text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch {
      throw new UnreadableJobError('the job is not JSON');
    }
    if (!Value.Check(JobResponse, body)) {
      const first = [...Value.Errors(JobResponse, body)][0];
      throw new UnreadableJobError(`the job does not match the protocol${first ? `: ${first.instancePath || '/'} ${first.message}` : ''}`);
    }
    return { job: body, lastUpdate: next };
  }

  /** `PUT /jobs/:id`: 200 taken, 202 taken but the log is not complete yet, 403 the job is no longer running (Job-Status says why). */
  async updateJob(job: Job, update: { state: JobState; failure_reason?: string; exit_code?: number; output?: { checksum: string; bytesize: number } }): Promise<ReportOutcome> {
    const res = await this.call('PUT', `/jobs/${job.id}`, { token: job.token, ...update }, 60_000);
    if (res.status === 200 || res.status === 202 || res.status === 403) return { code: res.status, status: res.headers.get(JOB_STATUS_HEADER) ?? (res.status === 403 ? 'canceled' : 'running') };
    throw new ProtocolError(res.status, `PUT job: ${res.status} ${res.text.slice(0, 200)}`);
  }

  /** Appends to the log at `offset`; answers the server's size of the log and the job's status. */
  async appendTrace(job: Job, offset: number, chunk: Buffer): Promise<{ size: number; accepted: boolean; status: string }> {
    const res = await fetch(`${this.api}/jobs/${job.id}/trace`, {
      method: 'PATCH',
      headers: { [JOB_TOKEN_HEADER]: job.token, 'content-type': 'text/plain', 'content-range': contentRange(offset, chunk.length) },
      body: chunk,
      signal: AbortSignal.timeout(60_000),
    });
    await res.text();
    const size = traceSizeOf(res.headers.get('range')) ?? offset;
    const status = res.headers.get(JOB_STATUS_HEADER) ?? (res.status === 403 ? 'canceled' : 'running');
    if (res.status === 202) return { size, accepted: true, status };
    if (res.status === 416 || res.status === 403) return { size, accepted: false, status };
    throw new ProtocolError(res.status, `PATCH trace: ${res.status}`);
  }

  /** Uploads one archive as GitLab Runner does: a streamed multipart form, the file in `file`. */
  async uploadArtifact(job: Job, artifact: Artifact, filename: string, body: Readable): Promise<void> {
    const boundary = `modelyard-${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${ARTIFACT_FILE_FIELD}"; filename="${filename.replace(/["\r\n]/g, '_')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    async function* form() {
      yield head;
      for await (const chunk of body) yield chunk as Buffer;
      yield tail;
    }
    const query = new URLSearchParams({ artifact_format: artifact.artifact_format, artifact_type: artifact.artifact_type, ...(artifact.expire_in ? { expire_in: artifact.expire_in } : {}) });
    const res = await fetch(`${this.api}/jobs/${job.id}/artifacts?${query}`, {
      method: 'POST',
      headers: { [JOB_TOKEN_HEADER]: job.token, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.toWeb(Readable.from(form())) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    if (res.status !== 201) throw new ProtocolError(res.status, `uploading ${artifact.artifact_type}: ${res.status} ${text.slice(0, 200)}`);
  }

  /** A dependency's artifacts zip, with the token the job response gave for it. */
  async downloadArtifacts(dependency: Dependency, target: string): Promise<void> {
    const res = await fetch(`${this.api}/jobs/${dependency.id}/artifacts`, { headers: { [JOB_TOKEN_HEADER]: dependency.token } });
    if (res.status !== 200 || !res.body) throw new ProtocolError(res.status, `downloading the artifacts of ${dependency.name} (job ${dependency.id}): ${res.status}`);
    await pipeline(Readable.fromWeb(res.body as never), fs.createWriteStream(target));
  }
}
