import { useState } from 'react';
import { api, formatTime } from '../api.ts';
import { apiPaths } from '../api-paths.ts';
import { ErrorLine, useAction } from '../components/action.tsx';
import { IssueLabels } from '../components/issue-labels.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { issuesPath, LINK_TYPES, REPORTER_LEVEL } from '../issues-model.ts';
import { PageTitle } from '../page-title.ts';
import { loadProject, powersOf } from '../project.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { IssueLinkNative, IssueNative, LinkType, NoteNative } from '../../../src/issues/contract.ts';

/** Where the UI shows a linked object, when it has a page. */
function linkTarget(projectId: number, link: IssueLinkNative): string | null {
  const base = `/projects/${projectId}`;
  switch (link.type) {
    case 'model':
      return `${base}/models/${link.target_id}`;
    case 'experiment':
      return `${base}/experiments/${link.target_id}`;
    case 'run':
      return `${base}/runs/${link.target_id}`;
    case 'pipeline':
      return `${base}/pipelines/${link.target_id}`;
    default:
      return null;
  }
}

/**
 * One issue: its rendered description (the server's sanitized HTML, the only HTML the page
 * inserts), its comments, what it is linked to, and the actions the caller may take.
 */
export function IssuePage({ projectId, iid }: { projectId: string; iid: string }) {
  const { user } = useSession();
  const [comment, setComment] = useState('');
  const [linkType, setLinkType] = useState<LinkType>('model');
  const [linkId, setLinkId] = useState('');
  const [labels, setLabels] = useState('');
  const [state, reload] = useLoad(['issue', projectId, iid], async () => {
    const project = await loadProject(projectId);
    const paths = apiPaths.project(project.id).issue(iid);
    const [issue, notes, links] = await Promise.all([api.get<IssueNative>(paths.self), api.page<NoteNative>(paths.notes({ sort: 'asc', per_page: 100 })), api.get<IssueLinkNative[]>(paths.links)]);
    return { project, paths, issue, notes, links };
  });
  const { error, act } = useAction(reload);
  return (
    <Show
      state={state}
      what="Loading the issue"
      missing={{
        title: 'Issue not found',
        message: `There is no issue ${iid} here, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}/issues`, label: 'Back to the issues' },
      }}
    >
      {({ project, paths, issue, notes, links }) => {
        const level = powersOf(project).level;
        const own = issue.author !== null && issue.author.id === user?.id;
        const mayEdit = level >= REPORTER_LEVEL || own;
        return (
          <section>
            <PageTitle parts={[`#${issue.iid} ${issue.title}`, project.name]} />
            <ProjectNav project={project} />
            <p>
              <Link to={issuesPath(project.id)}>Issues</Link>
            </p>
            <h1 data-testid="issue-title">
              <span className="muted">#{issue.iid}</span> {issue.title}{' '}
              <span className={`badge issue-${issue.state}`} data-testid="issue-state">
                {issue.state}
              </span>
              {issue.confidential && <span className="badge">confidential</span>}
            </h1>
            <p className="muted">
              Opened by {issue.author?.username ?? 'someone'} {formatTime(Date.parse(issue.created_at))}
              {issue.closed_by && ` · closed by ${issue.closed_by.username}`}
              {issue.due_date && ` · due ${issue.due_date}`}
              {issue.assignees.length > 0 && ` · assigned to ${issue.assignees.map((a) => a.username).join(', ')}`}
            </p>
            <p>
              <IssueLabels labels={issue.labels} />
            </p>
            <ErrorLine error={error} />
            {mayEdit && (
              <div className="toolbar">
                {issue.state === 'opened' ? (
                  <button onClick={() => act(() => api.put(paths.self, { state_event: 'close' }))}>Close issue</button>
                ) : (
                  <button onClick={() => act(() => api.put(paths.self, { state_event: 'reopen' }))}>Reopen issue</button>
                )}
                {level >= REPORTER_LEVEL && (
                  <>
                    <input aria-label="Add labels" placeholder="add labels, e.g. stage::doing" value={labels} onChange={(e) => setLabels(e.target.value)} />
                    <button onClick={() => act(() => api.put(paths.self, { add_labels: labels }).then(() => setLabels('')))}>Add labels</button>
                    {issue.labels.map((l) => (
                      <button key={l} className="link" onClick={() => act(() => api.put(paths.self, { remove_labels: l }))}>
                        remove {l}
                      </button>
                    ))}
                  </>
                )}
              </div>
            )}
            {issue.description_html ? (
              <div className="markdown" data-testid="issue-description" dangerouslySetInnerHTML={{ __html: issue.description_html }} />
            ) : (
              <p className="muted">No description.</p>
            )}

            <h2>Linked to</h2>
            {links.length === 0 ? (
              <Empty>Not linked to anything yet.</Empty>
            ) : (
              <ul data-testid="issue-links">
                {links.map((link) => {
                  const to = linkTarget(project.id, link);
                  return (
                    <li key={link.id}>
                      {link.type}: {to ? <Link to={to}>{link.title}</Link> : link.title}{' '}
                      {mayEdit && (
                        <button className="link" onClick={() => act(() => api.del(paths.link(link.id)))}>
                          unlink
                        </button>
                      )}
                    </li>
                  );
                })}
              </ul>
            )}
            {mayEdit && (
              <div className="toolbar">
                <select aria-label="Link type" value={linkType} onChange={(e) => setLinkType(e.target.value as LinkType)}>
                  {LINK_TYPES.map((t) => (
                    <option key={t} value={t}>
                      {t}
                    </option>
                  ))}
                </select>
                <input aria-label="Linked id" placeholder="id (a version's row id, a run's 32-hex id)" value={linkId} onChange={(e) => setLinkId(e.target.value)} />
                <button onClick={() => act(() => api.post(paths.links, { type: linkType, id: linkId.trim() }).then(() => setLinkId('')))}>Link</button>
              </div>
            )}

            <h2>Comments</h2>
            {notes.items.length === 0 ? (
              <Empty>No comments yet.</Empty>
            ) : (
              <ol className="notes" data-testid="issue-notes">
                {notes.items.map((note) => (
                  <li key={note.id} id={`note_${note.id}`}>
                    <p className="muted">
                      {note.author?.username ?? 'someone'} · {formatTime(Date.parse(note.created_at))}
                      {note.author?.id === user?.id && (
                        <button className="link" onClick={() => act(() => api.del(paths.note(note.id)))}>
                          delete
                        </button>
                      )}
                    </p>
                    <div className="markdown" dangerouslySetInnerHTML={{ __html: note.body_html }} />
                  </li>
                ))}
              </ol>
            )}
            {level >= 10 && (
              <div className="panel">
                <textarea aria-label="Comment" placeholder="Comment (Markdown)" rows={4} value={comment} onChange={(e) => setComment(e.target.value)} />
                <button onClick={() => act(() => api.post(paths.notes(), { body: comment }).then(() => setComment('')))}>Comment</button>
              </div>
            )}
          </section>
        );
      }}
    </Show>
  );
}
