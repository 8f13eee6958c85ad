import { useState } from 'react';
import { PageTitle } from '../page-title.ts';
import { api } from '../api.ts';
import { ConfirmDialog, type ConfirmRequest } from '../components/confirm-dialog.tsx';
import { DeploymentHistory, DeploymentVariants } from '../components/deployment-history.tsx';
import { EnvironmentActions } from '../components/environment-actions.tsx';
import { EnvironmentHealthTable, HealthBadge } from '../components/environment-health.tsx';
import { EnvironmentTargetSection } from '../components/environment-target.tsx';
import { ProjectNav } from '../components/project-nav.tsx';
import { LinkedIssues } from '../components/linked-issues.tsx';
import { Empty, Show, useLoad } from '../components/states.tsx';
import { TrafficBar } from '../components/traffic-bar.tsx';
import { VariantFigures } from '../components/variant-figures.tsx';
import { deploymentPowersOf, describePolicy, mayApprove, type Deployment, type EnvironmentDetail, type ServingResults } from '../deployments-model.ts';
import { usePolling } from '../polling.ts';
import { loadProject, powersOf } from '../project.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';
import { apiPaths } from '../api-paths.ts';
import { formatIso } from '../pipelines-model.ts';

const HISTORY_SIZE = 50;

/**
 * One environment: what runs there (traffic split, policy), the actions the reader's role
 * allows, deployments waiting for approval, the health of its instances, live per-variant
 * figures, the history of its deployments with who, when and why, and for maintainers where
 * its variants run (its target). It refreshes itself while open, so a canary's steps and a
 * gate's rollback appear without reloading.
 */
