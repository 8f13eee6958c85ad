import type { ExpressionBuilder, SqlBool, Expression } from 'kysely';
import { can, type ProjectAccess } from '../auth/policy.ts';
import type { Schema } from '../db/schema.ts';
import type { IssueRow } from './issue-record.ts';

/**
 * GitLab's rule for confidential issues: reporters and up see them, and so do their author and
 * their assignees, whatever their role. Everyone who may read the project sees the others.
 */
export function seesAllConfidential(access: ProjectAccess): boolean {
  return can(access, 'issues:read-confidential');
}

/** Whether the caller wrote it (an author who has left has no id, and owns nothing). */
export function isAuthor(access: ProjectAccess, authorId: number | null): boolean {
  return authorId !== null && authorId === access.caller.user?.id;
}

/** GitLab's rule for editing an issue (its text, state and links): its author, or a reporter and up. */
export function mayEditIssue(access: ProjectAccess, authorId: number | null): boolean {
  return isAuthor(access, authorId) || can(access, 'issues:manage');
}

export function maySee(access: ProjectAccess, row: IssueRow, assigneeIds: readonly number[]): boolean {
  if (row.confidential === 0 || seesAllConfidential(access)) return true;
  const me = access.caller.user?.id;
  return me !== undefined && (row.author_id === me || assigneeIds.includes(me));
}

/** The same rule as a condition on `issues`, for lists. */
export function visibleIssues(access: ProjectAccess): ((eb: ExpressionBuilder<Schema, 'issues'>) => Expression<SqlBool>) | null {
  if (seesAllConfidential(access)) return null;
  const me = access.caller.user?.id;
  return (eb) =>
    me === undefined
      ? eb('issues.confidential', '=', 0)
      : eb.or([
          eb('issues.confidential', '=', 0),
          eb('issues.author_id', '=', me),
          eb.exists(eb.selectFrom('issue_assignees').select('issue_assignees.user_id').whereRef('issue_assignees.issue_id', '=', 'issues.id').where('issue_assignees.user_id', '=', me)),
        ]);
}
