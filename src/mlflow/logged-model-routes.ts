import { LOGGED_MODEL_STATUSES, type LoggedModelStatus } from '../tracking/logged-models-service.ts';
import { given } from './proto-json.ts';
import { endpoint, type MlflowEndpoint } from './endpoint.ts';
import {
  CreateLoggedModel,
  CreateLoggedModel_Response,
  DeleteLoggedModel,
  DeleteLoggedModelTag,
  DeleteLoggedModelTag_Response,
  DeleteLoggedModel_Response,
  FinalizeLoggedModel,
  FinalizeLoggedModel_Response,
  GetLoggedModel,
  GetLoggedModel_Response,
  LogLoggedModelParamsRequest,
  LogLoggedModelParamsRequest_Response,
  ModelIdParams,
  ModelTagParams,
  SearchLoggedModels,
  SearchLoggedModels_Response,
  SetLoggedModelTags,
  SetLoggedModelTags_Response,
} from './contract.ts';

import { presentLoggedModel } from './tracking-presenters.ts';

/** MLflow 3's LoggedModel endpoints, which `mlflow.<flavor>.log_model` calls and has no fallback for. */
export const LOGGED_MODEL_ENDPOINTS: MlflowEndpoint[] = [
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/logged-models',
    request: CreateLoggedModel,
    response: CreateLoggedModel_Response,
    ability: 'ml:write',
    summary: 'Create a logged model (status PENDING until finalized)',
    async handle(call) {
      const m = call.message;
      const model = await call.services.loggedModels.create(call.access, {
        experimentId: await call.experimentId(m.requiredString('experiment_id')),
        name: m.string('name'),
        modelType: m.string('model_type'),
        sourceRunId: m.string('source_run_id'),
        params: m.keyValues('params'),
        tags: m.keyValues('tags'),
      });
      return { model: presentLoggedModel(model, await call.ids()) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/logged-models/:model_id',
    request: GetLoggedModel,
    response: GetLoggedModel_Response,
    params: ModelIdParams,
    ability: 'ml:read',
    summary: 'Get a logged model',
    async handle(call) {
      return { model: presentLoggedModel(await call.services.loggedModels.get(call.access, call.params.model_id!), await call.ids()) };
    },
  }),
  endpoint({
    method: 'PATCH',
    path: '/2.0/mlflow/logged-models/:model_id',
    request: FinalizeLoggedModel,
    response: FinalizeLoggedModel_Response,
    params: ModelIdParams,
    ability: 'ml:write',
    summary: 'Finalize a logged model (READY or UPLOAD_FAILED)',
    async handle(call) {
      const status = call.message.enumValue<LoggedModelStatus>('status', LOGGED_MODEL_STATUSES) ?? call.message.missing('status');
      return { model: presentLoggedModel(await call.services.loggedModels.finalize(call.access, call.params.model_id!, status), await call.ids()) };
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/logged-models/:model_id',
    request: DeleteLoggedModel,
    response: DeleteLoggedModel_Response,
    params: ModelIdParams,
    ability: 'ml:write',
    summary: 'Delete a logged model',
    async handle(call) {
      await call.services.loggedModels.delete(call.access, call.params.model_id!);
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/logged-models/search',
    request: SearchLoggedModels,
    response: SearchLoggedModels_Response,
    ability: 'ml:read',
    summary: 'Search logged models',
    async handle(call) {
      const m = call.message;
      const experimentIds = await Promise.all(m.stringList('experiment_ids').map((id) => call.experimentId(id, 'experiment_ids')));
      const result = await call.services.loggedModels.search(call.access, {
        experimentIds,
        filter: m.string('filter'),
        datasets: m.messages('datasets').map((d) => ({ name: d.requiredString('dataset_name'), digest: d.string('dataset_digest') || undefined })),
        maxResults: m.int64('max_results'),
        orderBy: m.messages('order_by').map((o) => ({ fieldName: o.requiredString('field_name'), ascending: o.bool('ascending') ?? true })),
        pageToken: m.string('page_token'),
      });
      const ids = await call.ids();
      return { models: result.models.map((model) => presentLoggedModel(model, ids)), ...given('next_page_token', result.nextPageToken) };
    },
  }),
  endpoint({
    method: 'PATCH',
    path: '/2.0/mlflow/logged-models/:model_id/tags',
    request: SetLoggedModelTags,
    response: SetLoggedModelTags_Response,
    params: ModelIdParams,
    ability: 'ml:write',
    summary: 'Set tags on a logged model',
    async handle(call) {
      await call.services.loggedModels.setTags(call.access, call.params.model_id!, call.message.keyValues('tags'));
      return {};
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/logged-models/:model_id/tags/:tag_key',
    request: DeleteLoggedModelTag,
    response: DeleteLoggedModelTag_Response,
    params: ModelTagParams,
    ability: 'ml:write',
    summary: 'Delete a tag of a logged model',
    async handle(call) {
      await call.services.loggedModels.deleteTag(call.access, call.params.model_id!, call.params.tag_key!);
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/logged-models/:model_id/params',
    request: LogLoggedModelParamsRequest,
    response: LogLoggedModelParamsRequest_Response,
    params: ModelIdParams,
    ability: 'ml:write',
    summary: 'Log params on a logged model',
    async handle(call) {
      await call.services.loggedModels.logParams(call.access, call.params.model_id!, call.message.keyValues('params'));
      return {};
    },
  }),
];
