/** One logged metric value. NaN and ±Infinity are values like any other, as in MLflow. */
export interface MetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /** MLflow 3 links a metric to a logged model (and the dataset it was computed on). */
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** SQLite stores NaN as NULL, so NaN is kept as value 0 with a flag, on both dialects. */
export function storedValue(value: number): { value: number; is_nan: number } {
  return Number.isNaN(value) ? { value: 0, is_nan: 1 } : { value, is_nan: 0 };
}

export function loadedValue(row: { value: number; is_nan: number }): number {
  return row.is_nan ? Number.NaN : row.value;
}

/** MLflow's order for "latest": highest step, then timestamp, then value. */
export function isNewer(a: MetricPoint, b: MetricPoint): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  const av = Number.isNaN(a.value) ? -Infinity : a.value;
  const bv = Number.isNaN(b.value) ? -Infinity : b.value;
  return av > bv;
}
