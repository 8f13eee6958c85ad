import type { Kysely } from 'kysely';
import type { ProjectAccess } from '../auth/policy.ts';
import type { Dialect } from '../db/database.ts';
import type { Schema } from '../db/schema.ts';
import { invalid } from '../shared/errors.ts';
import { metricHistoryPage, downsampledSeries, toPoint } from './metrics/metric-history.ts';
import { downsampledSeriesOfRuns } from './metrics/metric-series-batch.ts';
import type { MetricPoint } from './metrics/metric-point.ts';
import type { RunsService } from './runs-service.ts';
import { MAX_BULK_RUNS, MAX_HISTORY_PAGE, MAX_POINTS_PER_RUN } from './contract.ts';

export { MAX_BULK_RUNS, MAX_HISTORY_PAGE, MAX_POINTS_PER_RUN };

/** Points per run of a native series when the caller names no number. */
const DEFAULT_SERIES_POINTS = 1000;

/** Reading metric histories: whole pages for clients, bounded downsampled series for charts. */
export class MetricsService {
  constructor(
    private readonly db: Kysely<Schema>,
    private readonly dialect: Dialect,
    private readonly runs: RunsService,
  ) {}

  async history(access: ProjectAccess, runUuid: string, key: string, options: { maxResults?: number; pageToken?: string }) {
    const run = await this.runs.getRow(access, runUuid);
    const maxResults = options.maxResults ?? MAX_HISTORY_PAGE;
    if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > MAX_HISTORY_PAGE) {
      throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and ${MAX_HISTORY_PAGE}`);
    }
    return metricHistoryPage(this.db, run.id, key, { maxResults, pageToken: options.pageToken });
  }

  /**
   * The downsampled series of one metric for up to 100 runs: at most `maxResults` points per
   * run, each bucket's minimum and maximum kept.
   */
  async bulkInterval(
    access: ProjectAccess,
    runUuids: string[],
    key: string,
    options: { startStep?: number; endStep?: number; maxResults?: number },
  ): Promise<{ runId: string; points: MetricPoint[] }[]> {
    if (runUuids.length === 0) throw invalid(`GetMetricHistoryBulkInterval request must specify at least one run_id.`);
    if (runUuids.length > MAX_BULK_RUNS) {
      throw invalid(`GetMetricHistoryBulkInterval request must specify at most ${MAX_BULK_RUNS} run_ids. Received ${runUuids.length} run_ids.`);
    }
    const maxResults = options.maxResults ?? MAX_POINTS_PER_RUN;
    if (!Number.isSafeInteger(maxResults) || maxResults < 1 || maxResults > MAX_POINTS_PER_RUN) throw invalid(`max_results must be between 1 and ${MAX_POINTS_PER_RUN}.`);
    const { startStep, endStep } = options;
    if ((startStep === undefined) !== (endStep === undefined)) throw invalid('If either start step or end step are specified, both must be specified.');
    if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
      throw invalid(`end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`);
    }
    const series = await this.seriesOfRuns(access, runUuids, key, { startStep, endStep, maxPoints: Math.max(maxResults, 4) });
    return series.map(({ runId, points }) => ({ runId, points: points.length > maxResults ? points.slice(0, maxResults - 1).concat(points[points.length - 1]!) : points }));
  }

  /** The native API's series of one metric for up to 100 runs, over a step range when one is given. */
  async series(access: ProjectAccess, runUuids: string[], key: string, options: { startStep?: number; endStep?: number; maxPoints?: number }) {
    const { startStep, endStep } = options;
    if ((startStep === undefined) !== (endStep === undefined)) throw invalid('start_step and end_step go together');
    if (startStep !== undefined && endStep !== undefined && startStep > endStep) throw invalid('start_step must not be after end_step');
    return this.seriesOfRuns(access, runUuids, key, { startStep, endStep, maxPoints: options.maxPoints ?? DEFAULT_SERIES_POINTS });
  }

  /**
   * The MLflow UI's bulk history: whole histories of one metric for up to 100 runs, ordered by
   * run id, then timestamp, step and value, at most `maxResults` points in all (MLflow's
   * get-history-bulk). Ids that name no run of the project add nothing.
   */
  async historyBulk(access: ProjectAccess, runUuids: string[], key: string | undefined, options: { maxResults?: number }): Promise<{ runId: string; point: MetricPoint }[]> {
    if (runUuids.length === 0) throw invalid('GetMetricHistoryBulk request must specify at least one run_id.');
    if (runUuids.length > MAX_BULK_RUNS) {
      throw invalid(`GetMetricHistoryBulk request cannot specify more than ${MAX_BULK_RUNS} run_ids. Received ${runUuids.length} run_ids.`);
    }
    if (key === undefined) throw invalid('GetMetricHistoryBulk request must specify a metric_key.');
    const maxResults = Math.min(options.maxResults ?? MAX_HISTORY_PAGE, MAX_HISTORY_PAGE);
    if (!Number.isSafeInteger(maxResults) || maxResults < 1) throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be at least 1`);
    const rows = await this.db
      .selectFrom('metrics')
      .innerJoin('runs', 'runs.id', 'metrics.run_id')
      .select(['runs.uuid', 'metrics.step', 'metrics.timestamp', 'metrics.value', 'metrics.is_nan'])
      .where('runs.project_id', '=', access.project.id)
      .where('runs.uuid', 'in', [...new Set(runUuids)])
      .where('metrics.key', '=', key)
      .orderBy('runs.uuid')
      .orderBy('metrics.timestamp')
      .orderBy('metrics.step')
      .orderBy('metrics.value')
      .orderBy('metrics.is_nan')
      .limit(maxResults)
      .execute();
    return rows.map((row) => ({ runId: row.uuid, point: toPoint(key)(row) }));
  }

  /** Downsampled series of one metric for several runs of the project. */
  async seriesOfRuns(access: ProjectAccess, runUuids: string[], key: string, options: { startStep?: number; endStep?: number; maxPoints: number }) {
    const rows = await this.runs.getRows(access, [...new Set(runUuids)]);
    const { startStep, endStep, maxPoints } = options;
    // Whole series for many runs (a chart's first draw) are read in a few statements; a zoomed range per run.
    const series =
      startStep === undefined
        ? await downsampledSeriesOfRuns(
            this.db,
            this.dialect,
            rows.map((r) => r.id),
            key,
            maxPoints,
          ).then((byRun) => rows.map((r) => byRun.get(r.id) ?? []))
        : await Promise.all(rows.map((run) => downsampledSeries(this.db, run.id, key, { startStep, endStep, maxPoints })));
    return series.map((points, i) => ({ runId: rows[i]!.uuid, points }));
  }
}
