import { liveVariants, variantLabel, type Variant } from '../deployments-model.ts';

const COLORS = ['#1f5fbf', '#e07b00', '#2a9d55', '#9b3bb5', '#c23b3b', '#00838f'];

/**
 * Each live variant's share of an environment's traffic as one bar, the share written on each
 * segment (so it reads without the colours), and shadow variants listed below with the share
 * of requests mirrored to them.
 */
export function TrafficBar({ variants, compact = false }: { variants: Variant[]; compact?: boolean }) {
  const live = liveVariants(variants).filter((v) => v.weight > 0);
  const shadows = variants.filter((v) => v.role === 'shadow');
  const summary = live.map((v) => `${v.name} ${v.weight}%`).join(', ');
  return (
    <div className={compact ? 'traffic compact' : 'traffic'}>
      <div className="traffic-bar" role="img" aria-label={`Traffic split: ${summary}`} data-testid="traffic-bar">
        {live.map((v, i) => (
          <div
            key={v.name}
            className="traffic-segment"
            style={{ flexGrow: v.weight, background: COLORS[i % COLORS.length] }}
            title={`${v.name}: ${variantLabel(v)}, ${v.weight}%`}
            data-variant={v.name}
            data-share={v.weight}
          >
            {compact ? `${v.weight}%` : `${v.name} ${v.weight}%`}
          </div>
        ))}
      </div>
      {!compact && (
        <ul className="traffic-legend">
          {live.map((v, i) => (
            <li key={v.name}>
              <span className="swatch" style={{ background: COLORS[i % COLORS.length] }} aria-hidden="true" /> <strong>{v.name}</strong> {variantLabel(v)} · {v.weight}%
            </li>
          ))}
          {shadows.map((v) => (
            <li key={v.name} className="muted">
              <span className="swatch shadow" aria-hidden="true" /> <strong>{v.name}</strong> {variantLabel(v)} · shadow of {v.shadow_share}% of requests (answers recorded, never returned)
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
