import { useState } from 'react';
import { formatBytes } from '../format.ts';
import { PageTitle } from '../page-title.ts';
import { api, formatNumber } from '../api.ts';
import { CardView } from '../components/card-view.tsx';
import { VersionEvaluations } from '../components/version-evaluations.tsx';
import { VersionPipelines } from '../components/version-pipelines.tsx';
import { VersionImages } from '../components/version-images.tsx';
import { VersionDeployments } from '../components/version-deployments.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { LinkedIssues } from '../components/linked-issues.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { ModelFiles } from '../components/model-files.tsx';
import { versionModelRoot } from '../version-model-root.ts';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { loadProject, powersOf } from '../project.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { PackageFileNative, PackageNative } from '../../../src/packages/contract.ts';
import type { ApprovalRequestNative, LineageNative, VersionNative } from '../../../src/registry/contract.ts';
import { apiPaths } from '../api-paths.ts';
import { StatusIcon } from '../components/status-icons.tsx';

export function VersionPage({ projectId, modelId, version }: { projectId: string; modelId: string; version: string }) {
  const { user } = useSession();
  const [comment, setComment] = useState('');
  const [label, setLabel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [state, reload] = useLoad(['version', projectId, modelId, version], async () => {
    const project = await loadProject(projectId);
    const paths = apiPaths.project(project.id);
    const base = paths.model(modelId).version(version);
    const [v, approvals, lineage] = await Promise.all([api.get<VersionNative>(base.self), api.get<ApprovalRequestNative[]>(base.approvals), api.get<LineageNative>(base.lineage)]);
    const packages = await api.get<PackageNative[]>(paths.packages({ package_type: 'ml_model', package_name: v.model_name, per_page: 100 })).catch(() => []);
    const pkg = packages.find((p) => p.version === v.semver);
    const files = pkg ? await api.get<PackageFileNative[]>(paths.packageFiles(pkg.id, { per_page: 100 })).catch(() => []) : [];
    return { project, base, v, approvals, lineage, files };
  });
  return (
    <Show
      state={state}
      what="Loading the version"
      missing={{
        title: 'Version not found',
        message: `There is no version ${version} of this model, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}/models/${encodeURIComponent(modelId)}`, label: 'Back to the model' },
      }}
    >
      {({ project, base, v, approvals, lineage, files }) => {
        const powers = powersOf(project);
        const modelRoot = versionModelRoot(v, lineage);
        const pending = approvals.find((a) => a.status === 'pending');
        const mayDecide = powers.canApproveVersions && pending !== undefined && pending.requester.id !== user?.id && !pending.decisions.some((d) => d.approver.id === user?.id);
        const act = async (work: () => Promise<unknown>) => {
          setError(null);
          try {
            await work();
            setComment('');
            reload();
          } catch (e) {
            setError((e as Error).message);
          }
        };
        return (
          <section>
            <PageTitle parts={[`${v.model_name} v${v.version}`, project.name]} />
            <ProjectNav project={project} />
            <h1>
              <Link to={`/projects/${project.id}/models/${modelId}`}>{v.model_name}</Link> v{v.version} <span className="muted">{v.semver}</span>{' '}
              <span className={`badge approval-${v.approval_status}`} data-testid="approval-status">
                {v.approval_status}
              </span>
            </h1>
            <p>
              <code>{v.mlflow_uri}</code>{' '}
              {v.aliases.map((a) => (
                <span key={a} className="badge">
                  @{a}
                </span>
              ))}{' '}
              {v.labels.map((l) => (
                <span key={l} className="label">
                  {l}
                </span>
              ))}
            </p>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            {powers.canWrite && (
              <div className="toolbar">
                <input aria-label="Version label" placeholder="stage::staging" value={label} onChange={(e) => setLabel(e.target.value)} />
                <button onClick={() => act(() => api.post(base.labels, { label }).then(() => setLabel('')))}>Add label</button>
                {v.labels.map((l) => (
                  <button key={l} className="link" onClick={() => act(() => api.del(base.label(l)))}>
                    remove {l}
                  </button>
                ))}
                {v.run_id && <button onClick={() => act(() => api.post(base.fillCard))}>Fill card from run</button>}
              </div>
            )}
            <h2>Approval</h2>
            {powers.canWrite && (v.approval_status === 'none' || v.approval_status === 'rejected') && (
              <div className="toolbar">
                <input aria-label="Approval comment" placeholder="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
                <button onClick={() => act(() => api.post(base.approvalRequests, { comment }))}>Request approval</button>
              </div>
            )}
            {mayDecide && (
              <div className="toolbar" data-testid="decision">
                <input aria-label="Decision comment" placeholder="comment" value={comment} onChange={(e) => setComment(e.target.value)} />
                <button className="approve" onClick={() => act(() => api.post(base.approve, { comment }))}>
                  Approve
                </button>
                <button className="reject" onClick={() => act(() => api.post(base.reject, { comment }))}>
                  Reject
                </button>
              </div>
            )}
            {approvals.length === 0 ? (
              <Empty>No approval requested yet.</Empty>
            ) : (
              <ol className="history" data-testid="approval-history">
                {approvals.map((a) => (
                  <li key={a.id}>
                    <strong>{a.status}</strong>: requested by {a.requester.username} {a.comment && `— “${a.comment}”`} ({a.required_approvals} approval{a.required_approvals > 1 ? 's' : ''} needed)
                    <ul>
                      {a.decisions.map((d) => (
                        <li key={d.id}>
                          <StatusIcon status={d.decision === 'approve' ? 'approved' : 'rejected'} /> {d.decision === 'approve' ? 'approved' : 'rejected'} by {d.approver.username}{' '}
                          {d.comment && `— “${d.comment}”`}
                        </li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ol>
            )}
            <h2>Issues</h2>
            <LinkedIssues projectId={project.id} type="version" targetId={v.id} />
            <h2>Deployed in</h2>
            <VersionDeployments projectId={project.id} modelId={v.model_id} version={v.version} />
            <h2>Evaluations</h2>
            <VersionEvaluations projectId={project.id} path={base.evaluations} />
            <h2>Pipelines</h2>
            <VersionPipelines projectId={project.id} versionRowId={v.id} />
            <h2>Images</h2>
            <VersionImages projectId={project.id} modelId={v.model_id} version={v.version} />
            <h2>Lineage</h2>
            {lineage.run ? (
              <dl className="facts" data-testid="lineage">
                <dt>Run</dt>
                <dd>
                  <Link to={`/projects/${project.id}/runs/${lineage.run.id}`}>{lineage.run.name}</Link>
                </dd>
                <dt>Experiment</dt>
                <dd>{lineage.experiment ? <Link to={`/projects/${project.id}/experiments/${lineage.experiment.id}`}>{lineage.experiment.name}</Link> : '—'}</dd>
                <dt>Logged model</dt>
                <dd>{lineage.logged_model ? <code>{lineage.logged_model.id}</code> : '—'}</dd>
                <dt>Params</dt>
                <dd>
                  {Object.entries(lineage.run.params)
                    .map(([k, val]) => `${k}=${val}`)
                    .join(', ') || '—'}
                </dd>
                <dt>Metrics</dt>
                <dd data-testid="lineage-metrics">
                  {lineage.run.metrics.length === 0
                    ? '—'
                    : lineage.run.metrics.map((m, i) => (
                        <span key={m.key} title={`${m.key}=${String(m.value)}`}>
                          {i > 0 && ', '}
                          {m.key}={formatNumber(m.value)}
                        </span>
                      ))}
                </dd>
                <dt>Datasets</dt>
                <dd>{lineage.datasets.map((d) => `${d.name} (${d.digest})`).join(', ') || '—'}</dd>
                <dt>Commit</dt>
                <dd>{lineage.git_commit ?? '—'}</dd>
                <dt>CI job</dt>
                <dd>{lineage.ci_job_id !== null ? <Link to={`/projects/${project.id}/jobs/${lineage.ci_job_id}`}>#{lineage.ci_job_id}</Link> : '—'}</dd>
              </dl>
            ) : (
              <Empty>This version was not registered from a run.</Empty>
            )}
            <h2>Tags</h2>
            <KeyValues values={v.tags} empty="No tags." testId="version-tags" />
            <h2>Files</h2>
            {files.length === 0 ? (
              modelRoot !== null ? (
                <ModelFiles projectId={project.id} root={modelRoot} />
              ) : (
                <p className="muted">No uploaded files; the MLflow client loads this version from {v.source || 'its package'}.</p>
              )
            ) : (
              <ul>
                {files.map((f) => (
                  <li key={f.id}>
                    <a href={apiPaths.project(project.id).modelVersionFile(v.id, f.file_name)}>{f.file_name}</a>{' '}
                    <span className="muted" title={`${f.size} bytes`}>
                      {formatBytes(f.size)}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            <h2>Model card</h2>
            <CardView card={v.card} />
          </section>
        );
      }}
    </Show>
  );
}
