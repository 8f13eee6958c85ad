import type { ReactNode } from 'react';
import { deployedBy, describePolicy, liveVariants, type Deployment } from '../deployments-model.ts';
import { formatIso } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import { CiStatus } from './ci-status.tsx';

/** What a deployment ships, in one line: "stable churn 1.0.0 90% · canary churn 1.0.1 10%". */
export function DeploymentVariants({ deployment }: { deployment: Deployment }) {
  return (
    <>
      {[...liveVariants(deployment.variants), ...deployment.variants.filter((v) => v.role === 'shadow')].map((v) => (
        <div key={v.name}>
          <strong>{v.name}</strong> {v.model.name} v{v.version.version} <span className="muted">{v.version.semver}</span> · {v.role === 'shadow' ? `shadow ${v.shadow_share}%` : `${v.weight}%`}
        </div>
      ))}
    </>
  );
}

/**
 * An environment's deployments, newest first: what each shipped, under which policy, who made
 * it (a person, a CI job, or the gates) and when, and why. `actions` renders what the reader may
 * do to a row (approve a blocked one).
 */
export function DeploymentHistory({ projectId, deployments, currentId, actions }: { projectId: number; deployments: Deployment[]; currentId: number | null; actions: (d: Deployment) => ReactNode }) {
  return (
    <table className="grid" aria-label="Deployment history" data-testid="deployment-history">
      <thead>
        <tr>
          <th>Deployment</th>
          <th>Status</th>
          <th>What</th>
          <th>Policy</th>
          <th>Who</th>
          <th>When</th>
          <th>Why</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {deployments.map((d) => (
          <tr key={d.id} data-testid={`deployment-${d.iid}`} aria-current={d.id === currentId ? 'true' : undefined}>
            <td>
              #{d.iid} {d.id === currentId && <span className="badge">current</span>}
              {d.rollback_of !== null && <div className="muted">rollback</div>}
            </td>
            <td>
              <CiStatus status={d.status} />
              {d.status === 'blocked' && (
                <div className="muted">
                  {d.pending_approval_count} approval{d.pending_approval_count === 1 ? '' : 's'} needed
                </div>
              )}
            </td>
            <td>
              <DeploymentVariants deployment={d} />
            </td>
            <td>{liveVariants(d.variants).length > 0 ? describePolicy(d) : '—'}</td>
            <td>
              {deployedBy(d)}
              {d.deployable && (
                <div>
                  <Link to={`/projects/${projectId}/jobs/${d.deployable.id}`}>job {d.deployable.name}</Link> <span className="muted">pipeline #{d.deployable.pipeline.id}</span>
                </div>
              )}
              {d.approvals.map((a) => (
                <div key={a.user.id} className="muted">
                  {a.status} by {a.user.username}
                  {a.comment && `: “${a.comment}”`}
                </div>
              ))}
            </td>
            <td title={d.created_at}>{formatIso(d.created_at)}</td>
            <td className="reason">{d.reason || <span className="muted">—</span>}</td>
            <td className="actions">{actions(d)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
