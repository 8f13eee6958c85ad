import { useState } from 'react';
import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { CiStatus } from '../components/ci-status.tsx';
import { JobArtifacts } from '../components/job-artifacts.tsx';
import { JobLog } from '../components/job-log.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { Show, useLoad } from '../components/states.tsx';
import { VariableRows } from '../components/variable-rows.tsx';
import { actionError, filledVariables, formatDuration, formatIso, isUnfinished, type Job, type Variable } from '../pipelines-model.ts';
import { usePolling } from '../polling.ts';
import { loadProject, powersOf } from '../project.ts';
import { Link, navigate } from '../router.tsx';
import { apiPaths } from '../api-paths.ts';
import { StatusIcon } from '../components/status-icons.tsx';

const FINISHED = new Set(['success', 'failed', 'canceled']);

/** One job: what ran where and how it ended, its artifacts, its live log and the buttons to act on it. */
export function JobPage({ projectId, jobId }: { projectId: string; jobId: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [variables, setVariables] = useState<Variable[]>([]);
  const [state, reload] = useLoad(['job', projectId, jobId], async () => {
    const project = await loadProject(projectId);
    const paths = apiPaths.project(project.id).job(jobId);
    return { project, paths, job: await api.get<Job>(paths.self) };
  });
  // Status, duration and runner change while the job waits and runs.
  usePolling(state.status === 'ready' && isUnfinished(state.data.job.status), 2000, reload);
  return (
    <Show
      state={state}
      what="Loading the job"
      missing={{
        title: 'Job not found',
        message: `There is no job ${jobId} in this project, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}/pipelines`, label: 'Back to the pipelines' },
      }}
    >
      {({ project, paths, job }) => {
        const canRun = powersOf(project).canWrite;
        const act = async (action: 'retry' | 'cancel' | 'play') => {
          setBusy(true);
          setError(null);
          try {
            const body = action === 'play' ? { job_variables_attributes: filledVariables(variables) } : {};
            const next = await api.post<Job>(paths.action(action), body);
            // A retry is a new job (a new attempt); its page is where the story goes on.
            if (next.id !== job.id) navigate(`/projects/${project.id}/jobs/${next.id}`);
            else reload();
          } catch (e) {
            setError(actionError(e, `${action === 'play' ? 'start' : action} jobs`));
          } finally {
            setBusy(false);
          }
        };
        return (
          <section>
            <PageTitle parts={[`Job ${job.name} #${job.id}`, project.name]} />
            <ProjectNav project={project} />
            <h1>
              {job.name} <span className="muted">#{job.id}</span> <CiStatus status={job.status} testId="job-status" />
            </h1>
            <p className="muted">
              <Link to={`/projects/${project.id}/pipelines/${job.pipeline.id}`}>Pipeline #{job.pipeline.id}</Link> · stage <strong>{job.stage}</strong> · <code>{job.ref}</code>
              {job.commit && (
                <>
                  {' '}
                  at <code>{job.commit.short_id}</code>
                </>
              )}
            </p>
            {canRun && (
              <div className="toolbar">
                {FINISHED.has(job.status) && !job.retried && (
                  <button disabled={busy} onClick={() => act('retry')}>
                    Retry
                  </button>
                )}
                {isUnfinished(job.status) && (
                  <button className="reject" disabled={busy} onClick={() => act('cancel')}>
                    Cancel
                  </button>
                )}
                {job.retried && <span className="muted">A newer attempt of this job exists.</span>}
              </div>
            )}
            {canRun && job.status === 'manual' && (
              <form
                className="panel"
                aria-label="Play job"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act('play');
                }}
              >
                <p>This is a manual job: start it when you are ready, with extra variables if it needs them.</p>
                <VariableRows label="Job variable" rows={variables} onChange={setVariables} />
                <div className="toolbar">
                  <button type="submit" className="primary" disabled={busy}>
                    <StatusIcon status="play" /> Play
                  </button>
                </div>
              </form>
            )}
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <dl className="facts" data-testid="job-facts">
              <dt>Status</dt>
              <dd>
                {job.status}
                {job.allow_failure && <span className="badge">allowed to fail</span>}
              </dd>
              <dt>Stage</dt>
              <dd>{job.stage}</dd>
              {job.failure_reason && (
                <>
                  <dt>Failure reason</dt>
                  <dd className="error" data-testid="failure-reason">
                    {job.failure_reason.replaceAll('_', ' ')}
                    {job.exit_code !== null && ` (exit code ${job.exit_code})`}
                  </dd>
                </>
              )}
              <dt>Runner</dt>
              <dd>{job.runner ? `#${job.runner.id} ${job.runner.description}` : <span className="muted">{job.status === 'pending' ? 'waiting for a runner' : '—'}</span>}</dd>
              <dt>Tags</dt>
              <dd>
                {job.tag_list.length > 0
                  ? job.tag_list.map((t) => (
                      <span key={t} className="label">
                        {t}
                      </span>
                    ))
                  : '—'}
              </dd>
              <dt>Duration</dt>
              <dd>
                {formatDuration(job.duration) || '—'}
                {job.queued_duration !== null && <span className="muted"> (queued {formatDuration(job.queued_duration)})</span>}
              </dd>
              <dt>Started</dt>
              <dd>{formatIso(job.started_at) || '—'}</dd>
              <dt>Finished</dt>
              <dd>{formatIso(job.finished_at) || '—'}</dd>
              <dt>Attempt</dt>
              <dd>{job.attempt}</dd>
            </dl>
            <JobArtifacts projectId={project.id} job={job} />
            <h2>Log</h2>
            <JobLog key={job.id} url={paths.trace} status={job.status} onStatus={reload} />
          </section>
        );
      }}
    </Show>
  );
}
