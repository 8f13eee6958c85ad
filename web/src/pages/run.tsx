import { PageTitle } from '../page-title.ts';
import { api, formatTime } from '../api.ts';
import { ArtifactBrowser } from '../components/artifact-browser.tsx';
import { RunMetricGrid } from '../components/run-metric-grid.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { LinkedIssues } from '../components/linked-issues.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { RunLoggedModels } from '../components/run-logged-models.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject, powersOf } from '../project.ts';
import { RunEditor } from '../components/run-editor.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import type { ExperimentNative, RunLoggedModelNative, RunNative } from '../../../src/tracking/contract.ts';
import { formatDuration, runDuration, secondsOf } from '../format.ts';
import { NumberText } from '../components/number-text.tsx';
import { apiPaths } from '../api-paths.ts';
import { LIVE_SERIES_MS } from '../live-series.ts';
import { usePolling } from '../polling.ts';
import { queryClient } from '../query-client.ts';

type Tab = 'overview' | 'metrics' | 'params' | 'tags' | 'inputs' | 'artifacts';

/** The compare page loads its series through here. */
export { loadSeries } from '../metric-series.ts';

const TABS: Tab[] = ['overview', 'metrics', 'params', 'tags', 'inputs', 'artifacts'];

/** The open tab is in the address (`?tab=metrics`), so a reload or a link opens it again. */
function tabOf(query: URLSearchParams): Tab {
  const tab = query.get('tab');
  return TABS.find((t) => t === tab) ?? 'overview';
}

