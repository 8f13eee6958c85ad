import { crc32 } from 'node:zlib';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { maskSecretsKeepingLength } from '../runner-protocol/masking.ts';
import { traceChecksum } from '../runner-protocol/trace.ts';
import type { AppError } from '../shared/errors.ts';
import type { JobRow } from './job-payload.ts';
import type { VariablesService } from './variables-service.ts';
import { PipelineErrors } from './errors.ts';

/** A job log beyond this is cut (GitLab's default limit is 4 MiB; ML jobs print more). */
export const MAX_TRACE_BYTES = 16 * 1024 * 1024;
const TRUNCATED = Buffer.from('\n[modelyard] the job log exceeded its size limit; the rest was dropped\n');

export type AppendOutcome = { ok: true; size: number } | { ok: false; status: 'not_running' | 'range'; size: number };

/**
 * Job logs, appended in chunks by the runner while the job runs. An append names the byte
 * offset it starts at; it is stored only if that is the current end, so a retried request is
 * never written twice and a lost one shows as a gap the runner is told to fill (416 + Range).
 * Chunks are kept as the bytes the runner sent: GitLab Runner cuts its log anywhere, inside a
 * UTF-8 character too, and counts offsets in bytes. Masked variables are hidden again here, in
 * case a runner did not, without changing the log's length.
 */
export class TracesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly variables: VariablesService,
  ) {}

  async append(job: JobRow, offset: number, content: Buffer): Promise<AppendOutcome> {
    if (job.status !== 'running') return { ok: false, status: 'not_running', size: job.trace_size };
    if (offset !== job.trace_size) return { ok: false, status: 'range', size: job.trace_size };
    const secrets = (await this.variables.list(job.project_id)).filter((v) => v.masked === 1).map((v) => v.value);
    const masked = maskSecretsKeepingLength(content, secrets);
    // Past the limit the log keeps counting the runner's bytes (so its offsets stay right) but stores no more.
    const room = MAX_TRACE_BYTES - offset;
    const stored = room <= 0 ? null : masked.length <= room ? masked : Buffer.concat([masked.subarray(0, room), TRUNCATED]);
    const size = offset + content.length;
    const written = await this.db.transaction().execute(async (trx) => {
      const moved = await trx.updateTable('ci_jobs').set({ trace_size: size, heartbeat_at: Date.now() }).where('id', '=', job.id).where('trace_size', '=', offset).executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) return false;
      if (stored) await trx.insertInto('ci_job_trace_chunks').values({ job_id: job.id, offset, content: '', data: stored }).execute();
      return true;
    });
    if (!written) {
      const current = await this.db.selectFrom('ci_jobs').select('trace_size').where('id', '=', job.id).executeTakeFirstOrThrow();
      return { ok: false, status: 'range', size: current.trace_size };
    }
    return { ok: true, size };
  }

  /** The log from a byte offset on (the whole log from 0). */
  async read(jobId: number, from = 0): Promise<Buffer> {
    const chunks = await this.db.selectFrom('ci_job_trace_chunks').select(['offset', 'content', 'data']).where('job_id', '=', jobId).orderBy('offset').execute();
    const parts: Buffer[] = [];
    for (const chunk of chunks) {
      const bytes = chunk.data ? Buffer.from(chunk.data) : Buffer.from(chunk.content, 'utf8');
      const end = chunk.offset + bytes.length;
      if (end <= from) continue;
      parts.push(chunk.offset >= from ? bytes : bytes.subarray(from - chunk.offset));
    }
    return Buffer.concat(parts);
  }

  /** GitLab Runner's `output.checksum` of the stored log, to compare with what the runner sent. */
  async checksum(jobId: number): Promise<string> {
    return traceChecksum(crc32(await this.read(jobId)));
  }
}

export function traceRangeError(size: number): AppError {
  return PipelineErrors.TRACE_RANGE({ size }, { size });
}
