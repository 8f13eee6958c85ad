import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import { newSecret, secretHint, sha256Hex } from '../auth/secrets.ts';
import type { Schema } from '../db/schema.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid, notFound } from '../shared/errors.ts';
import type { CiTriggersTable } from './tables.ts';
import type { Trigger } from './contract.ts';

export type TriggerRow = Selectable<CiTriggersTable>;

/** Pipeline trigger tokens (GitLab's `/projects/:id/triggers`): a pipeline started with one runs as its owner. */
export class TriggersService {
  constructor(private readonly db: Kysely<Schema>) {}

  list(access: ProjectAccess): Promise<TriggerRow[]> {
    return this.db.selectFrom('ci_triggers').selectAll().where('project_id', '=', access.project.id).orderBy('id').execute();
  }

  async create(access: ProjectAccess, description: string): Promise<{ row: TriggerRow; token: string }> {
    if (description.length > 255) throw invalid('description is longer than 255 characters');
    if (!access.caller.user) throw invalid('a trigger needs an owner');
    const token = newSecret('trigger');
    const row = await this.db.transaction().execute(async (trx) => {
      const created = await trx
        .insertInto('ci_triggers')
        .values({ project_id: access.project.id, token_hash: sha256Hex(token), token_hint: secretHint(token), description, owner_id: access.caller.user!.id, created_at: now(), last_used_at: null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordChange(
        trx,
        access.caller,
        { type: 'ci.trigger.created', projectId: access.project.id, payload: { trigger_id: created.id } },
        { action: 'ci.trigger.created', targetType: 'ci_trigger', targetId: created.id },
      );
      return created;
    });
    return { row, token };
  }

  async delete(access: ProjectAccess, triggerId: number): Promise<void> {
    const deleted = await this.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('ci_triggers').where('id', '=', triggerId).where('project_id', '=', access.project.id).executeTakeFirst();
      if (Number(result.numDeletedRows) === 1)
        await recordChange(
          trx,
          access.caller,
          { type: 'ci.trigger.deleted', projectId: access.project.id, payload: { trigger_id: triggerId } },
          { action: 'ci.trigger.deleted', targetType: 'ci_trigger', targetId: triggerId },
        );
      return Number(result.numDeletedRows);
    });
    if (deleted !== 1) throw notFound('404 Trigger');
  }

  /** The trigger a token belongs to, if it is one of this project's. */
  async resolve(projectId: number, token: string): Promise<TriggerRow | undefined> {
    const row = await this.db.selectFrom('ci_triggers').selectAll().where('token_hash', '=', sha256Hex(token)).where('project_id', '=', projectId).executeTakeFirst();
    if (row) await this.db.updateTable('ci_triggers').set({ last_used_at: now() }).where('id', '=', row.id).execute();
    return row;
  }
}

export function presentTrigger(row: TriggerRow, token?: string): Trigger {
  return {
    id: row.id,
    description: row.description,
    token: token ?? row.token_hint,
    owner: { id: row.owner_id },
    created_at: new Date(row.created_at).toISOString(),
    last_used: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  };
}
