import { useState } from 'react';
import { PageTitle } from '../page-title.ts';
import { api, formatTime } from '../api.ts';
import { CardView } from '../components/card-view.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { LinkedIssues } from '../components/linked-issues.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject, powersOf } from '../project.ts';
import { Link } from '../router.tsx';
import type { ModelNative, VersionNative } from '../../../src/registry/contract.ts';
import { apiPaths } from '../api-paths.ts';

export function ModelPage({ projectId, modelId }: { projectId: string; modelId: string }) {
  const [state, reload] = useLoad(['model', projectId, modelId], async () => {
    const project = await loadProject(projectId);
    const [model, versions] = await Promise.all([
      api.get<ModelNative>(apiPaths.project(project.id).model(modelId).self),
      api.page<VersionNative>(apiPaths.project(project.id).model(modelId).versions({ per_page: 100 })),
    ]);
    return { project, model, versions };
  });
  const [alias, setAlias] = useState({ name: '', version: '' });
  const [label, setLabel] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <Show
      state={state}
      what="Loading the model"
      missing={{
        title: 'Model not found',
        message: `There is no model ${modelId} in this project, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}/models`, label: 'Back to the models' },
      }}
    >
      {({ project, model, versions }) => {
        const powers = powersOf(project);
        const paths = apiPaths.project(project.id).model(model.id);
        const act = async (work: () => Promise<unknown>) => {
          setError(null);
          try {
            await work();
            reload();
          } catch (e) {
            setError((e as Error).message);
          }
        };
        return (
          <section>
            <PageTitle parts={[model.name, 'Models', project.name]} />
            <ProjectNav project={project} />
            <h1>{model.name}</h1>
            <p>
              {model.labels.map((l) => (
                <span key={l} className="label">
                  {l}
                  {powers.canWrite && (
                    <button className="link" aria-label={`Remove label ${l}`} onClick={() => act(() => api.del(paths.label(l)))}>
                      ×
                    </button>
                  )}
                </span>
              ))}
            </p>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <CardView card={model.card} />
            <h2>Issues</h2>
            <LinkedIssues projectId={project.id} type="model" targetId={model.id} />
            <h2>Versions</h2>
            {versions.items.length === 0 ? (
              <Empty>No versions yet.</Empty>
            ) : (
              <table className="grid">
                <thead>
                  <tr>
                    <th>Version</th>
                    <th>Semver</th>
                    <th>Aliases</th>
                    <th>Labels</th>
                    <th>Approval</th>
                    <th>Stage</th>
                    <th>Created</th>
                  </tr>
                </thead>
                <tbody>
                  {versions.items.map((v) => (
                    <tr key={v.id}>
                      <td>
                        <Link to={`/projects/${project.id}/models/${model.id}/versions/${v.version}`}>v{v.version}</Link>
                      </td>
                      <td>{v.semver}</td>
                      <td>{v.aliases.join(', ')}</td>
                      <td>
                        {v.labels.map((l) => (
                          <span key={l} className="label">
                            {l}
                          </span>
                        ))}
                      </td>
                      <td>
                        <span className={`badge approval-${v.approval_status}`}>{v.approval_status}</span>
                      </td>
                      <td>{v.current_stage}</td>
                      <td>{formatTime(v.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {powers.canWrite && (
              <div className="forms">
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(() => api.put(paths.alias(alias.name), { version: Number(alias.version) }));
                  }}
                >
                  <h3>Set an alias</h3>
                  <input aria-label="Alias name" placeholder="champion" value={alias.name} onChange={(e) => setAlias({ ...alias, name: e.target.value })} required />
                  <input aria-label="Alias version" placeholder="version" type="number" min={1} value={alias.version} onChange={(e) => setAlias({ ...alias, version: e.target.value })} required />
                  <button type="submit">Set alias</button>
                </form>
                <form
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(() => api.post(paths.labels, { label }));
                  }}
                >
                  <h3>Add a label</h3>
                  <input aria-label="Label" placeholder="stage::staging" value={label} onChange={(e) => setLabel(e.target.value)} required />
                  <button type="submit">Add label</button>
                </form>
              </div>
            )}
            <h2>Aliases</h2>
            {model.aliases.length === 0 ? (
              <Empty>No aliases.</Empty>
            ) : (
              <ul>
                {model.aliases.map((a) => (
                  <li key={a.alias}>
                    <code>
                      models:/{model.name}@{a.alias}
                    </code>{' '}
                    → v{a.version}
                    {powers.canWrite && (
                      <button className="link" onClick={() => act(() => api.del(paths.alias(a.alias)))}>
                        delete
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </section>
        );
      }}
    </Show>
  );
}
