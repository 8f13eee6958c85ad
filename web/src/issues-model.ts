import type { IssueNative, LinkType } from '../../src/issues/contract.ts';

/** Where the UI shows an issue, the list, and the board. */
export const issuePath = (projectId: number, iid: number) => `/projects/${projectId}/issues/${iid}`;
export const issuesPath = (projectId: number) => `/projects/${projectId}/issues`;
export const boardPath = (projectId: number, scope?: string) => `/projects/${projectId}/issues/board${scope ? `?scope=${encodeURIComponent(scope)}` : ''}`;

/** What an issue links to, in the order the link form offers them (the server's contract says the same). */
export const LINK_TYPES: readonly LinkType[] = ['model', 'version', 'experiment', 'run', 'pipeline', 'deployment'];

/** Reporters and up label, assign and edit anyone's issue (GitLab's rule; the server decides). */
export const REPORTER_LEVEL = 20;

/** The value of an issue's label of a scope (`stage::doing` → `doing`), or null. */
export function scopeValue(issue: Pick<IssueNative, 'labels'>, scope: string): string | null {
  const prefix = `${scope}::`;
  const label = issue.labels.find((l) => l.startsWith(prefix) && !l.slice(prefix.length).includes('::'));
  return label === undefined ? null : label.slice(prefix.length);
}

/** The board's columns: the values of the scope the issues carry, in first-seen order, then the issues without one. */
export function boardColumns(issues: IssueNative[], scope: string): { value: string | null; issues: IssueNative[] }[] {
  const values: string[] = [];
  for (const issue of issues) {
    const value = scopeValue(issue, scope);
    if (value !== null && !values.includes(value)) values.push(value);
  }
  values.sort();
  return [
    ...values.map((value) => ({ value: value as string | null, issues: issues.filter((i) => scopeValue(i, scope) === value) })),
    { value: null, issues: issues.filter((i) => scopeValue(i, scope) === null) },
  ];
}
