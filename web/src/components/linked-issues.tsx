import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { issuePath } from '../issues-model.ts';
import { Link } from '../router.tsx';
import type { IssueNative } from '../../../src/issues/contract.ts';
import type { LinkType } from '../../../src/issues/contract.ts';
import { IssueLabels } from './issue-labels.tsx';
import { Empty, Show, useLoad } from './states.tsx';

/** The issues linked to a model, version, run or deployment: the other direction of an issue's links. */
export function LinkedIssues({ projectId, type, targetId }: { projectId: number; type: LinkType; targetId: string | number }) {
  const [state] = useLoad(['linked-issues', projectId, type, String(targetId)], () => api.get<IssueNative[]>(apiPaths.project(projectId).linkedIssues(type, targetId)));
  return (
    <Show state={state} what="Loading linked issues">
      {(issues) =>
        issues.length === 0 ? (
          <Empty>No linked issues.</Empty>
        ) : (
          <ul className="linked-issues" data-testid="linked-issues">
            {issues.map((issue) => (
              <li key={issue.id}>
                <Link to={issuePath(projectId, issue.iid)}>
                  #{issue.iid} {issue.title}
                </Link>{' '}
                <span className={`badge issue-${issue.state}`}>{issue.state}</span> <IssueLabels labels={issue.labels} />
              </li>
            ))}
          </ul>
        )
      }
    </Show>
  );
}
