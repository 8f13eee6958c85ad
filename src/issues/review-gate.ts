import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { recordAudit } from '../events/audit-log.ts';
import type { RegistrySettingsService } from '../registry/settings-service.ts';
import type { GatedVersion, VersionGate } from '../registry/version-gate.ts';
import { IssueErrors } from './errors.ts';

/**
 * The review gate (docs/issues.md): when a project's registry settings name a review label
 * (e.g. `review::required`), an open issue with that label linked to a version, or to its
 * model, holds the version back from approval and from protected environments until it is
 * closed. The gate reads every linked issue, confidential ones included, whatever the caller
 * may see; a confidential issue is named by its number only.
 */
export class ReviewGate implements VersionGate {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly settings: RegistrySettingsService,
  ) {}

  async check(access: ProjectAccess, version: GatedVersion, action: 'approve' | 'deploy'): Promise<void> {
    const label = (await this.settings.get(access.project.id)).review_issue_label;
    if (label === null) return;
    const blocking = await this.db
      .selectFrom('issues')
      .select(['issues.iid', 'issues.title', 'issues.confidential'])
      .where('issues.project_id', '=', access.project.id)
      .where('issues.state', '=', 'opened')
      .where((eb) => eb.exists(eb.selectFrom('issue_labels').select('issue_labels.issue_id').whereRef('issue_labels.issue_id', '=', 'issues.id').where('issue_labels.label', '=', label)))
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('issue_links')
            .select('issue_links.id')
            .whereRef('issue_links.issue_id', '=', 'issues.id')
            .where((link) =>
              link.or([
                link.and([link('issue_links.target_type', '=', 'version'), link('issue_links.target_id', '=', String(version.versionId))]),
                link.and([link('issue_links.target_type', '=', 'model'), link('issue_links.target_id', '=', String(version.modelId))]),
              ]),
            ),
        ),
      )
      .orderBy('issues.iid')
      .executeTakeFirst();
    if (!blocking) return;
    const what = action === 'approve' ? `approve ${version.modelName} v${version.version}` : `deploy ${version.modelName} v${version.version} to a protected environment`;
    const title = blocking.confidential === 1 ? '(confidential)' : blocking.title;
    // A refusal changes nothing, so its audit entry is written on its own.
    await recordAudit(this.db, access.caller, {
      action: 'issues.review_gate.refused',
      projectId: access.project.id,
      targetType: 'model_version',
      targetId: version.versionId,
      details: { refused: action, model: version.modelName, version: version.version, issue_iid: blocking.iid, label },
    });
    throw IssueErrors.OPEN_REVIEW_ISSUE({ iid: blocking.iid, title, label, action: what });
  }
}