export function RunPage({ projectId, runId }: { projectId: string; runId: string }) {
  const { path, query } = useLocation();
  const tab = tabOf(query);
  const setTab = (t: Tab) => {
    // The charts' settings stay in the address, so going back to the metrics tab finds them.
    const next = new URLSearchParams(query);
    if (t === 'overview') next.delete('tab');
    else next.set('tab', t);
    const search = next.toString();
    navigate(search ? `${path}?${search}` : path);
  };
  const key = ['run', projectId, runId];
  const [state, reload] = useLoad(key, async () => {
    const project = await loadProject(projectId);
    const run = await api.get<RunNative>(apiPaths.project(project.id).run(runId).self);
    const [versions, loggedModels, experiment] = await Promise.all([
      api.get<{ model_name: string; version: number; semver: string }[]>(apiPaths.project(project.id).run(runId).modelVersions),
      api.get<RunLoggedModelNative[]>(apiPaths.project(project.id).run(runId).loggedModels),
      api.get<ExperimentNative>(apiPaths.project(project.id).experiment(run.experiment_id)).catch(() => null),
    ]);
    return { project, run, versions, loggedModels, experiment };
  });
  // While the run runs, only the run itself is read again (its status, its metrics' latest
  // values and keys): the charts follow their own series, and nothing else on the page moves.
  const running = state.status === 'ready' && state.data.run.status === 'RUNNING';
  usePolling(running, LIVE_SERIES_MS, () => {
    if (state.status !== 'ready') return;
    void api.get<RunNative>(apiPaths.project(state.data.project.id).run(runId).self).then(
      (run) => queryClient.setQueryData(key, (old: typeof state.data | undefined) => old && { ...old, run }),
      () => undefined, // a failed tick leaves the page as it was; the next one tries again
    );
  });
  return (
    <Show
      state={state}
      what="Loading the run"
      missing={{
        title: 'Run not found',
        message: `There is no run ${runId} in this project, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}`, label: 'Back to the project' },
      }}
    >
      {({ project, run, versions, loggedModels, experiment }) => {
        const artifactRoot = run.artifact_uri.replace(/^mlflow-artifacts:\//, '');
        return (
          <section>
            <PageTitle parts={[run.name, 'Run', project.name]} />
            <ProjectNav project={project} />
            <h1>
              {run.name} <span className={`badge status-${run.status.toLowerCase()}`}>{run.status}</span>
            </h1>
            <RunEditor projectId={project.id} run={run} canWrite={powersOf(project).canWrite} onChanged={reload} />
            <LinkedIssues projectId={project.id} type="run" targetId={run.id} />
            <nav className="tabs" role="tablist">
              {TABS.map((t) => (
                <button key={t} role="tab" aria-selected={tab === t} className={tab === t ? 'active' : ''} onClick={() => setTab(t)}>
                  {t}
                </button>
              ))}
            </nav>
            {tab === 'overview' && (
              <dl className="facts">
                <dt>Run id</dt>
                <dd>
                  <code>{run.id}</code>
                </dd>
                <dt>Experiment</dt>
                <dd>
                  <Link to={`/projects/${project.id}/experiments/${run.experiment_id}`}>{experiment?.name ?? `Experiment ${run.experiment_id}`}</Link>
                </dd>
                <dt>User</dt>
                <dd>{run.user_id}</dd>
                <dt>Started</dt>
                <dd>{formatTime(run.start_time)}</dd>
                <dt>Ended</dt>
                <dd>{formatTime(run.end_time)}</dd>
                <dt>Duration</dt>
                <dd data-testid="run-duration">{formatDuration(secondsOf(runDuration(run))) || '—'}</dd>
                <dt>Git commit</dt>
                <dd>{run.tags['mlflow.source.git.commit'] ?? '—'}</dd>
                <dt>CI job</dt>
                <dd>{run.ci_job_id !== null ? <Link to={`/projects/${project.id}/jobs/${run.ci_job_id}`}>#{run.ci_job_id}</Link> : (run.tags['gitlab.CI_JOB_ID'] ?? '—')}</dd>
                <dt>Registered as</dt>
                <dd>
                  {versions.length === 0
                    ? '—'
                    : versions.map((v, i) => (
                        <span key={`${v.model_name}-${v.version}`}>
                          {i > 0 && ', '}
                          <Link to={`/projects/${project.id}#/models/${encodeURIComponent(v.model_name)}/versions/${v.version}`}>
                            {v.model_name} v{v.version}
                          </Link>{' '}
                          <span className="muted">({v.semver})</span>
                        </span>
                      ))}
                </dd>
                <dt>Latest metrics</dt>
                <dd data-testid="latest-metrics">
                  {run.metrics.length === 0
                    ? '—'
                    : run.metrics.map((m, i) => (
                        <span key={m.key}>
                          {i > 0 && ', '}
                          {m.key}=<NumberText value={m.value} />
                        </span>
                      ))}
                </dd>
              </dl>
            )}
            {tab === 'metrics' && (run.metrics.length === 0 ? <Empty>No metrics logged.</Empty> : <RunMetricGrid projectId={project.id} run={run} />)}
            {tab === 'params' && <KeyValues values={run.params} empty="No params logged." />}
            {tab === 'tags' && <KeyValues values={run.tags} empty="No tags." />}
            {tab === 'inputs' &&
              (run.inputs.length === 0 ? (
                <Empty>No dataset inputs.</Empty>
              ) : (
                <table className="grid">
                  <thead>
                    <tr>
                      <th>Dataset</th>
                      <th>Digest</th>
                      <th>Source</th>
                      <th>Context</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.inputs.map((d) => (
                      <tr key={`${d.name}-${d.digest}`}>
                        <td>{d.name}</td>
                        <td>
                          <code>{d.digest}</code>
                        </td>
                        <td>
                          {d.source_type}: {d.source}
                        </td>
                        <td>{d.tags['mlflow.data.context'] ?? ''}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ))}
            {tab === 'artifacts' && (
              <>
                <RunLoggedModels projectId={project.id} models={loggedModels} />
                {loggedModels.length > 0 && <h3>Files of the run</h3>}
                <ArtifactBrowser
                  projectId={project.id}
                  root={artifactRoot}
                  empty={loggedModels.length > 0 ? 'The run saved no files of its own; its models’ files are above.' : 'No artifacts here.'}
                />
              </>
            )}
          </section>
        );
      }}
    </Show>
  );
}
