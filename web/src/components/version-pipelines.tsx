import { api } from '../api.ts';
import { formatDuration, formatIso, type Pipeline } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import { CiStatus } from './ci-status.tsx';
import { Empty, Show, useLoad } from './states.tsx';

/** Pipelines that registry events of this version started (evaluate, validate, deploy), newest first. */
export function VersionPipelines({ projectId, versionRowId }: { projectId: number; versionRowId: number }) {
  const [state] = useLoad(() => api.page<Pipeline>(`/api/v4/projects/${projectId}/pipelines?model_version_id=${versionRowId}&per_page=20`), [projectId, versionRowId]);
  return (
    <Show state={state} what="Loading pipelines">
      {(pipelines) =>
        pipelines.items.length === 0 ? (
          <Empty>No pipeline has run for this version. Turn on registry triggers in the project’s CI settings to run one when it changes.</Empty>
        ) : (
          <table className="grid" data-testid="version-pipelines">
            <thead>
              <tr>
                <th>Pipeline</th>
                <th>Status</th>
                <th>Source</th>
                <th>Ref</th>
                <th>Created</th>
                <th>Duration</th>
              </tr>
            </thead>
            <tbody>
              {pipelines.items.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/projects/${projectId}/pipelines/${p.id}`}>#{p.id}</Link>
                  </td>
                  <td>
                    <CiStatus status={p.status} />
                  </td>
                  <td>{p.source.replace('_', ' ')}</td>
                  <td>
                    <code>{p.ref}</code>
                  </td>
                  <td>{formatIso(p.created_at)}</td>
                  <td>{formatDuration(p.duration)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Show>
  );
}
