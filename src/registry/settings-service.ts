import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { invalid } from '../shared/errors.ts';
import { registryEvent } from './events.ts';
import { validAlias, validLabel } from './names.ts';

export interface RegistrySettings {
  required_approvals: number;
  protected_aliases: string[];
  /** Open issues with this label linked to a version (or its model) hold it back from approval and protected environments; null: no gate (src/issues/review-gate.ts). */
  review_issue_label: string | null;
}

const DEFAULTS: RegistrySettings = { required_approvals: 1, protected_aliases: [], review_issue_label: null };

/** A project's registry rules: how many approvals a version needs, which aliases are protected, which issues gate a version. */
export class RegistrySettingsService {
  constructor(private readonly db: Kysely<Schema>) {}

  async get(projectId: number, db: Kysely<Schema> = this.db): Promise<RegistrySettings> {
    const row = await db.selectFrom('registry_settings').selectAll().where('project_id', '=', projectId).executeTakeFirst();
    return row ? { required_approvals: row.required_approvals, protected_aliases: JSON.parse(row.protected_aliases) as string[], review_issue_label: row.review_issue_label ?? null } : { ...DEFAULTS };
  }

  /** Changes the rules given, keeping the others; the settings row and its event are one transaction. */
  async update(access: ProjectAccess, input: Partial<RegistrySettings>): Promise<RegistrySettings> {
    return inTransaction(this.db, async (trx) => {
      const current = await this.get(access.project.id, trx);
      const next: RegistrySettings = {
        required_approvals: input.required_approvals ?? current.required_approvals,
        protected_aliases: input.protected_aliases ? [...new Set(input.protected_aliases.map(validAlias))] : current.protected_aliases,
        review_issue_label:
          input.review_issue_label === undefined ? current.review_issue_label : input.review_issue_label === null || input.review_issue_label === '' ? null : validLabel(input.review_issue_label),
      };
      const row = { required_approvals: next.required_approvals, protected_aliases: JSON.stringify(next.protected_aliases), review_issue_label: next.review_issue_label };
      if (!Number.isSafeInteger(next.required_approvals) || next.required_approvals < 1 || next.required_approvals > 10) throw invalid('required_approvals must be from 1 to 10');
      await trx
        .insertInto('registry_settings')
        .values({ project_id: access.project.id, ...row })
        .onConflict((oc) => oc.column('project_id').doUpdateSet(row))
        .execute();
      await recordChange(trx, access.caller, registryEvent('registry.settings.updated', access.project.id, { ...next }), {
        action: 'registry.settings.updated',
        targetType: 'project',
        targetId: access.project.id,
        details: { ...next },
      });
      return next;
    });
  }
}
