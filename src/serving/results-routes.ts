import { accessOf } from '../auth/request-context.ts';
import { replies } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { ResultsParams, ResultsQuery, ServingResults } from './contract.ts';
import type { ServingResultsService } from './results.ts';

/** Per-variant serving results of an environment's current series (or of one deployment's). */
export async function resultsRoutes(app: App, deps: { results: ServingResultsService }): Promise<void> {
  app.get(
    '/api/v4/projects/:id/environments/:environment_id/results',
    {
      config: { ability: 'deployments:read' },
      schema: {
        tags: ['serving'],
        summary: 'Per-variant results: requests, errors, latency percentiles, mean reward with its interval, probability of being best',
        params: ResultsParams,
        querystring: ResultsQuery,
        response: replies({ 200: ServingResults }),
      },
    },
    async (request) => deps.results.results(accessOf(request), request.params.environment_id, request.query.deployment_id),
  );
}
