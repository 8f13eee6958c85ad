import { endpoint, type MlflowCall, type MlflowEndpoint } from './endpoint.ts';
import { given, listed } from './proto-json.ts';
import {
  CreateModelVersion,
  CreateModelVersion_Response,
  CreateRegisteredModel,
  CreateRegisteredModel_Response,
  DeleteModelVersion,
  DeleteModelVersionTag,
  DeleteModelVersionTag_Response,
  DeleteModelVersion_Response,
  DeleteRegisteredModel,
  DeleteRegisteredModelAlias,
  DeleteRegisteredModelAlias_Response,
  DeleteRegisteredModelTag,
  DeleteRegisteredModelTag_Response,
  DeleteRegisteredModel_Response,
  GetLatestVersions,
  GetLatestVersions_Response,
  GetModelVersion,
  GetModelVersionByAlias,
  GetModelVersionByAlias_Response,
  GetModelVersionDownloadUri,
  GetModelVersionDownloadUri_Response,
  GetModelVersion_Response,
  GetRegisteredModel,
  GetRegisteredModel_Response,
  RenameRegisteredModel,
  RenameRegisteredModel_Response,
  SearchModelVersions,
  SearchModelVersions_Response,
  SearchRegisteredModels,
  SearchRegisteredModels_Response,
  SetModelVersionTag,
  SetModelVersionTag_Response,
  SetRegisteredModelAlias,
  SetRegisteredModelAlias_Response,
  SetRegisteredModelTag,
  SetRegisteredModelTag_Response,
  TransitionModelVersionStage,
  TransitionModelVersionStage_Response,
  UpdateModelVersion,
  UpdateModelVersion_Response,
  UpdateRegisteredModel,
  UpdateRegisteredModel_Response,
} from './contract.ts';

import { presentModelVersion, presentRegisteredModel } from './registry-presenters.ts';

const name = (call: MlflowCall) => call.message.requiredString('name');
const version = (call: MlflowCall) => call.message.requiredString('version');

