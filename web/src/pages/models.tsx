import { useState } from 'react';
import { plural } from '../format.ts';
import { PageTitle } from '../page-title.ts';
import { api, formatTime } from '../api.ts';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject, powersOf } from '../project.ts';
import { HubImportDialog } from '../components/hub-import-dialog.tsx';
import { VertexImportDialog } from '../components/vertex-import-dialog.tsx';
import { Link } from '../router.tsx';
import type { ModelNative } from '../../../src/registry/contract.ts';
import { apiPaths } from '../api-paths.ts';

export function ModelsPage({ projectId }: { projectId: string }) {
  const [search, setSearch] = useState('');
  const [importing, setImporting] = useState<'hub' | 'vertex' | null>(null);
  const [state, reload] = useLoad(['models', projectId, search], async () => {
    const project = await loadProject(projectId);
    const models = await api.page<ModelNative>(apiPaths.project(project.id).models({ per_page: 100, search: search || undefined }));
    return { project, models };
  });
  const closeImport = () => {
    setImporting(null);
    reload();
  };
  return (
    <Show state={state} what="Loading models">
      {({ project, models }) => (
        <section>
          <PageTitle parts={['Models', project.name]} />
          <ProjectNav project={project} />
          <h1>Models</h1>
          {powersOf(project).canWrite && (
            <div className="toolbar">
              <button type="button" onClick={() => setImporting('hub')}>
                Import from Hugging Face
              </button>
              <button type="button" onClick={() => setImporting('vertex')}>
                Import from Vertex AI
              </button>
            </div>
          )}
          <HubImportDialog projectId={project.id} open={importing === 'hub'} onClose={closeImport} />
          <VertexImportDialog projectId={project.id} open={importing === 'vertex'} onClose={closeImport} />
          <input className="search" aria-label="Search models" placeholder="Search models" defaultValue={search} onKeyDown={(e) => e.key === 'Enter' && setSearch(e.currentTarget.value)} />
          {models.items.length === 0 ? (
            <Empty>{search ? 'No model matches.' : 'No registered models yet.'}</Empty>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Model</th>
                  <th>Latest version</th>
                  <th>Aliases</th>
                  <th>Labels</th>
                  <th>Updated</th>
                </tr>
              </thead>
              <tbody>
                {models.items.map((m) => (
                  <tr key={m.id}>
                    <td>
                      <Link to={`/projects/${project.id}/models/${m.id}`}>{m.name}</Link>
                    </td>
                    <td>{m.latest_version ? `v${m.latest_version.version} (${m.latest_version.semver})` : '—'}</td>
                    <td>{m.aliases.map((a) => `${a.alias} → v${a.version}`).join(', ')}</td>
                    <td>
                      {m.labels.map((l) => (
                        <span key={l} className="label">
                          {l}
                        </span>
                      ))}
                    </td>
                    <td>{formatTime(m.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">{plural(models.total, 'model')}</p>
        </section>
      )}
    </Show>
  );
}
