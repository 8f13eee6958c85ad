import { api } from '../api.ts';
import { environmentPath, type VersionDeployment } from '../deployments-model.ts';
import { formatIso } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import { CiStatus } from './ci-status.tsx';
import { Empty, Show, useLoad } from './states.tsx';
import { apiPaths } from '../api-paths.ts';

/** Where a model version runs now: each environment, its share of the traffic there, and since when. */
export function VersionDeployments({ projectId, modelId, version }: { projectId: number; modelId: number; version: number }) {
  const [state] = useLoad(['version-deployments', projectId, modelId, version], () => api.get<VersionDeployment[]>(apiPaths.project(projectId).model(modelId).version(version).deployments));
  return (
    <Show state={state} what="Loading deployments">
      {(where) =>
        where.length === 0 ? (
          <Empty>This version runs in no environment.</Empty>
        ) : (
          <table className="grid" aria-label="Where this version is deployed" data-testid="version-deployments">
            <thead>
              <tr>
                <th>Environment</th>
                <th>Tier</th>
                <th>Variant</th>
                <th>Share of traffic</th>
                <th>Status</th>
                <th>Since</th>
              </tr>
            </thead>
            <tbody>
              {where.map((d) => (
                <tr key={`${d.environment.id}-${d.variant}`}>
                  <td>
                    <Link to={environmentPath(projectId, d.environment.id)}>{d.environment.name}</Link> {d.environment_state !== 'available' && <span className="muted">({d.environment_state})</span>}
                  </td>
                  <td>{d.environment.tier}</td>
                  <td>{d.variant}</td>
                  <td>{d.role === 'shadow' ? 'shadow (mirrored, never answers)' : `${d.weight}%`}</td>
                  <td>
                    <CiStatus status={d.deployment_status} />
                  </td>
                  <td title={d.since}>{formatIso(d.since)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Show>
  );
}
