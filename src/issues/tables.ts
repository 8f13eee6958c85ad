import type { Generated } from 'kysely';

export interface IssuesTable {
  id: Generated<number>;
  project_id: number;
  /** GitLab's iid: 1, 2, 3… per project. */
  iid: number;
  title: string;
  /** Markdown, stored as written; rendered sanitized when read. */
  description: string;
  state: 'opened' | 'closed';
  /** 1: only reporters and up, the author and the assignees see it. */
  confidential: number;
  /** YYYY-MM-DD, as GitLab. */
  due_date: string | null;
  author_id: number | null;
  closed_by_id: number | null;
  closed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface IssueLabelsTable {
  issue_id: number;
  label: string;
}

export interface IssueAssigneesTable {
  issue_id: number;
  user_id: number;
}

export interface IssueNotesTable {
  id: Generated<number>;
  issue_id: number;
  body: string;
  author_id: number | null;
  created_at: number;
  updated_at: number;
}

/** An issue's link to a model, version, experiment, run, pipeline or deployment of its project. */
export interface IssueLinksTable {
  id: Generated<number>;
  issue_id: number;
  project_id: number;
  target_type: 'model' | 'version' | 'experiment' | 'run' | 'pipeline' | 'deployment';
  /** The target's id as text: a run's is 32 hex digits, the others' integers. */
  target_id: string;
  created_at: number;
}

export interface IssueTables {
  issues: IssuesTable;
  issue_labels: IssueLabelsTable;
  issue_assignees: IssueAssigneesTable;
  issue_notes: IssueNotesTable;
  issue_links: IssueLinksTable;
}
