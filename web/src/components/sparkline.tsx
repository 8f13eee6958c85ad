/** A tiny line of recent values; the label says what it shows, for those who do not see it. */
export function Sparkline({ values, label, width = 120, height = 28 }: { values: number[]; label: string; width?: number; height?: number }) {
  if (values.length === 0) return <span className="muted">no traffic yet</span>;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      <polyline points={values.length > 1 ? points : `0,${height / 2} ${width},${height / 2}`} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
