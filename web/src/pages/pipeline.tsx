import { useState } from 'react';
import { ModelVersionLink } from '../components/model-version-link.tsx';
import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { CiStatus } from '../components/ci-status.tsx';
import { PipelineGraph } from '../components/pipeline-graph.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { actionError, formatDuration, formatIso, isUnfinished, type Job, type Pipeline } from '../pipelines-model.ts';
import { usePolling } from '../polling.ts';
import { loadProject, powersOf } from '../project.ts';
import { Link } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';

/** One pipeline: its graph, its file's errors when it could not start, and cancel/retry. */
export function PipelinePage({ projectId, pipelineId }: { projectId: string; pipelineId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [state, reload] = useLoad(['pipeline', projectId, pipelineId], async () => {
    const project = await loadProject(projectId);
    const paths = apiPaths.project(project.id).pipeline(pipelineId);
    const [pipeline, jobs] = await Promise.all([api.get<Pipeline>(paths.self), api.get<Job[]>(paths.jobs)]);
    return { project, paths, pipeline, jobs };
  });
  usePolling(state.status === 'ready' && isUnfinished(state.data.pipeline.status), 2000, reload);
  return (
    <Show
      state={state}
      what="Loading the pipeline"
      missing={{
        title: 'Pipeline not found',
        message: `There is no pipeline ${pipelineId} in this project, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}/pipelines`, label: 'Back to the pipelines' },
      }}
    >
      {({ project, paths, pipeline, jobs }) => {
        const canRun = powersOf(project).canWrite;
        const act = async (action: 'cancel' | 'retry') => {
          setBusy(true);
          setError(null);
          try {
            await api.post(paths.action(action));
            reload();
          } catch (e) {
            setError(actionError(e, `${action} pipelines`));
          } finally {
            setBusy(false);
          }
        };
        const cancelable = isUnfinished(pipeline.status) || jobs.some((j) => isUnfinished(j.status));
        const retryable = jobs.some((j) => j.status === 'failed' || j.status === 'canceled');
        return (
          <section>
            <PageTitle parts={[`Pipeline #${pipeline.id}`, project.name]} />
            <ProjectNav project={project} />
            <h1>
              Pipeline #{pipeline.id} <CiStatus status={pipeline.status} testId="pipeline-status" />
            </h1>
            <p className="muted">
              {pipeline.source.replace('_', ' ')} pipeline for <code>{pipeline.ref}</code>
              {pipeline.sha && (
                <>
                  {' '}
                  at <code>{pipeline.sha.slice(0, 8)}</code> {pipeline.commit_title}
                </>
              )}{' '}
              · created {formatIso(pipeline.created_at)}
              {pipeline.duration !== null && ` · ran ${formatDuration(pipeline.duration)}`}
              {pipeline.model_version_id !== null && (
                <span data-testid="pipeline-model-version">
                  {' · for '}
                  <ModelVersionLink projectId={project.id} versionId={pipeline.model_version_id} />
                </span>
              )}
            </p>
            {canRun && (cancelable || retryable) && (
              <div className="toolbar">
                {cancelable && (
                  <button className="reject" disabled={busy} onClick={() => act('cancel')}>
                    Cancel pipeline
                  </button>
                )}
                {retryable && (
                  <button disabled={busy} onClick={() => act('retry')}>
                    Retry failed jobs
                  </button>
                )}
              </div>
            )}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {pipeline.yaml_errors && <YamlErrors pipeline={pipeline} />}
            {jobs.length === 0 ? !pipeline.yaml_errors && <Empty>This pipeline has no jobs.</Empty> : <PipelineGraph projectId={project.id} jobs={jobs} />}
            <p>
              <Link to={`/projects/${project.id}/pipelines`}>← All pipelines</Link>
            </p>
          </section>
        );
      }}
    </Show>
  );
}

/** A pipeline whose file did not compile ran nothing; the errors are the whole story, so they lead. */
function YamlErrors({ pipeline }: { pipeline: Pipeline }) {
  const lines = pipeline.yaml_error_details.length > 0 ? pipeline.yaml_error_details.map((e) => `line ${e.line}, column ${e.column}: ${e.message}`) : (pipeline.yaml_errors ?? '').split('\n');
  return (
    <div className="yaml-errors" role="alert" data-testid="yaml-errors">
      <strong>The pipeline file has errors; no job ran.</strong>
      <ul>
        {lines.map((line, i) => (
          <li key={i}>
            <code>{line}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
