import { useState } from 'react';
import { plural } from '../format.ts';
import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { Pager } from '../components/pager.tsx';
import { PipelinesTable } from '../components/pipelines-table.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { RunPipelineForm } from '../components/run-pipeline-form.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { CI_STATUSES, isUnfinished, type Pipeline } from '../pipelines-model.ts';
import { usePolling } from '../polling.ts';
import { loadProject, powersOf } from '../project.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';

const PER_PAGE = 20;

/** A project's pipelines, newest first; the filter and page live in the URL so a view can be shared. */
export function PipelinesPage({ projectId }: { projectId: string }) {
  const { path, query } = useLocation();
  const status = query.get('status') ?? '';
  const page = Math.max(1, Number(query.get('page')) || 1);
  const [running, setRunning] = useState(false);
  const [state, reload] = useLoad(['pipelines', projectId, status, page], async () => {
    const project = await loadProject(projectId);
    const pipelines = await api.page<Pipeline>(apiPaths.project(project.id).pipelines({ per_page: PER_PAGE, page, status: status || undefined }));
    return { project, pipelines };
  });
  // Statuses on the page move on by themselves while pipelines run.
  usePolling(state.status === 'ready' && state.data.pipelines.items.some((p) => isUnfinished(p.status)), 5000, reload);
  const go = (next: { status?: string; page?: number }) => {
    const params = new URLSearchParams();
    const s = next.status ?? status;
    if (s) params.set('status', s);
    if ((next.page ?? 1) > 1) params.set('page', String(next.page));
    const search = params.toString();
    navigate(`${path}${search ? `?${search}` : ''}`);
  };
  return (
    <Show state={state} what="Loading pipelines">
      {({ project, pipelines }) => (
        <section>
          <PageTitle parts={['Pipelines', project.name]} />
          <ProjectNav project={project} />
          <h1>Pipelines</h1>
          <div className="toolbar">
            <label>
              Status{' '}
              <select aria-label="Filter by status" value={status} onChange={(e) => go({ status: e.target.value, page: 1 })}>
                <option value="">all</option>
                {CI_STATUSES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </label>
            <span className="spacer" />
            {powersOf(project).canMaintain && <Link to={`/runners?project=${project.id}`}>Runners for this project</Link>}
            {powersOf(project).canWrite && !running && (
              <button className="primary" onClick={() => setRunning(true)}>
                New pipeline
              </button>
            )}
          </div>
          {running && <RunPipelineForm projectId={project.id} onClose={() => setRunning(false)} onStarted={(p) => navigate(`/projects/${project.id}/pipelines/${p.id}`)} />}
          {pipelines.items.length === 0 ? (
            <Empty>{status ? `No ${status} pipelines.` : 'No pipelines yet. Store a pipeline file in the project or link a repository, then run one.'}</Empty>
          ) : (
            <PipelinesTable projectId={project.id} pipelines={pipelines.items} label="Pipelines" />
          )}
          <Pager page={page} perPage={PER_PAGE} total={pipelines.total} onPage={(n) => go({ page: n })} />
          <p className="muted">{plural(pipelines.total, 'pipeline')}</p>
        </section>
      )}
    </Show>
  );
}
