import { PageTitle } from '../page-title.ts';
import { useState } from 'react';
import { api } from '../api.ts';
import { CiStatus } from '../components/ci-status.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { actionError, type Gpu, type Runner } from '../pipelines-model.ts';
import { formatAgo } from '../format.ts';
import { usePolling } from '../polling.ts';
import type { UserAsAdminSees } from '../../../src/auth/contract.ts';
import type { ProjectNative } from '../../../src/projects/contract.ts';
import { useLocation } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';

// Who may manage a runner: its project's maintainers; instance runners only administrators.
const RUNNER_ROLE = "the maintainer role in the runner's project (administrators for instance runners)";
const gib = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;

function GpuList({ gpus }: { gpus: Gpu[] }) {
  if (gpus.length === 0) return <span className="muted">none reported</span>;
  return (
    <ul className="gpus">
      {gpus.map((g, i) => (
        <li key={i}>
          {g.name}
          {g.memory_mib !== undefined && <span className="muted"> · {gib(g.memory_mib)}</span>}
          {g.driver && <span className="muted"> · driver {g.driver}</span>}
        </li>
      ))}
    </ul>
  );
}

/**
 * The runners the signed-in person manages (every runner for administrators): their health,
 * tags and GPUs, pause/resume and delete, and a form that creates one and shows its token once.
 */
export function RunnersPage() {
  const { query } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [state, reload] = useLoad(['runners'], async () => {
    const [runners, me] = await Promise.all([api.page<Runner>(apiPaths.runners({ per_page: 100 })), api.get<UserAsAdminSees>(apiPaths.currentUser)]);
    // Administrators may attach a runner to any project; others only to their own.
    const projects = await api.get<ProjectNative[]>(apiPaths.projects({ per_page: 100, order_by: 'path', sort: 'asc', membership: me.is_admin ? undefined : true }));
    return { runners, isAdmin: me.is_admin, projects };
  });
  // "Last contact" and online/offline move on their own.
  usePolling(state.status === 'ready', 10_000, reload);
  const act = async (work: () => Promise<unknown>, what: string) => {
    setError(null);
    try {
      await work();
      reload();
    } catch (e) {
      setError(actionError(e, what, RUNNER_ROLE));
    }
  };
  return (
    <section>
      <PageTitle parts={['Runners']} />
      <h1>Runners</h1>
      <p className="muted">
        Machines that take jobs. Start one with <code>modelyard runner --url {window.location.origin} --token &lt;token&gt;</code>.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <Show state={state} what="Loading runners">
        {({ runners, isAdmin, projects }) => (
          <>
            {runners.items.length === 0 ? (
              <Empty>No runners you manage yet. Create one below; administrators see every runner here.</Empty>
            ) : (
              <table className="grid" aria-label="Runners">
                <thead>
                  <tr>
                    <th>Runner</th>
                    <th>Status</th>
                    <th>Scope</th>
                    <th>Tags</th>
                    <th>GPUs</th>
                    <th>Version</th>
                    <th>Last contact</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {runners.items.map((r) => (
                    <tr key={r.id} data-testid={`runner-${r.id}`}>
                      <td>
                        <strong>#{r.id}</strong> {r.description || <span className="muted">no description</span>}
                      </td>
                      <td>
                        <CiStatus status={r.status} />
                      </td>
                      <td>{r.runner_type === 'instance_type' ? 'instance' : `project ${projects.find((p) => p.id === r.project_id)?.name ?? `#${r.project_id}`}`}</td>
                      <td>
                        {r.tag_list.map((t) => (
                          <span key={t} className="label">
                            {t}
                          </span>
                        ))}
                        {r.run_untagged && <span className="muted">+ untagged</span>}
                      </td>
                      <td>
                        <GpuList gpus={r.gpus} />
                      </td>
                      <td>
                        {r.version ?? '—'}
                        {r.platform && <div className="muted">{[r.platform, r.architecture].filter(Boolean).join('/')}</div>}
                      </td>
                      <td title={r.contacted_at ?? ''}>{formatAgo(r.contacted_at)}</td>
                      <td className="actions">
                        <button onClick={() => act(() => api.put(apiPaths.runner(r.id), { paused: !r.paused }), 'change runners')}>{r.paused ? 'Resume' : 'Pause'}</button>
                        {confirming === r.id ? (
                          <>
                            <button className="reject" onClick={() => act(() => api.del(apiPaths.runner(r.id)).then(() => setConfirming(null)), 'delete runners')}>
                              Really delete
                            </button>
                            <button className="link" onClick={() => setConfirming(null)}>
                              keep
                            </button>
                          </>
                        ) : (
                          <button onClick={() => setConfirming(r.id)}>Delete</button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>New runner</h2>
            <CreateRunner isAdmin={isAdmin} projects={projects} initialProject={query.get('project')} onCreated={reload} />
          </>
        )}
      </Show>
    </section>
  );
}

function CreateRunner({ isAdmin, projects, initialProject, onCreated }: { isAdmin: boolean; projects: ProjectNative[]; initialProject: string | null; onCreated: () => void }) {
  const [type, setType] = useState<'instance_type' | 'project_type'>(isAdmin && !initialProject ? 'instance_type' : 'project_type');
  const [project, setProject] = useState(initialProject ?? String(projects[0]?.id ?? ''));
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [created, setCreated] = useState<{ id: number; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      {created && (
        <div className="notice" data-testid="new-runner-token">
          Runner #{created.id} created. Copy its token now; it will not be shown again: <code>{created.token}</code>{' '}
          <button className="link" onClick={() => setCreated(null)}>
            done
          </button>
        </div>
      )}
      <form
        className="toolbar"
        aria-label="New runner"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const body = {
              runner_type: type,
              ...(type === 'project_type' ? { project_id: Number(project) } : {}),
              description,
              tag_list: tags
                .split(',')
                .map((t) => t.trim())
                .filter(Boolean),
            };
            setCreated(await api.post<{ id: number; token: string }>(apiPaths.createRunner, body));
            setDescription('');
            setTags('');
            onCreated();
          } catch (err) {
            setError(actionError(err, 'create this runner', RUNNER_ROLE));
          }
        }}
      >
        <select aria-label="Runner scope" value={type} onChange={(e) => setType(e.target.value as typeof type)}>
          {isAdmin && <option value="instance_type">every project (instance)</option>}
          <option value="project_type">one project</option>
        </select>
        {type === 'project_type' && (
          <select aria-label="Runner project" value={project} onChange={(e) => setProject(e.target.value)} required>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        )}
        <input aria-label="Runner description" placeholder="description" value={description} onChange={(e) => setDescription(e.target.value)} />
        <input aria-label="Runner tags" placeholder="tags: gpu, a100" value={tags} onChange={(e) => setTags(e.target.value)} />
        <button type="submit" className="primary">
          Create runner
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
