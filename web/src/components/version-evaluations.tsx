import { api, formatNumber } from '../api.ts';
import { formatIso } from '../pipelines-model.ts';
import { Link } from '../router.tsx';
import { Empty, Show, useLoad } from './states.tsx';
import type { EvaluationNative } from '../../../src/registry/contract.ts';
import { StatusIcon } from './status-icons.tsx';

const THRESHOLD = /^\s*([A-Za-z0-9_.\-/ :]+?)\s*(>=|<=|==|!=|>|<)\s*(-?[0-9.eE+-]+)\s*$/;

/** Whether an evaluation's own metrics meet a threshold such as `accuracy>=0.9`; null when it cannot tell. */
export function meets(threshold: string, metrics: Record<string, number>): boolean | null {
  const m = THRESHOLD.exec(threshold);
  if (!m) return null;
  const value = metrics[m[1]!];
  const limit = Number(m[3]);
  if (value === undefined || !Number.isFinite(limit)) return null;
  return { '>=': value >= limit, '<=': value <= limit, '==': value === limit, '!=': value !== limit, '>': value > limit, '<': value < limit }[m[2]!] ?? null;
}

function Verdict({ passed }: { passed: boolean | null }) {
  if (passed === null) return <span className="badge">recorded</span>;
  return (
    <span className={`badge ${passed ? 'ci-success' : 'ci-failed'}`}>
      <StatusIcon status={passed ? 'passed' : 'failed'} /> {passed ? 'passed' : 'failed'}
    </span>
  );
}

/** A version's evaluations (metrics an evaluate job computed) and validations (a verdict against thresholds), newest first. */
export function VersionEvaluations({ projectId, path }: { projectId: number; path: string }) {
  const [state] = useLoad(['version-evaluations', path], () => api.get<EvaluationNative[]>(path));
  return (
    <Show state={state} what="Loading evaluations">
      {(evaluations) =>
        evaluations.length === 0 ? (
          <Empty>
            No evaluation recorded yet. An evaluate job records one with <code>modelyard ci record-evaluation</code>.
          </Empty>
        ) : (
          <div className="evaluations" data-testid="evaluations">
            {evaluations.map((e) => (
              <div key={e.id} className="evaluation" data-testid={`evaluation-${e.id}`}>
                <div className="evaluation-head">
                  <strong>Evaluation #{e.id}</strong> <Verdict passed={e.passed} />
                  <span className="muted">
                    {' '}
                    {formatIso(e.created_at)}
                    {e.dataset && ` · on ${e.dataset}`}
                  </span>
                  {e.job_id !== null && (
                    <>
                      {' · '}
                      <Link to={`/projects/${projectId}/jobs/${e.job_id}`}>job #{e.job_id}</Link>
                    </>
                  )}
                </div>
                {e.thresholds && e.thresholds.length > 0 && (
                  <div className="thresholds">
                    Thresholds:{' '}
                    {e.thresholds.map((t) => {
                      const ok = meets(t, e.metrics);
                      return (
                        <span key={t} className={`label threshold ${ok === true ? 'met' : ok === false ? 'missed' : ''}`}>
                          {ok !== null && <StatusIcon status={ok ? 'passed' : 'failed'} />}
                          <code>{t}</code>
                        </span>
                      );
                    })}
                  </div>
                )}
                <table className="grid metrics">
                  <thead>
                    <tr>
                      <th>Metric</th>
                      <th>Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(e.metrics).map(([key, value]) => (
                      <tr key={key}>
                        <td>{key}</td>
                        <td title={String(value)}>{formatNumber(value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
          </div>
        )
      }
    </Show>
  );
}
