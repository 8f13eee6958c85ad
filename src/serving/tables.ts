/** Requests, errors and latencies of one variant of one deployment in one 10-second window. */
export interface ServingMetricsTable {
  deployment_id: number;
  variant: string;
  /** Epoch ms, a multiple of the window length. */
  window_start: number;
  requests: number;
  errors: number;
  /** Shadow variants: answers that differed from the live answer. */
  mismatches: number;
  latency_sum_ms: number;
  bucket_0: number;
  bucket_1: number;
  bucket_2: number;
  bucket_3: number;
  bucket_4: number;
  bucket_5: number;
  bucket_6: number;
  bucket_7: number;
  bucket_8: number;
  bucket_9: number;
  bucket_10: number;
  bucket_11: number;
  bucket_12: number;
}

/** Rewards reported for one variant of an A/B series (its lineage). */
export interface ServingFeedbackTable {
  lineage_id: number;
  variant: string;
  n: number;
  /** Rewards equal to 1 (binary rewards). */
  successes: number;
  sum: number;
  sum_squares: number;
}

export interface ServingTables {
  serving_metrics: ServingMetricsTable;
  serving_feedback: ServingFeedbackTable;
}
