import type { Kysely, Selectable } from 'kysely';
import type { Schema } from '../db/schema.ts';
import type { IssuesTable } from './tables.ts';
import { groupedBy, groupOf } from '../shared/grouped-by.ts';

export type IssueRow = Selectable<IssuesTable>;

/** An issue with what lives in its side tables. */
export interface IssueRecord {
  row: IssueRow;
  labels: string[];
  assigneeIds: number[];
  notesCount: number;
}

/** The labels, assignees and note counts of several issues in three queries. */
export async function recordsOf(db: Kysely<Schema>, rows: IssueRow[]): Promise<IssueRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [labels, assignees, notes] = await Promise.all([
    db.selectFrom('issue_labels').select(['issue_id', 'label']).where('issue_id', 'in', ids).orderBy('label').execute(),
    db.selectFrom('issue_assignees').select(['issue_id', 'user_id']).where('issue_id', 'in', ids).orderBy('user_id').execute(),
    db
      .selectFrom('issue_notes')
      .select(['issue_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('issue_id', 'in', ids)
      .groupBy('issue_id')
      .execute(),
  ]);
  const labelsOf = groupedBy(labels, (l) => l.issue_id);
  const assigneesOf = groupedBy(assignees, (a) => a.issue_id);
  const notesOf = new Map(notes.map((n) => [n.issue_id, Number(n.n)]));
  return rows.map((row) => ({
    row,
    labels: groupOf(labelsOf, row.id).map((l) => l.label),
    assigneeIds: groupOf(assigneesOf, row.id).map((a) => Number(a.user_id)),
    notesCount: notesOf.get(row.id) ?? 0,
  }));
}
