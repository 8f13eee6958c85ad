import { useState } from 'react';
import { api } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from '../components/action.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Show, useLoad } from '../components/states.tsx';
import { boardColumns, boardPath, issuePath, issuesPath, REPORTER_LEVEL } from '../issues-model.ts';
import { PageTitle } from '../page-title.ts';
import { loadProject, powersOf } from '../project.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { IssueNative } from '../../../src/issues/contract.ts';

const NO_VALUE = '';

/**
 * The open issues as columns by the values of one scope (`stage::todo`, `stage::doing`, …). A
 * reporter moves a card with the select on it, which sets the scoped label (and so drops the
 * card's old value of the scope, as scoped labels do).
 */
export function IssueBoardPage({ projectId }: { projectId: string }) {
  const { query } = useLocation();
  const scope = query.get('scope') || 'stage';
  const [typed, setTyped] = useState(scope);
  const [newValue, setNewValue] = useState('');
  const [state, reload] = useLoad(['issue-board', projectId, scope], async () => {
    const project = await loadProject(projectId);
    const issues = await api.page<IssueNative>(apiPaths.project(project.id).issues({ state: 'opened', per_page: 100 }));
    return { project, issues: issues.items };
  });
  const { error, act } = useAction(reload);
  return (
    <Show state={state} what="Loading the board">
      {({ project, issues }) => {
        const columns = boardColumns(issues, scope);
        const values = [...columns.map((c) => c.value).filter((v): v is string => v !== null), ...(newValue.trim() && !columns.some((c) => c.value === newValue.trim()) ? [newValue.trim()] : [])];
        const mayMove = powersOf(project).level >= REPORTER_LEVEL;
        const move = (issue: IssueNative, value: string) => {
          const path = apiPaths.project(project.id).issue(issue.iid).self;
          const current = issue.labels.find((l) => l.startsWith(`${scope}::`));
          return act(() => api.put(path, value === NO_VALUE ? { remove_labels: current ?? '' } : { add_labels: `${scope}::${value}` }));
        };
        return (
          <section>
            <PageTitle parts={['Board', project.name]} />
            <ProjectNav project={project} />
            <h1>Issue board</h1>
            <div className="toolbar">
              <Link to={issuesPath(project.id)}>List</Link>
              <label>
                Columns by scope{' '}
                <input aria-label="Board scope" value={typed} onChange={(e) => setTyped(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && navigate(boardPath(project.id, typed.trim()))} />
              </label>
              {mayMove && <input aria-label="New column" placeholder="a new value" value={newValue} onChange={(e) => setNewValue(e.target.value)} />}
            </div>
            <ErrorLine error={error} />
            <div className="board" data-testid="issue-board">
              {columns.map((column) => (
                <div key={column.value ?? NO_VALUE} className="board-column" data-testid="board-column" aria-label={column.value === null ? `No ${scope}` : `${scope}::${column.value}`}>
                  <h3>
                    {column.value === null ? <span className="muted">no {scope}</span> : column.value} <span className="muted">{column.issues.length}</span>
                  </h3>
                  {column.issues.map((issue) => (
                    <div key={issue.id} className="board-card" data-testid="board-card">
                      <Link to={issuePath(project.id, issue.iid)}>
                        #{issue.iid} {issue.title}
                      </Link>
                      {mayMove && (
                        <select aria-label={`Move #${issue.iid}`} value={column.value ?? NO_VALUE} onChange={(e) => void move(issue, e.target.value)}>
                          <option value={NO_VALUE}>no {scope}</option>
                          {values.map((v) => (
                            <option key={v} value={v}>
                              {v}
                            </option>
                          ))}
                        </select>
                      )}
                    </div>
                  ))}
                </div>
              ))}
            </div>
          </section>
        );
      }}
    </Show>
  );
}
