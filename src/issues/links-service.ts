import type { Kysely, Selectable } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { isUniqueViolation } from '../shared/unique-violation.ts';
import type { LinkType } from './contract.ts';
import { IssueErrors } from './errors.ts';
import { issueEvent } from './events.ts';
import { recordsOf, type IssueRecord } from './issue-record.ts';
import { mayEditIssue, visibleIssues } from './issue-visibility.ts';
import type { IssuesService } from './issues-service.ts';
import { findLinkTarget, type LinkTargetServices } from './link-targets.ts';
import type { IssueLinksTable } from './tables.ts';

export type LinkRow = Selectable<IssueLinksTable>;

/** Links between an issue and the models, versions, runs… it is about; both directions are read here. */
export class IssueLinksService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly issues: IssuesService,
    private readonly targets: LinkTargetServices,
  ) {}

  async list(access: ProjectAccess, iid: number): Promise<{ iid: number; links: { row: LinkRow; title: string }[] }> {
    const { row: issue } = await this.issues.get(access, iid);
    const rows = await this.db.selectFrom('issue_links').selectAll().where('issue_id', '=', issue.id).orderBy('id').execute();
    const links = await Promise.all(
      rows.map(async (row) => ({
        row,
        title: await findLinkTarget(this.targets, access, row.target_type, row.target_id).then(
          (t) => t.title,
          () => `${row.target_type} ${row.target_id} (gone)`,
        ),
      })),
    );
    return { iid: issue.iid, links };
  }

  /** Linking edits the issue: its author, or a reporter and up. */
  async add(access: ProjectAccess, iid: number, type: LinkType, id: string | number): Promise<{ iid: number; row: LinkRow; title: string }> {
    const target = await findLinkTarget(this.targets, access, type, id);
    try {
      return await inTransaction(this.db, async (trx) => {
        const { row: issue } = await this.issues.get(access, iid, trx);
        this.checkMayEdit(access, issue.author_id);
        const row = await trx
          .insertInto('issue_links')
          .values({ issue_id: issue.id, project_id: access.project.id, target_type: type, target_id: target.id, created_at: now() })
          .returningAll()
          .executeTakeFirstOrThrow();
        await recordChange(trx, access.caller, issueEvent('issues.link.added', access.project.id, { issue_iid: issue.iid, type, target_id: target.id }));
        return { iid: issue.iid, row, title: target.title };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw IssueErrors.LINK_EXISTS({ type, id: target.id });
      throw error;
    }
  }

  async remove(access: ProjectAccess, iid: number, linkId: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const { row: issue } = await this.issues.get(access, iid, trx);
      this.checkMayEdit(access, issue.author_id);
      const link = await trx.selectFrom('issue_links').selectAll().where('issue_id', '=', issue.id).where('id', '=', linkId).executeTakeFirst();
      if (!link) throw IssueErrors.LINK_NOT_FOUND();
      await trx.deleteFrom('issue_links').where('id', '=', link.id).execute();
      await recordChange(trx, access.caller, issueEvent('issues.link.removed', access.project.id, { issue_iid: issue.iid, type: link.target_type, target_id: link.target_id }));
    });
  }

  /** The other direction: the issues (the caller may see) linked to one object of the project. */
  async linkedTo(access: ProjectAccess, type: LinkType, targetId: string, db: Kysely<Schema> = this.db): Promise<IssueRecord[]> {
    let query = db
      .selectFrom('issues')
      .selectAll('issues')
      .where('issues.project_id', '=', access.project.id)
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('issue_links')
            .select('issue_links.id')
            .whereRef('issue_links.issue_id', '=', 'issues.id')
            .where('issue_links.target_type', '=', type)
            .where('issue_links.target_id', '=', targetId.toLowerCase()),
        ),
      );
    const visible = visibleIssues(access);
    if (visible) query = query.where(visible);
    return recordsOf(db, await query.orderBy('issues.iid').limit(500).execute());
  }

  private checkMayEdit(access: ProjectAccess, authorId: number | null): void {
    if (!mayEditIssue(access, authorId)) throw IssueErrors.EDIT_NEEDS_REPORTER();
  }
}
