/** The latency histogram every variant's metrics keep: upper bounds in ms, the last one +Inf. */
export const LATENCY_BOUNDS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, Infinity] as const;

export function bucketIndex(ms: number): number {
  const index = LATENCY_BOUNDS_MS.findIndex((bound) => ms <= bound);
  return index === -1 ? LATENCY_BOUNDS_MS.length - 1 : index;
}

/**
 * A percentile from bucket counts, interpolated inside its bucket (as Prometheus'
 * histogram_quantile does); the open last bucket answers its lower bound. null without data.
 */
export function percentile(buckets: readonly number[], q: number): number | null {
  const total = buckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let cumulative = 0;
  for (let i = 0; i < buckets.length; i++) {
    const count = buckets[i]!;
    if (cumulative + count >= target && count > 0) {
      const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
      const upper = LATENCY_BOUNDS_MS[i]!;
      if (!Number.isFinite(upper)) return lower;
      return lower + ((upper - lower) * (target - cumulative)) / count;
    }
    cumulative += count;
  }
  return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 2]!;
}
