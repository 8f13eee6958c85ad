import { presentUser } from '../auth/present.ts';
import type { UserRow } from '../auth/users-service.ts';
import { renderMarkdown } from '../registry/model-card.ts';
import { issuePagePath } from '../shared/markdown-references.ts';
import type { IssueLinkNative, IssueNative, NoteNative } from './contract.ts';
import type { IssueRecord, IssueRow } from './issue-record.ts';
import type { LinkRow } from './links-service.ts';
import type { NoteRow } from './notes-service.ts';

/** Issues' rows as GitLab's Issues and Notes APIs answer them: the only place they become JSON. */

const iso = (ms: number) => new Date(ms).toISOString();
/** Issues have no files of their own: images in them become links or words (src/registry/card-images.ts). */
const NO_FILES = { filesBase: null };

/** Markdown of a project's issue or note, rendered and sanitized with the model cards' renderer. */
export function renderIssueMarkdown(text: string, projectId: number): string {
  return renderMarkdown(text, NO_FILES, { projectId });
}

function userOf(people: Map<number, UserRow>, id: number | null) {
  const row = id === null ? undefined : people.get(id);
  return row ? presentUser(row) : null;
}

export function presentIssue(record: IssueRecord, people: Map<number, UserRow>, publicUrl: string): IssueNative {
  const row = record.row;
  const assignees = record.assigneeIds
    .map((id) => people.get(id))
    .filter((u): u is UserRow => u !== undefined)
    .map(presentUser);
  return {
    id: row.id,
    iid: row.iid,
    project_id: row.project_id,
    title: row.title,
    description: row.description,
    description_html: renderIssueMarkdown(row.description, row.project_id),
    state: row.state,
    labels: record.labels,
    assignees,
    assignee: assignees[0] ?? null,
    author: userOf(people, row.author_id),
    closed_by: userOf(people, row.closed_by_id),
    closed_at: row.closed_at === null ? null : iso(row.closed_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    due_date: row.due_date,
    confidential: row.confidential === 1,
    user_notes_count: record.notesCount,
    issue_type: 'issue',
    type: 'ISSUE',
    web_url: `${publicUrl}${issuePagePath(row.project_id, row.iid)}`,
    references: { short: `#${row.iid}`, relative: `#${row.iid}`, full: `${row.project_id}#${row.iid}` },
  };
}

/** The users an issue names. */
export function peopleOfIssue(record: IssueRecord): (number | null)[] {
  return [record.row.author_id, record.row.closed_by_id, ...record.assigneeIds];
}

export function presentNote(note: NoteRow, issue: IssueRow, people: Map<number, UserRow>): NoteNative {
  return {
    id: note.id,
    type: null,
    body: note.body,
    body_html: renderIssueMarkdown(note.body, issue.project_id),
    author: userOf(people, note.author_id),
    created_at: iso(note.created_at),
    updated_at: iso(note.updated_at),
    system: false,
    noteable_id: issue.id,
    noteable_type: 'Issue',
    noteable_iid: issue.iid,
    project_id: issue.project_id,
    confidential: false,
    internal: false,
    resolvable: false,
  };
}

export function presentLink(link: { row: LinkRow; title: string }, iid: number): IssueLinkNative {
  return { id: link.row.id, issue_iid: iid, type: link.row.target_type, target_id: link.row.target_id, title: link.title, created_at: iso(link.row.created_at) };
}
