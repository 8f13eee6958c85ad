import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { now } from '../shared/clock.ts';
import { stateOf } from './job-spec.ts';
import { isFinished, nextStatus, pipelineStatusOf, type JobState } from './pipeline-status.ts';
import type { PipelineStatus } from './tables.ts';

/**
 * Serializes changes to one pipeline across server replicas: on PostgreSQL the pipeline row is
 * locked for the transaction, so two jobs finishing at once on two replicas cannot both read
 * the other as still running. SQLite has one writer at a time already.
 */
export async function lockPipeline(trx: Kysely<Schema>, dialect: Dialect, pipelineId: number): Promise<void> {
  if (dialect === 'postgres') await sql`select id from ci_pipelines where id = ${pipelineId} for update`.execute(trx);
}

/**
 * Moves a pipeline forward after any change to its jobs: `created` jobs whose dependencies
 * allow become pending, manual or skipped (repeatedly, since skipping one may free another),
 * then the pipeline's own status follows. Call inside a transaction after `lockPipeline`.
 * Returns whether any job became pending (runners may be woken).
 */
export async function advancePipeline(trx: Kysely<Schema>, pipelineId: number): Promise<{ queued: boolean; status: PipelineStatus }> {
  const rows = await trx
    .selectFrom('ci_jobs')
    .select(['id', 'name', 'status', 'when', 'allow_failure', 'needs', 'spec'])
    .where('pipeline_id', '=', pipelineId)
    .where('retried', '=', 0)
    .orderBy('id')
    .execute();
  const states = new Map<string, JobState>(rows.map((r) => [r.name, stateOf(r)]));
  const at = now();
  let queued = false;
  for (let changed = true; changed;) {
    changed = false;
    for (const row of rows) {
      const state = states.get(row.name)!;
      if (state.status !== 'created') continue;
      const next = nextStatus(state, states);
      if (next === undefined) continue;
      state.status = next;
      changed = true;
      if (next === 'pending') queued = true;
      await trx
        .updateTable('ci_jobs')
        .set({ status: next, queued_at: next === 'pending' ? at : null, finished_at: next === 'skipped' ? at : null })
        .where('id', '=', row.id)
        .where('status', '=', 'created')
        .execute();
    }
  }
  const status = pipelineStatusOf([...states.values()]);
  const pipeline = await trx.selectFrom('ci_pipelines').select(['status', 'started_at']).where('id', '=', pipelineId).executeTakeFirstOrThrow();
  const started = [...states.values()].some((s) => s.status === 'running' || (isFinished(s.status) && s.status !== 'skipped'));
  const finished = ['success', 'failed', 'canceled', 'skipped'].includes(status);
  await trx
    .updateTable('ci_pipelines')
    .set({
      status,
      updated_at: at,
      started_at: pipeline.started_at ?? (started ? at : null),
      finished_at: finished ? at : null,
    })
    .where('id', '=', pipelineId)
    .execute();
  return { queued, status };
}
