import { datasetSummaries } from '../tracking/dataset-summaries.ts';
import type { ArtifactEntry } from '../artifacts/artifacts-service.ts';
import { requestedPath, proxiedPath, under } from './artifact-paths.ts';
import {
  GetMetricHistoryBulk,
  GetMetricHistoryBulk_Response,
  ListArtifacts,
  ListArtifacts_Response,
  ListLoggedModelArtifacts,
  ListLoggedModelArtifacts_Response,
  ModelIdParams,
  SearchDatasets,
  SearchDatasets_Response,
  type FileInfo,
} from './contract.ts';
import { endpoint, type MlflowCall, type MlflowEndpoint } from './endpoint.ts';
import { MlflowErrors } from './errors.ts';
import { given, listed, protoDouble } from './proto-json.ts';

/** MLflow's cap on the experiments of one dataset search. */
const MAX_DATASET_SEARCH_EXPERIMENTS = 20;

/**
 * The listing of a directory under an artifact root (a run's or a logged model's), paths
 * relative to the root and sorted by path, as MLflow answers it. A root outside the project's
 * storage lists nothing: the server never reads another store.
 */
export async function listUnderRoot(call: Pick<MlflowCall, 'access' | 'services'>, rootUri: string, rawPath: string | undefined): Promise<FileInfo[]> {
  const path = requestedPath(rawPath);
  const root = proxiedPath(rootUri);
  if (root === null) return [];
  const entries: ArtifactEntry[] = await call.services.artifacts.list(call.access, under(root, path));
  return entries
    .map((e): FileInfo => ({ path: under(path, e.path), is_dir: e.isDir, ...(e.isDir ? {} : given('file_size', e.size)) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function runArtifactListing(call: Pick<MlflowCall, 'access' | 'services'>, runId: string, path: string | undefined): Promise<ListArtifacts_Response> {
  const checked = requestedPath(path);
  const run = await call.services.runs.getRow(call.access, runId);
  return { root_uri: run.artifact_uri, ...listed('files', await listUnderRoot(call, run.artifact_uri, checked)) };
}

/** What MLflow's web UI calls beyond the client's REST API (and the client's own artifact listing). */
export const UI_ENDPOINTS: MlflowEndpoint[] = [
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/artifacts/list',
    ability: 'ml:read',
    summary: "List a run's artifacts (paths relative to the run's artifact root)",
    request: ListArtifacts,
    response: ListArtifacts_Response,
    async handle(call) {
      const m = call.message;
      // The path is checked before the run is looked up, as MLflow does ("Invalid path" first).
      const path = m.string('path');
      requestedPath(path);
      return runArtifactListing(call, m.runId(), path);
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/metrics/get-history-bulk',
    ability: 'ml:read',
    summary: "Whole histories of one metric for up to 100 runs (the MLflow UI's charts)",
    request: GetMetricHistoryBulk,
    response: GetMetricHistoryBulk_Response,
    async handle(call) {
      const m = call.message;
      const points = await call.services.metrics.historyBulk(call.access, m.stringList('run_id'), m.string('metric_key'), { maxResults: m.int64('max_results') });
      return { metrics: points.map(({ runId, point }) => ({ key: point.key, value: protoDouble(point.value), timestamp: point.timestamp, step: point.step, run_id: runId })) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/experiments/search-datasets',
    ability: 'ml:read',
    summary: "The datasets the runs of some experiments used (the MLflow UI's dataset filter)",
    request: SearchDatasets,
    response: SearchDatasets_Response,
    async handle(call) {
      const raw = call.message.stringList('experiment_ids');
      if (raw.length === 0) throw MlflowErrors.DATASET_SEARCH_WITHOUT_EXPERIMENTS();
      if (raw.length > MAX_DATASET_SEARCH_EXPERIMENTS) throw MlflowErrors.DATASET_SEARCH_TOO_WIDE({ max: MAX_DATASET_SEARCH_EXPERIMENTS, received: raw.length });
      const experimentIds = await Promise.all(raw.map((id) => call.experimentId(id, 'experiment_ids')));
      const ids = await call.ids();
      const summaries = await datasetSummaries(call.services.db, call.access, experimentIds);
      return {
        dataset_summaries: summaries.map((s) => ({ experiment_id: ids.out(s.experimentId), name: s.name, digest: s.digest, ...given('context', s.context) })),
      };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/logged-models/:model_id/artifacts/directories',
    ability: 'ml:read',
    summary: "List a logged model's artifacts",
    request: ListLoggedModelArtifacts,
    params: ModelIdParams,
    response: ListLoggedModelArtifacts_Response,
    async handle(call) {
      const path = call.message.string('artifact_directory_path');
      requestedPath(path);
      const model = await call.services.loggedModels.get(call.access, call.params.model_id!);
      return { root_uri: model.artifactUri, ...listed('files', await listUnderRoot(call, model.artifactUri, path)) };
    },
  }),
];
