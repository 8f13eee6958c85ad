import { formatAgo } from '../format.ts';
import { HEALTH_CLASS, type EnvironmentDetail } from '../deployments-model.ts';

export function HealthBadge({ health }: { health: EnvironmentDetail['health'] }) {
  return (
    <span className={`badge ${HEALTH_CLASS[health.status]}`} title={health.message} data-testid="health-status" data-status={health.status}>
      {health.status.replaceAll('_', ' ')}
    </span>
  );
}

/** The instances agents run for each variant, as they last reported them. */
export function EnvironmentHealthTable({ detail }: { detail: EnvironmentDetail }) {
  const rows = detail.health.variants.flatMap((v) => v.instances.map((i) => ({ variant: v.variant, role: v.role, instance: i })));
  return (
    <>
      <p>
        <HealthBadge health={detail.health} /> {detail.health.message}
      </p>
      {rows.length === 0 ? (
        <p className="muted">No agent has reported an instance yet.</p>
      ) : (
        <table className="grid" aria-label="Instances" data-testid="instances">
          <thead>
            <tr>
              <th>Variant</th>
              <th>Agent</th>
              <th>State</th>
              <th>Restarts</th>
              <th>Last report</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ variant, role, instance }) => (
              <tr key={instance.instance_id}>
                <td>
                  {variant} {role === 'shadow' && <span className="muted">(shadow)</span>}
                </td>
                <td>#{instance.agent_id}</td>
                <td>
                  <span
                    className={`badge ${instance.state === 'ready' && instance.agent_reporting ? 'ci-success' : instance.state === 'failed' || !instance.agent_reporting ? 'ci-failed' : 'ci-running'}`}
                  >
                    {instance.state}
                  </span>
                  {!instance.agent_reporting && <span className="muted"> agent not reporting</span>}
                </td>
                <td>{instance.restarts}</td>
                <td title={instance.reported_at}>{formatAgo(instance.reported_at)}</td>
                <td>{instance.message || <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
