import { formatDuration, formatIso, type Pipeline } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import { CiStatus } from './ci-status.tsx';

/** Pipelines as rows (id, status, source, ref, commit, times): the project's list and a model version's page. */
export function PipelinesTable({ projectId, pipelines, label, testId }: { projectId: number; pipelines: Pipeline[]; label: string; testId?: string }) {
  return (
    <table className="grid" aria-label={label} data-testid={testId}>
      <thead>
        <tr>
          <th>Pipeline</th>
          <th>Status</th>
          <th>Source</th>
          <th>Ref</th>
          <th>Commit</th>
          <th>Created</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {pipelines.map((p) => (
          <tr key={p.id} data-testid={`pipeline-row-${p.id}`}>
            <td>
              <Link to={`/projects/${projectId}/pipelines/${p.id}`}>#{p.id}</Link> <span className="muted">iid {p.iid}</span>
            </td>
            <td>
              <CiStatus status={p.status} />
            </td>
            <td>{p.source.replace('_', ' ')}</td>
            <td>
              <code>{p.ref}</code>
            </td>
            <td>
              {p.sha ? <code>{p.sha.slice(0, 8)}</code> : <span className="muted">—</span>} {p.commit_title}
            </td>
            <td>{formatIso(p.created_at)}</td>
            <td>{formatDuration(p.duration)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
