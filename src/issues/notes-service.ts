import type { Kysely, Selectable } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { recordChange } from '../events/outbox.ts';
import { now } from '../shared/clock.ts';
import { IssueErrors } from './errors.ts';
import { issueEvent } from './events.ts';
import { noteEventName, noteHook } from './issue-hooks.ts';
import type { IssueRow } from './issue-record.ts';
import { isAuthor } from './issue-visibility.ts';
import type { IssuesService } from './issues-service.ts';
import type { IssueNotesTable } from './tables.ts';

export type NoteRow = Selectable<IssueNotesTable>;

function validBody(body: string): string {
  if (body.trim() === '') throw IssueErrors.EMPTY_NOTE();
  return body;
}

/** Comments on issues: whoever may see an issue and write issues comments on it; authors edit their own. */
export class NotesService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly issues: IssuesService,
    private readonly publicUrl: string,
  ) {}

  async list(
    access: ProjectAccess,
    iid: number,
    order: { sort: 'asc' | 'desc'; orderBy: 'created_at' | 'updated_at' },
    window: { offset: number; limit: number },
  ): Promise<{ issue: IssueRow; total: number; items: NoteRow[] }> {
    const { row: issue } = await this.issues.get(access, iid);
    const base = this.db.selectFrom('issue_notes').where('issue_id', '=', issue.id);
    const [count, items] = await Promise.all([
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      base.selectAll().orderBy(order.orderBy, order.sort).orderBy('id', order.sort).offset(window.offset).limit(window.limit).execute(),
    ]);
    return { issue, total: Number(count.n), items };
  }

  async get(access: ProjectAccess, iid: number, noteId: number, db: Kysely<Schema> = this.db): Promise<{ issue: IssueRow; note: NoteRow }> {
    const { row: issue } = await this.issues.get(access, iid, db);
    const note = await db.selectFrom('issue_notes').selectAll().where('issue_id', '=', issue.id).where('id', '=', noteId).executeTakeFirst();
    if (!note) throw IssueErrors.NOTE_NOT_FOUND();
    return { issue, note };
  }

  async create(access: ProjectAccess, iid: number, body: string): Promise<{ issue: IssueRow; note: NoteRow }> {
    const text = validBody(body);
    return inTransaction(this.db, async (trx) => {
      const { row: issue } = await this.issues.get(access, iid, trx);
      const at = now();
      const note = await trx
        .insertInto('issue_notes')
        .values({ issue_id: issue.id, body: text, author_id: access.caller.user?.id ?? null, created_at: at, updated_at: at })
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('issues').set({ updated_at: at }).where('id', '=', issue.id).execute();
      await this.record(trx, access, issue, note, 'create');
      return { issue, note };
    });
  }

  /** Only the author edits a note, as GitLab. */
  async update(access: ProjectAccess, iid: number, noteId: number, body: string): Promise<{ issue: IssueRow; note: NoteRow }> {
    const text = validBody(body);
    return inTransaction(this.db, async (trx) => {
      const found = await this.get(access, iid, noteId, trx);
      if (!isAuthor(access, found.note.author_id)) throw IssueErrors.NOTE_NOT_OWN();
      const note = await trx.updateTable('issue_notes').set({ body: text, updated_at: now() }).where('id', '=', noteId).returningAll().executeTakeFirstOrThrow();
      await this.record(trx, access, found.issue, note, 'update');
      return { issue: found.issue, note };
    });
  }

  /** The author deletes their note; maintainers delete anyone's. */
  async delete(access: ProjectAccess, iid: number, noteId: number): Promise<void> {
    await inTransaction(this.db, async (trx) => {
      const found = await this.get(access, iid, noteId, trx);
      if (!isAuthor(access, found.note.author_id) && !can(access, 'issues:moderate')) throw IssueErrors.NOTE_NOT_OWN();
      await trx.deleteFrom('issue_notes').where('id', '=', noteId).execute();
      await this.record(trx, access, found.issue, found.note, 'delete');
    });
  }

  private async record(trx: Kysely<Schema>, access: ProjectAccess, issue: IssueRow, note: NoteRow, action: 'create' | 'update' | 'delete'): Promise<void> {
    await recordChange(trx, access.caller, issueEvent(noteEventName(issue, action), access.project.id, noteHook(access.caller, issue, note, action, this.publicUrl)));
  }
}
