import { useState } from 'react';
import { api, formatTime } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from '../components/action.tsx';
import { IssueLabels } from '../components/issue-labels.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { plural } from '../format.ts';
import { boardPath, issuePath, REPORTER_LEVEL } from '../issues-model.ts';
import { PageTitle } from '../page-title.ts';
import { loadProject, powersOf, type Project } from '../project.ts';
import { Link, navigate } from '../router.tsx';
import type { IssueNative } from '../../../src/issues/contract.ts';

type StateFilter = 'opened' | 'closed' | 'all';

/** A project's issues: open, closed or all, searched and filtered by label, and the form that opens one. */
export function IssuesPage({ projectId }: { projectId: string }) {
  const [filter, setFilter] = useState<StateFilter>('opened');
  const [search, setSearch] = useState('');
  const [labels, setLabels] = useState('');
  const [state] = useLoad(['issues', projectId, filter, search, labels], async () => {
    const project = await loadProject(projectId);
    const issues = await api.page<IssueNative>(apiPaths.project(project.id).issues({ state: filter, search: search || undefined, labels: labels || undefined, per_page: 100 }));
    return { project, issues };
  });
  return (
    <Show state={state} what="Loading issues">
      {({ project, issues }) => (
        <section>
          <PageTitle parts={['Issues', project.name]} />
          <ProjectNav project={project} />
          <h1>Issues</h1>
          <div className="toolbar">
            {(['opened', 'closed', 'all'] as const).map((s) => (
              <button key={s} className={s === filter ? 'active' : 'link'} onClick={() => setFilter(s)}>
                {s === 'opened' ? 'Open' : s === 'closed' ? 'Closed' : 'All'}
              </button>
            ))}
            <input className="search" aria-label="Search issues" placeholder="Search issues" defaultValue={search} onKeyDown={(e) => e.key === 'Enter' && setSearch(e.currentTarget.value)} />
            <input aria-label="Filter by labels" placeholder="labels, comma-separated" defaultValue={labels} onKeyDown={(e) => e.key === 'Enter' && setLabels(e.currentTarget.value)} />
            <Link to={boardPath(project.id)}>Board</Link>
          </div>
          {issues.items.length === 0 ? (
            <Empty>{search || labels ? 'No issue matches.' : 'No issues here.'}</Empty>
          ) : (
            <table className="grid" data-testid="issues">
              <thead>
                <tr>
                  <th>Issue</th>
                  <th>Labels</th>
                  <th>Assignees</th>
                  <th>Author</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {issues.items.map((issue) => (
                  <tr key={issue.id}>
                    <td>
                      <Link to={issuePath(project.id, issue.iid)}>
                        #{issue.iid} {issue.title}
                      </Link>{' '}
                      {issue.confidential && <span className="badge">confidential</span>}
                      {issue.state === 'closed' && <span className="badge issue-closed">closed</span>}
                    </td>
                    <td>
                      <IssueLabels labels={issue.labels} />
                    </td>
                    <td>{issue.assignees.map((a) => a.username).join(', ')}</td>
                    <td>{issue.author?.username ?? ''}</td>
                    <td>{formatTime(Date.parse(issue.updated_at))}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">{plural(issues.total, 'issue')}</p>
          <NewIssueForm project={project} />
        </section>
      )}
    </Show>
  );
}

/** Guests and up open issues; reporters and up also label them. */
function NewIssueForm({ project }: { project: Project }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [labels, setLabels] = useState('');
  const [confidential, setConfidential] = useState(false);
  const { error, act } = useAction(() => undefined);
  const level = powersOf(project).level;
  if (level < 10) return null;
  const submit = () =>
    act(async () => {
      const created = await api.post<IssueNative>(apiPaths.project(project.id).issues(), { title, description, confidential, ...(labels.trim() ? { labels } : {}) });
      navigate(issuePath(project.id, created.iid));
    });
  return (
    <form
      className="panel new-issue"
      aria-label="New issue"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h2>New issue</h2>
      <ErrorLine error={error} />
      <input aria-label="Title" placeholder="Title" value={title} onChange={(e) => setTitle(e.target.value)} required />
      <textarea aria-label="Description" placeholder="Description (Markdown; #12 and model:name/3 become links)" rows={5} value={description} onChange={(e) => setDescription(e.target.value)} />
      {level >= REPORTER_LEVEL && <input aria-label="Labels" placeholder="labels, e.g. stage::todo, review::required" value={labels} onChange={(e) => setLabels(e.target.value)} />}
      <label>
        <input type="checkbox" checked={confidential} onChange={(e) => setConfidential(e.target.checked)} /> Confidential (reporters and up, you and the assignees)
      </label>
      <button type="submit">Open issue</button>
    </form>
  );
}
