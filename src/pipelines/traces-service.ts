import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { AppError } from '../shared/errors.ts';
import type { JobRow } from './job-payload.ts';
import type { VariablesService } from './variables-service.ts';

/** A job log beyond this is cut (GitLab's default limit is 4 MiB; ML jobs print more). */
export const MAX_TRACE_BYTES = 16 * 1024 * 1024;
const TRUNCATED = '\n[modelyard] the job log exceeded its size limit; the rest was dropped\n';

export const MASK = '[MASKED]';

/** Replaces every occurrence of each secret; longest first, so a secret containing another is hidden whole. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.split(secret).join(MASK);
  }
  return out;
}

export type AppendOutcome = { ok: true; size: number } | { ok: false; status: 'not_running' | 'range'; size: number };

/**
 * Job logs, appended in chunks by the runner while the job runs. An append names the byte
 * offset it starts at; it is stored only if that is the current end, so a retried request is
 * never written twice and a lost one shows as a gap the runner is told to fill (416 + Range).
 * Masked variables are hidden again here, in case a runner did not.
 */
export class TracesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly variables: VariablesService,
  ) {}

  async append(job: JobRow, offset: number, content: string): Promise<AppendOutcome> {
    if (job.status !== 'running') return { ok: false, status: 'not_running', size: job.trace_size };
    if (offset !== job.trace_size) return { ok: false, status: 'range', size: job.trace_size };
    if (job.trace_size >= MAX_TRACE_BYTES) return { ok: true, size: job.trace_size };
    const secrets = (await this.variables.list(job.project_id)).filter((v) => v.masked === 1).map((v) => v.value);
    // Programs print NUL (binary output); PostgreSQL's text cannot hold it, so it is kept as
    // U+FFFD, as bytes that are not UTF-8 already are.
    let text = maskSecrets(content, secrets).replaceAll('\u0000', '\uFFFD');
    if (job.trace_size + Buffer.byteLength(text) > MAX_TRACE_BYTES) text = TRUNCATED;
    const bytes = Buffer.byteLength(text);
    const stored = await this.db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('ci_jobs').set({ trace_size: offset + bytes, heartbeat_at: Date.now() }).where('id', '=', job.id).where('trace_size', '=', offset).executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      await trx.insertInto('ci_job_trace_chunks').values({ job_id: job.id, offset, content: text }).execute();
      return true;
    });
    if (!stored) {
      const current = await this.db.selectFrom('ci_jobs').select('trace_size').where('id', '=', job.id).executeTakeFirstOrThrow();
      return { ok: false, status: 'range', size: current.trace_size };
    }
    return { ok: true, size: offset + bytes };
  }

  /** The log from a byte offset on (the whole log from 0). */
  async read(jobId: number, from = 0): Promise<Buffer> {
    const chunks = await this.db.selectFrom('ci_job_trace_chunks').select(['offset', 'content']).where('job_id', '=', jobId).orderBy('offset').execute();
    const parts: Buffer[] = [];
    for (const chunk of chunks) {
      const bytes = Buffer.from(chunk.content, 'utf8');
      const end = chunk.offset + bytes.length;
      if (end <= from) continue;
      parts.push(chunk.offset >= from ? bytes : bytes.subarray(from - chunk.offset));
    }
    return Buffer.concat(parts);
  }
}

export function traceRangeError(size: number): AppError {
  return new AppError('range_not_satisfiable', 'TRACE_RANGE', `the log is ${size} bytes long; send the next chunk from there`, { size });
}
