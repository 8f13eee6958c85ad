import type { Kysely } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { UsersService } from '../auth/users-service.ts';
import { containsText } from '../db/like.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import type { MembersService } from '../projects/members-service.ts';
import { now } from '../shared/clock.ts';
import { isUniqueViolation } from '../shared/unique-violation.ts';
import type { CreateIssueBody, IssuesQuery, UpdateIssueBody } from './contract.ts';
import { IssueErrors } from './errors.ts';
import { issueEvent } from './events.ts';
import { issueEventName, issueHook, type IssueAction } from './issue-hooks.ts';
import { recordsOf, type IssueRecord, type IssueRow } from './issue-record.ts';
import { mayEditIssue, maySee, visibleIssues } from './issue-visibility.ts';
import { labelList, oneLabelPerScope, withLabels } from './labels.ts';
import { peopleById } from './people.ts';

/** How many times an issue is written again when another one took its per-project number. */
const IID_ATTEMPTS = 5;
const DUE_DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDueDate(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null || value === '') return value === '' ? null : value;
  if (!DUE_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw IssueErrors.INVALID_DUE_DATE({ value });
  }
  return value;
}

function validTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed === '') throw IssueErrors.TITLE_REQUIRED();
  return trimmed;
}

/** Issues of a project: GitLab's rules for who opens, reads, edits and deletes them. */
export class IssuesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly users: UsersService,
    private readonly members: MembersService,
    private readonly publicUrl: string,
  ) {}

  async list(access: ProjectAccess, query: IssuesQuery, window: { offset: number; limit: number }): Promise<{ total: number; items: IssueRecord[] }> {
    let base = this.db.selectFrom('issues').where('issues.project_id', '=', access.project.id);
    const visible = visibleIssues(access);
    if (visible) base = base.where(visible);
    if (query.state === 'opened' || query.state === 'closed') base = base.where('issues.state', '=', query.state);
    for (const label of labelList(query.labels)) {
      base = base.where((eb) => eb.exists(eb.selectFrom('issue_labels').select('issue_labels.issue_id').whereRef('issue_labels.issue_id', '=', 'issues.id').where('issue_labels.label', '=', label)));
    }
    if (query.search) {
      const text = query.search;
      base = base.where((eb) => eb.or([containsText(eb.ref('issues.title'), text), containsText(eb.ref('issues.description'), text)]));
    }
    if (query.author_id !== undefined) base = base.where('issues.author_id', '=', query.author_id);
    if (query.confidential !== undefined) base = base.where('issues.confidential', '=', query.confidential === true || query.confidential === 'true' ? 1 : 0);
    const assignee = query.assignee_username !== undefined ? ((await this.users.findByUsername(query.assignee_username))?.id ?? -1) : query.assignee_id;
    if (assignee === 'None' || assignee === 'Any') {
      base = base.where((eb) => {
        const assigned = eb.exists(eb.selectFrom('issue_assignees').select('issue_assignees.user_id').whereRef('issue_assignees.issue_id', '=', 'issues.id'));
        return assignee === 'Any' ? assigned : eb.not(assigned);
      });
    } else if (assignee !== undefined) {
      base = base.where((eb) =>
        eb.exists(eb.selectFrom('issue_assignees').select('issue_assignees.user_id').whereRef('issue_assignees.issue_id', '=', 'issues.id').where('issue_assignees.user_id', '=', assignee)),
      );
    }
    const orderBy = query.order_by ?? 'created_at';
    const direction = query.sort ?? 'desc';
    const [count, rows] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll('issues').orderBy(`issues.${orderBy}`, direction).orderBy('issues.iid', direction).offset(window.offset).limit(window.limit).execute(),
    ]);
    return { total: Number(count.n), items: await recordsOf(this.db, rows) };
  }

  /** An issue the caller may see; an invisible confidential one answers as a missing one. */
  async get(access: ProjectAccess, iid: number, db: Kysely<Schema> = this.db): Promise<IssueRecord> {
    const row = await db.selectFrom('issues').selectAll().where('project_id', '=', access.project.id).where('iid', '=', iid).executeTakeFirst();
    if (!row) throw IssueErrors.ISSUE_NOT_FOUND();
    const [record] = await recordsOf(db, [row]);
    if (!maySee(access, row, record!.assigneeIds)) throw IssueErrors.ISSUE_NOT_FOUND();
    return record!;
  }

  async create(access: ProjectAccess, body: CreateIssueBody): Promise<IssueRecord> {
    const title = validTitle(body.title);
    const labels = oneLabelPerScope(labelList(body.labels));
    const assigneeIds = [...new Set(body.assignee_ids ?? (body.assignee_id !== undefined ? [body.assignee_id] : []))];
    const dueDate = validDueDate(body.due_date) ?? null;
    // Guests open issues; setting their labels, assignees and due date is a reporter's work (GitLab).
    if ((labels.length > 0 || assigneeIds.length > 0 || dueDate !== null) && !can(access, 'issues:manage')) throw IssueErrors.EDIT_NEEDS_REPORTER();
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.db, async (trx) => {
          await this.checkAssignees(access, assigneeIds, trx);
          const last = await trx
            .selectFrom('issues')
            .select((eb) => eb.fn.max('iid').as('iid'))
            .where('project_id', '=', access.project.id)
            .executeTakeFirst();
          const at = now();
          const row = await trx
            .insertInto('issues')
            .values({
              project_id: access.project.id,
              iid: Number(last?.iid ?? 0) + 1,
              title,
              description: body.description ?? '',
              state: 'opened',
              confidential: body.confidential ? 1 : 0,
              due_date: dueDate,
              author_id: access.caller.user?.id ?? null,
              closed_by_id: null,
              closed_at: null,
              created_at: at,
              updated_at: at,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
          if (labels.length > 0)
            await trx
              .insertInto('issue_labels')
              .values(labels.map((label) => ({ issue_id: row.id, label })))
              .execute();
          if (assigneeIds.length > 0)
            await trx
              .insertInto('issue_assignees')
              .values(assigneeIds.map((user_id) => ({ issue_id: row.id, user_id })))
              .execute();
          const record: IssueRecord = { row, labels: [...labels].sort(), assigneeIds: [...assigneeIds].sort((a, b) => a - b), notesCount: 0 };
          await this.record(trx, access, record, 'open');
          return record;
        });
      } catch (error) {
        if (attempt >= IID_ATTEMPTS || !isUniqueViolation(error)) throw error;
      }
    }
  }

  async update(access: ProjectAccess, iid: number, body: UpdateIssueBody): Promise<IssueRecord> {
    const manages = can(access, 'issues:manage');
    const replaceLabels = body.labels === undefined ? undefined : oneLabelPerScope(labelList(body.labels));
    const added = labelList(body.add_labels);
    const removed = labelList(body.remove_labels);
    const dueDate = validDueDate(body.due_date);
    const title = body.title === undefined ? undefined : validTitle(body.title);
    const managed = replaceLabels !== undefined || added.length > 0 || removed.length > 0 || body.assignee_ids !== undefined || dueDate !== undefined || body.confidential !== undefined;
    return inTransaction(this.db, async (trx) => {
      const before = await this.get(access, iid, trx);
      // An author edits the title, the text and the state of their own issue; the rest, and others' issues, take a reporter.
      if (!mayEditIssue(access, before.row.author_id) || (managed && !manages)) throw IssueErrors.EDIT_NEEDS_REPORTER();
      const at = now();
      const set: Partial<IssueRow> = { updated_at: at };
      const changes: Record<string, { previous: unknown; current: unknown }> = {};
      const change = <K extends keyof IssueRow>(key: K, value: IssueRow[K] | undefined) => {
        if (value === undefined || value === before.row[key]) return;
        set[key] = value;
        changes[key] = { previous: before.row[key], current: value };
      };
      change('title', title);
      change('description', body.description);
      change('due_date', dueDate);
      change('confidential', body.confidential === undefined ? undefined : body.confidential ? 1 : 0);
      let action: IssueAction = 'update';
      if (body.state_event === 'close' && before.row.state === 'opened') {
        change('state', 'closed');
        set.closed_at = at;
        set.closed_by_id = access.caller.user?.id ?? null;
        action = 'close';
      } else if (body.state_event === 'reopen' && before.row.state === 'closed') {
        change('state', 'opened');
        set.closed_at = null;
        set.closed_by_id = null;
        action = 'reopen';
      }
      let labels = replaceLabels ?? before.labels;
      labels = withLabels(
        labels.filter((l) => !removed.includes(l)),
        added,
      ).sort();
      if (labels.join('\n') !== before.labels.join('\n')) {
        changes.labels = { previous: before.labels, current: labels };
        await trx.deleteFrom('issue_labels').where('issue_id', '=', before.row.id).execute();
        if (labels.length > 0)
          await trx
            .insertInto('issue_labels')
            .values(labels.map((label) => ({ issue_id: before.row.id, label })))
            .execute();
      }
      let assigneeIds = before.assigneeIds;
      if (body.assignee_ids !== undefined) {
        assigneeIds = [...new Set(body.assignee_ids)].sort((a, b) => a - b);
        await this.checkAssignees(access, assigneeIds, trx);
        if (assigneeIds.join() !== before.assigneeIds.join()) {
          changes.assignees = { previous: before.assigneeIds, current: assigneeIds };
          await trx.deleteFrom('issue_assignees').where('issue_id', '=', before.row.id).execute();
          if (assigneeIds.length > 0)
            await trx
              .insertInto('issue_assignees')
              .values(assigneeIds.map((user_id) => ({ issue_id: before.row.id, user_id })))
              .execute();
        }
      }
      const row = await trx.updateTable('issues').set(set).where('id', '=', before.row.id).returningAll().executeTakeFirstOrThrow();
      const record: IssueRecord = { row, labels, assigneeIds, notesCount: before.notesCount };
      await this.record(trx, access, record, action, changes);
      return record;
    });
  }

  async delete(access: ProjectAccess, iid: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const record = await this.get(access, iid, trx);
      await trx.deleteFrom('issues').where('id', '=', record.row.id).execute();
      await this.record(trx, access, record, 'delete');
    });
  }

  private async checkAssignees(access: ProjectAccess, ids: number[], db: Kysely<Schema>): Promise<void> {
    for (const id of ids) if (!(await this.members.find(access, id, db))) throw IssueErrors.ASSIGNEE_NOT_MEMBER({ id });
  }

  /** The outbox event (GitLab's issue hook) and, for closing, reopening and deleting, an audit entry. */
  private async record(trx: Kysely<Schema>, access: ProjectAccess, record: IssueRecord, action: IssueAction, changes: Record<string, { previous: unknown; current: unknown }> = {}): Promise<void> {
    const people = await peopleById(this.users, record.assigneeIds, trx);
    const assignees = record.assigneeIds.map((id) => people.get(id)).filter((u) => u !== undefined);
    const audited = action === 'close' || action === 'reopen' || action === 'delete';
    await recordChange(
      trx,
      access.caller,
      issueEvent(issueEventName(record.row, action), access.project.id, issueHook(access.caller, record, assignees, action, this.publicUrl, changes)),
      audited ? { action: `issues.issue.${action}`, targetType: 'issue', targetId: record.row.iid, details: { title: record.row.title } } : undefined,
    );
  }
}