export function EnvironmentPage({ projectId, environmentId }: { projectId: string; environmentId: string }) {
  const { user } = useSession();
  const [confirming, setConfirming] = useState<ConfirmRequest | null>(null);
  const [state, reload] = useLoad(['environment', projectId, environmentId], async () => {
    const project = await loadProject(projectId);
    const paths = apiPaths.project(project.id);
    const env = await api.get<EnvironmentDetail>(paths.environment(environmentId).self);
    const [history, results] = await Promise.all([
      api.page<Deployment>(paths.deployments({ environment: env.name, order_by: 'id', sort: 'desc', per_page: HISTORY_SIZE })),
      env.current_deployment_id === null ? Promise.resolve(null) : api.get<ServingResults>(paths.environment(env.id).results).catch(() => null),
    ]);
    return { project, env, history, results };
  });
  // Paused while a dialog is open, so what the dialog describes does not change under it.
  usePolling(state.status === 'ready' && confirming === null, 5000, reload);
  return (
    <Show
      state={state}
      what="Loading the environment"
      missing={{
        title: 'Environment not found',
        message: `There is no environment ${environmentId} in this project, or you may not see it.`,
        back: { to: `/projects/${encodeURIComponent(projectId)}/environments`, label: 'Back to the environments' },
      }}
    >
      {({ project, env, history, results }) => {
        const powers = powersOf(project);
        const { canDeploy } = deploymentPowersOf(powers);
        const current = env.current_deployment;
        const blocked = history.items.filter((d) => d.status === 'blocked');
        const approve = (d: Deployment, status: 'approved' | 'rejected') =>
          setConfirming({
            title: `${status === 'approved' ? 'Approve' : 'Reject'} deployment #${d.iid}?`,
            body: (
              <>
                <DeploymentVariants deployment={d} />
                <p>
                  {status === 'approved' ? `Once approved by enough people it replaces what ${env.name} runs now.` : 'A rejected deployment is canceled; nothing changes in the environment.'} Requested
                  by {d.user?.username ?? 'a CI job'}: {d.reason}
                </p>
              </>
            ),
            confirmLabel: status === 'approved' ? 'Approve' : 'Reject',
            danger: status === 'rejected',
            reason: { label: 'Comment (optional)', required: false },
            run: (comment) => api.post(apiPaths.project(project.id).deploymentApproval(d.id), { status, ...(comment ? { comment } : {}) }),
          });
        const approvalButtons = (d: Deployment) =>
          mayApprove(powers, user, d) ? (
            <>
              <button className="approve" onClick={() => approve(d, 'approved')}>
                Approve
              </button>
              <button className="reject" onClick={() => approve(d, 'rejected')}>
                Reject
              </button>
            </>
          ) : null;
        return (
          <section>
            <PageTitle parts={[env.name, 'Environments', project.name]} />
            <ProjectNav project={project} />
            <h1>
              <Link to={`/projects/${project.id}/environments`}>Environments</Link> / {env.name} <span className="badge">{env.tier}</span>{' '}
              <span className="badge" data-testid="environment-state">
                {env.state}
              </span>{' '}
              <HealthBadge health={env.health} />
            </h1>
            <dl className="facts">
              <dt>Gateway</dt>
              <dd>
                <code>{env.serving_url}/invocations</code> <span className="muted">(a token with the serve scope)</span>
              </dd>
              {env.auto_stop_at && (
                <>
                  <dt>Stops automatically</dt>
                  <dd data-testid="auto-stop-at">{formatIso(env.auto_stop_at)} (the deploy job's auto_stop_in)</dd>
                </>
              )}
              {env.external_url && (
                <>
                  <dt>External URL</dt>
                  <dd>
                    <a href={env.external_url} rel="noopener noreferrer">
                      {env.external_url}
                    </a>
                  </dd>
                </>
              )}
              <dt>Agents</dt>
              <dd>{env.agent_labels.length > 0 ? `labelled ${env.agent_labels.join(', ')}` : 'any agent of the project or instance'}</dd>
              <dt>Upstream timeout</dt>
              <dd>{env.timeout_ms} ms</dd>
            </dl>
            <h2>What runs</h2>
            {current ? (
              <div className="panel" data-testid="what-runs">
                <p>
                  Deployment #{current.iid} · {describePolicy(current)}
                </p>
                <TrafficBar variants={current.variants} />
                {canDeploy && <EnvironmentActions projectId={project.id} env={env} confirm={setConfirming} />}
              </div>
            ) : (
              <Empty>Nothing runs here{env.state === 'stopped' ? ': the environment is stopped' : ''}.</Empty>
            )}
            {blocked.length > 0 && (
              <>
                <h2>Waiting for approval</h2>
                <ul className="history" data-testid="awaiting-approval">
                  {blocked.map((d) => (
                    <li key={d.id} className="panel">
                      <p>
                        <strong>#{d.iid}</strong> by {d.user?.username ?? 'a CI job'}: {d.reason} · {d.pending_approval_count} approval{d.pending_approval_count === 1 ? '' : 's'} needed
                      </p>
                      <DeploymentVariants deployment={d} />
                      <div className="toolbar">{approvalButtons(d)}</div>
                    </li>
                  ))}
                </ul>
              </>
            )}
            {current && (
              <>
                <h2>Issues of the current deployment</h2>
                <LinkedIssues projectId={project.id} type="deployment" targetId={current.id} />
              </>
            )}
            <h2>Health</h2>
            <EnvironmentHealthTable detail={env} />
            <h2>Live figures</h2>
            {results ? <VariantFigures results={results} /> : <Empty>No traffic figures: nothing is deployed here.</Empty>}
            <h2>History</h2>
            {history.items.length === 0 ? (
              <Empty>No deployments yet.</Empty>
            ) : (
              <>
                <DeploymentHistory projectId={project.id} deployments={history.items} currentId={env.current_deployment_id} actions={approvalButtons} />
                {history.total > history.items.length && (
                  <p className="muted">
                    The newest {history.items.length} of {history.total}; the API lists all (<code>GET {apiPaths.project(project.id).deployments({ environment: env.name })}</code>
                    ).
                  </p>
                )}
              </>
            )}
            <EnvironmentTargetSection project={project} env={env} confirm={setConfirming} paused={confirming !== null} onChanged={reload} />
            <ConfirmDialog
              request={confirming}
              onClose={() => setConfirming(null)}
              onDone={() => {
                setConfirming(null);
                reload();
              }}
            />
          </section>
        );
      }}
    </Show>
  );
}
