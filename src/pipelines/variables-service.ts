import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { PipelineErrors } from './errors.ts';
import { CI_VARIABLE_VALUE, type CiVariablesTable } from './tables.ts';
import type { CiVariable } from './contract.ts';

export type CiVariableRow = Selectable<CiVariablesTable>;

export interface VariableInput {
  key?: string;
  value?: string;
  masked?: boolean;
  protected?: boolean;
  description?: string;
}

const KEY = /^[A-Za-z0-9_]{1,255}$/;
const MAX_VALUE = 10_000;

/**
 * GitLab's rules for maskable values: one line, at least 8 characters, no spaces, so that the
 * runner can find and replace every occurrence in a log.
 */
function checkMaskable(value: string): void {
  if (value.length < 8) throw invalid('value is too short to be masked: at least 8 characters');
  if (/\s/.test(value)) throw invalid('a masked value must be one line without spaces');
}

/**
 * Project CI variables at GitLab's `/projects/:id/variables`. Values are sealed in the table, as
 * GitLab encrypts them; rows leave this service with their values opened.
 */
export class VariablesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly secrets: SecretBox,
  ) {}

  private opened(row: CiVariableRow): CiVariableRow {
    return { ...row, value: this.secrets.open(row.value, CI_VARIABLE_VALUE.context(row.id)) };
  }

  async list(projectId: number): Promise<CiVariableRow[]> {
    const rows = await this.db.selectFrom('ci_variables').selectAll().where('project_id', '=', projectId).orderBy('key').execute();
    return rows.map((row) => this.opened(row));
  }

  async get(access: ProjectAccess, key: string): Promise<CiVariableRow> {
    const row = await this.db.selectFrom('ci_variables').selectAll().where('project_id', '=', access.project.id).where('key', '=', key).executeTakeFirst();
    if (!row) throw notFound('404 Variable');
    return this.opened(row);
  }

  async create(access: ProjectAccess, input: VariableInput): Promise<CiVariableRow> {
    const key = input.key ?? '';
    if (!KEY.test(key)) throw invalid('key can contain only letters, digits and _ (at most 255)');
    if (input.value === undefined) throw invalid('value is missing');
    this.checkValue(input.value, input.masked ?? false);
    const at = now();
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('ci_variables').select('id').where('project_id', '=', access.project.id).where('key', '=', key).executeTakeFirst();
      if (existing) throw PipelineErrors.VARIABLE_EXISTS({ key });
      // The value is sealed under the row's id, which the insert assigns.
      const row = await trx
        .insertInto('ci_variables')
        .values({
          project_id: access.project.id,
          key,
          value: '',
          masked: input.masked ? 1 : 0,
          protected: input.protected ? 1 : 0,
          description: input.description ?? '',
          created_at: at,
          updated_at: at,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('ci_variables')
        .set({ value: this.secrets.seal(input.value!, CI_VARIABLE_VALUE.context(row.id)) })
        .where('id', '=', row.id)
        .execute();
      await this.audit(trx, access, 'ci.variable.created', key);
      return { ...row, value: input.value! };
    });
  }

  async update(access: ProjectAccess, key: string, input: VariableInput): Promise<CiVariableRow> {
    const row = await this.get(access, key);
    const value = input.value ?? row.value;
    const masked = input.masked ?? row.masked === 1;
    this.checkValue(value, masked);
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('ci_variables')
        .set({
          value: this.secrets.seal(value, CI_VARIABLE_VALUE.context(row.id)),
          masked: masked ? 1 : 0,
          protected: (input.protected ?? row.protected === 1) ? 1 : 0,
          description: input.description ?? row.description,
          updated_at: now(),
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.audit(trx, access, 'ci.variable.updated', key);
      return { ...updated, value };
    });
  }

  async delete(access: ProjectAccess, key: string): Promise<void> {
    const row = await this.get(access, key);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ci_variables').where('id', '=', row.id).execute();
      await this.audit(trx, access, 'ci.variable.deleted', key);
    });
  }

  private checkValue(value: string, masked: boolean): void {
    if (value.length > MAX_VALUE) throw invalid(`value is longer than ${MAX_VALUE} characters`);
    if (masked) checkMaskable(value);
  }

  private async audit(trx: Kysely<Schema>, access: ProjectAccess, action: string, key: string): Promise<void> {
    // Values never go into events or the audit log: they may be secrets.
    await recordChange(trx, access.caller, { type: action, projectId: access.project.id, payload: { key } }, { action, targetType: 'ci_variable', targetId: null, details: { key } });
  }
}

export function presentVariable(row: CiVariableRow): CiVariable {
  return {
    key: row.key,
    value: row.value,
    variable_type: 'env_var',
    protected: row.protected === 1,
    masked: row.masked === 1,
    raw: true,
    environment_scope: '*',
    description: row.description || null,
  };
}
