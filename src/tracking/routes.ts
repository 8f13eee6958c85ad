import { Type } from 'typebox';
import type { Kysely } from 'kysely';
import type { Schema } from '../db/schema.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NumericId, ProjectIdParams, SafeInteger } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { invalid } from '../shared/errors.ts';
import type { ExperimentsService, ViewType } from './experiments-service.ts';
import { MAX_BULK_RUNS, MAX_HISTORY_PAGE, MAX_POINTS_PER_RUN, type MetricsService } from './metrics-service.ts';
import { presentExperimentNative, presentPoint, presentRunNative } from './presenters.ts';
import type { RunsService } from './runs-service.ts';
import { searchRuns } from './search/run-search.ts';

const ViewTypeQuery = Type.Optional(Type.Union([Type.Literal('ACTIVE_ONLY'), Type.Literal('DELETED_ONLY'), Type.Literal('ALL')]));
const ExperimentParams = Type.Intersect([ProjectIdParams, Type.Object({ experiment_id: NumericId })]);
const RunParams = Type.Intersect([ProjectIdParams, Type.Object({ run_id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })]);
const MetricParams = Type.Intersect([RunParams, Type.Object({ key: Type.String({ minLength: 1, maxLength: 250 }) })]);
const StepRange = {
  start_step: Type.Optional(SafeInteger),
  end_step: Type.Optional(SafeInteger),
  max_points: Type.Optional(Type.Integer({ minimum: 4, maximum: MAX_POINTS_PER_RUN })),
};

function stepRange(query: { start_step?: number; end_step?: number }) {
  if ((query.start_step === undefined) !== (query.end_step === undefined)) throw invalid('start_step and end_step go together');
  if (query.start_step !== undefined && query.end_step !== undefined && query.start_step > query.end_step) throw invalid('start_step must not be after end_step');
  return { startStep: query.start_step, endStep: query.end_step };
}

/**
 * The native tracking API for the web UI and curl: the same services as the MLflow adapter,
 * GitLab's conventions (integer ids, `page`/`per_page` on lists).
 */
export async function trackingRoutes(app: App, deps: { db: Kysely<Schema>; experiments: ExperimentsService; runs: RunsService; metrics: MetricsService }): Promise<void> {
  const { experiments, runs, metrics } = deps;

  app.get(
    '/api/v4/projects/:id/ml/experiments',
    { config: { ability: 'ml:read' }, schema: { tags: ['tracking'], summary: "List a project's experiments", params: ProjectIdParams, querystring: Type.Intersect([PaginationQuery, Type.Object({ view_type: ViewTypeQuery })]) } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await experiments.list(accessOf(request), { ...window, viewType: (request.query.view_type as ViewType | undefined) ?? 'ACTIVE_ONLY' });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentExperimentNative) });
    },
  );

  app.get('/api/v4/projects/:id/ml/experiments/:experiment_id', { config: { ability: 'ml:read' }, schema: { tags: ['tracking'], summary: 'One experiment', params: ExperimentParams } }, async (request) =>
    presentExperimentNative(await experiments.get(accessOf(request), request.params.experiment_id)),
  );

  app.delete('/api/v4/projects/:id/ml/experiments/:experiment_id', { config: { ability: 'ml:write' }, schema: { tags: ['tracking'], summary: 'Delete an experiment and its runs', params: ExperimentParams } }, async (request, reply) => {
    await experiments.setLifecycle(accessOf(request), request.params.experiment_id, 'deleted');
    return reply.status(204).send();
  });

  app.get(
    '/api/v4/projects/:id/ml/runs',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags: ['tracking'],
        summary: 'Search runs with the MLflow filter grammar (plus OR and parentheses), or fetch up to 100 runs by id',
        params: ProjectIdParams,
        querystring: Type.Object({
          experiment_id: Type.Optional(Type.Array(NumericId, { minItems: 1, maxItems: 100 })),
          run_id: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9a-f]{32}$' }), { minItems: 1, maxItems: MAX_BULK_RUNS })),
          filter: Type.Optional(Type.String({ maxLength: 10_000 })),
          order_by: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 10 })),
          view_type: ViewTypeQuery,
          max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
          page_token: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (request) => {
      const q = request.query;
      if (q.run_id) {
        // A comparison page needs a hundred known runs at once: one request instead of a hundred.
        if (q.experiment_id || q.filter !== undefined || q.order_by || q.view_type || q.max_results !== undefined || q.page_token !== undefined) {
          throw invalid('run_id lists runs by id and takes none of experiment_id, filter, order_by, view_type, max_results or page_token');
        }
        return { runs: (await runs.getMany(accessOf(request), q.run_id)).map(presentRunNative), next_page_token: null };
      }
      if (!q.experiment_id) throw invalid('experiment_id (to search) or run_id (to fetch runs by id) is required');
      const result = await searchRuns(deps.db, accessOf(request), {
        experimentIds: q.experiment_id,
        filter: q.filter,
        orderBy: q.order_by,
        runViewType: q.view_type as ViewType | undefined,
        maxResults: q.max_results ?? 100,
        pageToken: q.page_token,
      });
      return { runs: result.runs.map(presentRunNative), next_page_token: result.nextPageToken ?? null };
    },
  );

  app.get('/api/v4/projects/:id/ml/runs/:run_id', { config: { ability: 'ml:read' }, schema: { tags: ['tracking'], summary: 'One run', params: RunParams } }, async (request) =>
    presentRunNative(await runs.get(accessOf(request), request.params.run_id)),
  );

  app.delete('/api/v4/projects/:id/ml/runs/:run_id', { config: { ability: 'ml:write' }, schema: { tags: ['tracking'], summary: 'Delete a run (restorable through MLflow)', params: RunParams } }, async (request, reply) => {
    await runs.setLifecycle(accessOf(request), request.params.run_id, 'deleted');
    return reply.status(204).send();
  });

  app.get(
    '/api/v4/projects/:id/ml/runs/:run_id/metrics/:key/history',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags: ['tracking'],
        summary: "A metric's full history, in pages of up to 25000 points",
        params: MetricParams,
        querystring: Type.Object({ max_results: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE })), page_token: Type.Optional(Type.String({ maxLength: 500 })) }),
      },
    },
    async (request) => {
      const page = await metrics.history(accessOf(request), request.params.run_id, request.params.key, { maxResults: request.query.max_results, pageToken: request.query.page_token });
      return { key: request.params.key, points: page.points.map(presentPoint), next_page_token: page.nextPageToken ?? null };
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/metrics/series',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags: ['tracking'],
        summary: 'Downsampled series of one metric for up to 100 runs; every bucket keeps its minimum and maximum',
        params: ProjectIdParams,
        querystring: Type.Object({ run_id: Type.Array(Type.String({ pattern: '^[0-9a-f]{32}$' }), { minItems: 1, maxItems: MAX_BULK_RUNS }), key: Type.String({ minLength: 1, maxLength: 250 }), ...StepRange }),
      },
    },
    async (request) => {
      const access = accessOf(request);
      const range = stepRange(request.query);
      const maxPoints = request.query.max_points ?? 1000;
      const series = await metrics.seriesOfRuns(access, request.query.run_id, request.query.key, { ...range, maxPoints });
      return { key: request.query.key, series: series.map((s) => ({ run_id: s.runId, points: s.points.map(presentPoint) })) };
    },
  );
}