/** Every endpoint of MLflow 3's model_registry.proto that the client calls. */
export const REGISTRY_ENDPOINTS: MlflowEndpoint[] = [
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/registered-models/create',
    request: CreateRegisteredModel,
    response: CreateRegisteredModel_Response,
    ability: 'ml:write',
    summary: 'Create a registered model',
    async handle(call) {
      const m = call.message;
      const model = await call.services.models.create(call.access, { name: m.string('name'), description: m.string('description'), tags: m.keyValues('tags') });
      return { registered_model: presentRegisteredModel(model) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/registered-models/rename',
    request: RenameRegisteredModel,
    response: RenameRegisteredModel_Response,
    ability: 'ml:write',
    summary: 'Rename a registered model',
    async handle(call) {
      return { registered_model: presentRegisteredModel(await call.services.models.rename(call.access, name(call), call.message.string('new_name'))) };
    },
  }),
  endpoint({
    method: 'PATCH',
    path: '/2.0/mlflow/registered-models/update',
    request: UpdateRegisteredModel,
    response: UpdateRegisteredModel_Response,
    ability: 'ml:write',
    summary: "Update a registered model's description",
    async handle(call) {
      return { registered_model: presentRegisteredModel(await call.services.models.update(call.access, name(call), { description: call.message.string('description') ?? '' })) };
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/registered-models/delete',
    request: DeleteRegisteredModel,
    response: DeleteRegisteredModel_Response,
    ability: 'ml:write',
    summary: 'Delete a registered model and its versions',
    async handle(call) {
      await call.services.models.delete(call.access, name(call));
      return {};
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/registered-models/get',
    request: GetRegisteredModel,
    response: GetRegisteredModel_Response,
    ability: 'ml:read',
    summary: 'Get a registered model',
    async handle(call) {
      return { registered_model: presentRegisteredModel(await call.services.models.get(call.access, name(call))) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/registered-models/search',
    request: SearchRegisteredModels,
    response: SearchRegisteredModels_Response,
    ability: 'ml:read',
    summary: 'Search registered models',
    async handle(call) {
      const m = call.message;
      const result = await call.services.models.search(call.access, {
        filter: m.string('filter'),
        maxResults: m.int64('max_results'),
        orderBy: m.stringList('order_by'),
        pageToken: m.string('page_token'),
      });
      return { ...listed('registered_models', result.models.map(presentRegisteredModel)), ...given('next_page_token', result.nextPageToken) };
    },
  }),
  ...(['POST', 'GET'] as const).map((method) =>
    endpoint({
      method,
      path: '/2.0/mlflow/registered-models/get-latest-versions',
      request: GetLatestVersions,
      response: GetLatestVersions_Response,
      ability: 'ml:read',
      summary: 'The latest version in each stage',
      async handle(call) {
        const versions = await call.services.versions.latestVersions(call.access, name(call), call.message.stringList('stages'));
        return listed('model_versions', versions.map(presentModelVersion));
      },
    }),
  ),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/registered-models/set-tag',
    request: SetRegisteredModelTag,
    response: SetRegisteredModelTag_Response,
    ability: 'ml:write',
    summary: 'Set a registered model tag',
    async handle(call) {
      await call.services.models.setTag(call.access, name(call), call.message.requiredString('key'), call.message.requiredPresentString('value'));
      return {};
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/registered-models/delete-tag',
    request: DeleteRegisteredModelTag,
    response: DeleteRegisteredModelTag_Response,
    ability: 'ml:write',
    summary: 'Delete a registered model tag',
    async handle(call) {
      await call.services.models.deleteTag(call.access, name(call), call.message.requiredString('key'));
      return {};
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/registered-models/alias',
    request: SetRegisteredModelAlias,
    response: SetRegisteredModelAlias_Response,
    ability: 'ml:write',
    summary: 'Point an alias at a version (protected aliases: maintainers only)',
    async handle(call) {
      await call.services.aliases.set(call.access, name(call), call.message.string('alias'), version(call));
      return {};
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/registered-models/alias',
    request: DeleteRegisteredModelAlias,
    response: DeleteRegisteredModelAlias_Response,
    ability: 'ml:write',
    summary: 'Delete an alias',
    async handle(call) {
      await call.services.aliases.delete(call.access, name(call), call.message.string('alias'));
      return {};
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/registered-models/alias',
    request: GetModelVersionByAlias,
    response: GetModelVersionByAlias_Response,
    ability: 'ml:read',
    summary: 'The version an alias points at',
    async handle(call) {
      return { model_version: presentModelVersion(await call.services.aliases.resolve(call.access, name(call), call.message.string('alias'))) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/model-versions/create',
    request: CreateModelVersion,
    response: CreateModelVersion_Response,
    ability: 'ml:write',
    summary: 'Create a model version (semver from the modelyard.semver or gitlab.version tag, or the next patch)',
    async handle(call) {
      const m = call.message;
      const created = await call.services.versions.create(call.access, {
        name: name(call),
        source: m.string('source'),
        runId: m.string('run_id') || undefined,
        modelId: m.string('model_id') || undefined,
        tags: m.keyValues('tags'),
        description: m.string('description'),
      });
      return { model_version: presentModelVersion(created) };
    },
  }),
  endpoint({
    method: 'PATCH',
    path: '/2.0/mlflow/model-versions/update',
    request: UpdateModelVersion,
    response: UpdateModelVersion_Response,
    ability: 'ml:write',
    summary: "Update a version's description",
    async handle(call) {
      return { model_version: presentModelVersion(await call.services.versions.update(call.access, name(call), version(call), { description: call.message.string('description') ?? '' })) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/model-versions/transition-stage',
    request: TransitionModelVersionStage,
    response: TransitionModelVersionStage_Response,
    ability: 'ml:write',
    summary: 'Move a version to a stage (MLflow stages, still accepted)',
    async handle(call) {
      const m = call.message;
      const moved = await call.services.versions.transitionStage(call.access, name(call), version(call), m.requiredString('stage'), m.bool('archive_existing_versions') ?? false);
      return { model_version: presentModelVersion(moved) };
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/model-versions/delete',
    request: DeleteModelVersion,
    response: DeleteModelVersion_Response,
    ability: 'ml:write',
    summary: 'Delete a model version',
    async handle(call) {
      await call.services.versions.delete(call.access, name(call), version(call));
      return {};
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/model-versions/get',
    request: GetModelVersion,
    response: GetModelVersion_Response,
    ability: 'ml:read',
    summary: 'Get a model version',
    async handle(call) {
      return { model_version: presentModelVersion(await call.services.versions.get(call.access, name(call), version(call))) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/model-versions/search',
    request: SearchModelVersions,
    response: SearchModelVersions_Response,
    ability: 'ml:read',
    summary: 'Search model versions',
    async handle(call) {
      const m = call.message;
      const result = await call.services.versions.search(call.access, {
        filter: m.string('filter'),
        maxResults: m.int64('max_results'),
        orderBy: m.stringList('order_by'),
        pageToken: m.string('page_token'),
      });
      return { ...listed('model_versions', result.versions.map(presentModelVersion)), ...given('next_page_token', result.nextPageToken) };
    },
  }),
  endpoint({
    method: 'GET',
    path: '/2.0/mlflow/model-versions/get-download-uri',
    request: GetModelVersionDownloadUri,
    response: GetModelVersionDownloadUri_Response,
    ability: 'ml:read',
    summary: "Where a version's files are downloaded from",
    async handle(call) {
      return { artifact_uri: await call.services.versions.downloadUri(call.access, name(call), version(call), call.services.publicUrl) };
    },
  }),
  endpoint({
    method: 'POST',
    path: '/2.0/mlflow/model-versions/set-tag',
    request: SetModelVersionTag,
    response: SetModelVersionTag_Response,
    ability: 'ml:write',
    summary: 'Set a model version tag',
    async handle(call) {
      await call.services.versions.setTag(call.access, name(call), version(call), call.message.requiredString('key'), call.message.requiredPresentString('value'));
      return {};
    },
  }),
  endpoint({
    method: 'DELETE',
    path: '/2.0/mlflow/model-versions/delete-tag',
    request: DeleteModelVersionTag,
    response: DeleteModelVersionTag_Response,
    ability: 'ml:write',
    summary: 'Delete a model version tag',
    async handle(call) {
      await call.services.versions.deleteTag(call.access, name(call), version(call), call.message.requiredString('key'));
      return {};
    },
  }),
];
