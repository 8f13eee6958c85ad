import { defineErrors } from '../shared/errors.ts';

/** Issues' named errors, in GitLab's words where GitLab answers the same. */
export const IssueErrors = defineErrors('issues', {
  ISSUE_NOT_FOUND: { kind: 'not_found', message: '404 Issue Not Found' },
  NOTE_NOT_FOUND: { kind: 'not_found', message: '404 Note Not Found' },
  LINK_NOT_FOUND: { kind: 'not_found', message: '404 Link Not Found' },
  LINK_TARGET_NOT_FOUND: { kind: 'not_found', message: ({ type, id }: { type: string; id: string }) => `404 ${type} ${id} Not Found in this project` },
  LINK_EXISTS: { kind: 'already_exists', message: ({ type, id }: { type: string; id: string }) => `The issue is already linked to ${type} ${id}` },
  TITLE_REQUIRED: { kind: 'invalid', message: 'title is missing' },
  INVALID_DUE_DATE: { kind: 'invalid', message: ({ value }: { value: string }) => `due_date "${value.slice(0, 20)}" is not a date (YYYY-MM-DD)` },
  ASSIGNEE_NOT_MEMBER: { kind: 'invalid', message: ({ id }: { id: number }) => `assignee ${id} is not a member of the project` },
  SAME_SCOPE_LABELS: { kind: 'invalid', message: ({ scope }: { scope: string }) => `Only one label of the scope "${scope}" may be set` },
  /** The matrix reads "higher role" as "the route was reached": the refusal is the issue's, not the route's. */
  EDIT_NEEDS_REPORTER: { kind: 'forbidden', message: "403 Forbidden: editing another person's issue needs the reporter role or a higher role" },
  NOTE_NOT_OWN: { kind: 'forbidden', message: "403 Forbidden: only the author can edit a note; deleting another person's note needs the maintainer role or a higher role" },
  EMPTY_NOTE: { kind: 'invalid', message: 'body is empty' },
  /** The review gate (docs/issues.md): a linked review issue must be closed first. */
  OPEN_REVIEW_ISSUE: {
    kind: 'conflict',
    message: ({ iid, title, label, action }: { iid: number; title: string; label: string; action: string }) =>
      `Cannot ${action}: linked issue #${iid} "${title.slice(0, 200)}" is labelled ${label} and still open; close it first`,
  },
});
