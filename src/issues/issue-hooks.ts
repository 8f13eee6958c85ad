import type { Caller } from '../auth/caller.ts';
import type { UserRow } from '../auth/users-service.ts';
import { issuePagePath } from '../shared/markdown-references.ts';
import type { IssueHook, IssueEventName, NoteHook } from './events.ts';
import type { IssueRecord, IssueRow } from './issue-record.ts';
import type { NoteRow } from './notes-service.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export type IssueAction = 'open' | 'update' | 'close' | 'reopen' | 'delete';
const PAST: Record<IssueAction, 'opened' | 'updated' | 'closed' | 'reopened' | 'deleted'> = { open: 'opened', update: 'updated', close: 'closed', reopen: 'reopened', delete: 'deleted' };

/** `issues.issue.closed`, or `issues.confidential_issue.closed` for a confidential one. */
export function issueEventName(row: IssueRow, action: IssueAction): IssueEventName {
  return `issues.${row.confidential === 1 ? 'confidential_issue' : 'issue'}.${PAST[action]}` as IssueEventName;
}

export function noteEventName(issue: IssueRow, action: 'create' | 'update' | 'delete'): IssueEventName {
  const past = action === 'create' ? 'created' : action === 'update' ? 'updated' : 'deleted';
  return `issues.${issue.confidential === 1 ? 'confidential_note' : 'note'}.${past}` as IssueEventName;
}

const hookUser = (u: UserRow) => ({ id: u.id, username: u.username, name: u.name });
const callerUser = (caller: Caller) => (caller.user ? { id: caller.user.id, username: caller.user.username, name: caller.user.name } : null);

/** GitLab's `issues_events` body for one change of an issue. */
export function issueHook(caller: Caller, record: IssueRecord, assignees: UserRow[], action: IssueAction, publicUrl: string, changes: IssueHook['changes'] = {}): IssueHook {
  const row = record.row;
  return {
    object_kind: 'issue',
    event_type: row.confidential === 1 ? 'confidential_issue' : 'issue',
    user: callerUser(caller),
    project: { id: row.project_id },
    object_attributes: {
      id: row.id,
      iid: row.iid,
      project_id: row.project_id,
      title: row.title,
      description: row.description,
      state: row.state,
      confidential: row.confidential === 1,
      due_date: row.due_date,
      author_id: row.author_id,
      closed_by_id: row.closed_by_id,
      created_at: iso(row.created_at)!,
      updated_at: iso(row.updated_at)!,
      closed_at: iso(row.closed_at),
      url: `${publicUrl}${issuePagePath(row.project_id, row.iid)}`,
      action,
    },
    labels: record.labels.map((title) => ({ title })),
    assignees: assignees.map(hookUser),
    changes,
  };
}

/** GitLab's `note_events` body for one change of a note on an issue. */
export function noteHook(caller: Caller, issue: IssueRow, note: NoteRow, action: 'create' | 'update' | 'delete', publicUrl: string): NoteHook {
  return {
    object_kind: 'note',
    event_type: issue.confidential === 1 ? 'confidential_note' : 'note',
    user: callerUser(caller),
    project: { id: issue.project_id },
    object_attributes: {
      id: note.id,
      note: note.body,
      noteable_type: 'Issue',
      noteable_id: issue.id,
      author_id: note.author_id,
      project_id: issue.project_id,
      created_at: iso(note.created_at)!,
      updated_at: iso(note.updated_at)!,
      url: `${publicUrl}${issuePagePath(issue.project_id, issue.iid)}#note_${note.id}`,
      action,
    },
    issue: { id: issue.id, iid: issue.iid, title: issue.title, state: issue.state, confidential: issue.confidential === 1 },
  };
}
