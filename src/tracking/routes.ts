import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { pageWindow, sendPage } from '../http/pagination.ts';
import { answerUnlessUnchanged } from '../http/entity-tag.ts';
import { NoContent, replies, writtenByJsonStringify } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import {
  ExperimentNative,
  ExperimentParams,
  ExperimentsQuery,
  MetricHistoryNative,
  MetricHistoryQuery,
  MetricParams,
  MetricSeriesNative,
  MetricSeriesQuery,
  SeriesNotModified,
  RunLoggedModelNative,
  RunNative,
  RunKeysNative,
  RunParams,
  RunsPageNative,
  RunsQuery,
} from './contract.ts';
import type { ExperimentsService } from './experiments-service.ts';
import type { LoggedModelsService } from './logged-models-service.ts';
import type { MetricsService } from './metrics-service.ts';
import { presentExperimentNative, presentMetricHistory, presentMetricSeries, presentRunLoggedModel, presentRunNative } from './presenters.ts';
import type { RunsService } from './runs-service.ts';

const tags = ['tracking'];

/** The answers that carry thousands of runs or points (src/http/responses.ts says why). */
const bulkJson = writtenByJsonStringify;

/**
 * The native tracking API for the web UI and curl: the same services as the MLflow adapter,
 * GitLab's conventions (integer ids, `page`/`per_page` on lists).
 */
export async function trackingRoutes(app: App, deps: { experiments: ExperimentsService; runs: RunsService; metrics: MetricsService; loggedModels: LoggedModelsService }): Promise<void> {
  const { experiments, runs, metrics, loggedModels } = deps;

  app.get(
    '/api/v4/projects/:id/ml/experiments',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: "List a project's experiments", params: ProjectIdParams, querystring: ExperimentsQuery, response: replies({ 200: Type.Array(ExperimentNative) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await experiments.list(accessOf(request), { ...window, viewType: request.query.view_type ?? 'ACTIVE_ONLY' });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentExperimentNative) });
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/experiments/:experiment_id',
    { config: { ability: 'ml:read' }, schema: { tags, summary: 'One experiment', params: ExperimentParams, response: replies({ 200: ExperimentNative }) } },
    async (request) => presentExperimentNative(await experiments.get(accessOf(request), request.params.experiment_id)),
  );

  app.get(
    '/api/v4/projects/:id/ml/experiments/:experiment_id/run_keys',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: "The metric, param and tag keys of all the experiment's runs", params: ExperimentParams, response: replies({ 200: RunKeysNative }) },
    },
    async (request) => runs.keysOf(accessOf(request), request.params.experiment_id),
  );

  app.delete(
    '/api/v4/projects/:id/ml/experiments/:experiment_id',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete an experiment and its runs', params: ExperimentParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await experiments.setLifecycle(accessOf(request), request.params.experiment_id, 'deleted');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/runs',
    {
      config: { ability: 'ml:read' },
      ...bulkJson,
      schema: {
        tags,
        summary: 'Search runs with the MLflow filter grammar (plus OR and parentheses), or fetch up to 100 runs by id',
        params: ProjectIdParams,
        querystring: RunsQuery,
        response: replies({ 200: RunsPageNative }),
      },
    },
    async (request) => {
      const q = request.query;
      const found = await runs.find(accessOf(request), {
        runIds: q.run_id,
        experimentIds: q.experiment_id,
        filter: q.filter,
        orderBy: q.order_by,
        viewType: q.view_type,
        maxResults: q.max_results,
        pageToken: q.page_token,
      });
      return { runs: found.runs.map(presentRunNative), next_page_token: found.nextPageToken ?? null };
    },
  );

  app.get('/api/v4/projects/:id/ml/runs/:run_id', { config: { ability: 'ml:read' }, schema: { tags, summary: 'One run', params: RunParams, response: replies({ 200: RunNative }) } }, async (request) =>
    presentRunNative(await runs.get(accessOf(request), request.params.run_id)),
  );

  app.get(
    '/api/v4/projects/:id/ml/runs/:run_id/logged_models',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: 'The models a run logged, with where their files are', params: RunParams, response: replies({ 200: Type.Array(RunLoggedModelNative) }) },
    },
    async (request) => (await loggedModels.ofRun(accessOf(request), request.params.run_id)).map(presentRunLoggedModel),
  );

  app.delete(
    '/api/v4/projects/:id/ml/runs/:run_id',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete a run (restorable through MLflow)', params: RunParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await runs.setLifecycle(accessOf(request), request.params.run_id, 'deleted');
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/runs/:run_id/metrics/:key/history',
    {
      config: { ability: 'ml:read' },
      ...bulkJson,
      schema: {
        tags,
        summary: "A metric's full history, in pages of up to 25000 points",
        params: MetricParams,
        querystring: MetricHistoryQuery,
        response: replies({ 200: MetricHistoryNative }),
      },
    },
    async (request) => {
      const { run_id: runId, key } = request.params;
      return presentMetricHistory(key, await metrics.history(accessOf(request), runId, key, { maxResults: request.query.max_results, pageToken: request.query.page_token }));
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/metrics/series',
    {
      config: { ability: 'ml:read' },
      ...bulkJson,
      schema: {
        tags,
        summary: 'Downsampled series of one metric for up to 100 runs; every bucket keeps its minimum and maximum',
        description: 'Answers with an ETag; a request with that tag in If-None-Match gets 304 until a point is logged that changes the series (how the web UI follows a running run).',
        params: ProjectIdParams,
        querystring: MetricSeriesQuery,
        response: replies({ 200: MetricSeriesNative, 304: SeriesNotModified }),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const series = presentMetricSeries(q.key, await metrics.series(accessOf(request), q.run_id, q.key, { startStep: q.start_step, endStep: q.end_step, maxPoints: q.max_points }));
      return answerUnlessUnchanged(request, reply, series);
    },
  );
}
