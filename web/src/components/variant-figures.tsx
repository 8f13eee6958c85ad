import { formatMs, formatRate, variantLabel, type ServingResults } from '../deployments-model.ts';
import { formatNumber } from '../api.ts';
import { Sparkline } from './sparkline.tsx';

/**
 * Live figures per variant of the environment's current series (a canary across its steps, an
 * A/B test): requests, error rate, latency percentiles, and for A/B tests the mean reward with
 * its interval and the probability of being best. The line is requests per 10-second window
 * over the last 10 minutes.
 */
export function VariantFigures({ results }: { results: ServingResults }) {
  const ab = results.policy.kind === 'ab';
  return (
    <table className="grid" aria-label="Per-variant figures" data-testid="variant-figures">
      <thead>
        <tr>
          <th>Variant</th>
          <th>Requests</th>
          <th>Error rate</th>
          <th>p50</th>
          <th>p95</th>
          <th>p99</th>
          {ab && <th>Mean reward (95 % interval)</th>}
          {ab && <th>P(best)</th>}
          <th>Requests, last 10 minutes</th>
        </tr>
      </thead>
      <tbody>
        {[...results.variants]
          .sort((a, b) => (a.role === b.role ? b.weight - a.weight : a.role === 'live' ? -1 : 1))
          .map((v) => (
            <tr key={v.name} data-testid={`figures-${v.name}`}>
              <td>
                <strong>{v.name}</strong> <span className="muted">{variantLabel(v)}</span>
                {v.role === 'shadow' && <div className="muted">shadow · {v.mismatches} answers differed</div>}
              </td>
              <td data-testid={`requests-${v.name}`}>{v.requests}</td>
              <td>
                {formatRate(v.error_rate)} <span className="muted">({v.errors})</span>
              </td>
              <td>{formatMs(v.latency_ms.p50)}</td>
              <td>{formatMs(v.latency_ms.p95)}</td>
              <td>{formatMs(v.latency_ms.p99)}</td>
              {ab && (
                <td>
                  {v.reward.mean === null ? '—' : `${formatNumber(v.reward.mean)} (${formatNumber(v.reward.ci_low)} – ${formatNumber(v.reward.ci_high)})`} <span className="muted">n={v.reward.n}</span>
                </td>
              )}
              {ab && <td>{v.reward.probability_best === null ? '—' : formatRate(v.reward.probability_best)}</td>}
              <td>
                <Sparkline values={v.windows.map((w) => w.requests)} label={`${v.name}: requests per 10 seconds, last 10 minutes: ${v.windows.map((w) => w.requests).join(', ') || 'none'}`} />
              </td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
