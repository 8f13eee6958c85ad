import type { MlflowCall, MlflowEndpoint } from './endpoint.ts';
import { withoutUnset } from './proto-json.ts';
import { presentModelVersion, presentRegisteredModel } from './registry-presenters.ts';

const name = (call: MlflowCall) => call.message.requiredString('name');
const version = (call: MlflowCall) => call.message.requiredString('version');

/** Every endpoint of MLflow 3's model_registry.proto that the client calls. */
export const REGISTRY_ENDPOINTS: MlflowEndpoint[] = [
  {
    method: 'POST',
    path: '/2.0/mlflow/registered-models/create',
    ability: 'ml:write',
    summary: 'Create a registered model',
    async handle(call) {
      const m = call.message;
      const model = await call.services.models.create(call.access, { name: m.string('name'), description: m.string('description'), tags: m.keyValues('tags') });
      return { registered_model: presentRegisteredModel(model) };
    },
  },
  {
    method: 'POST',
    path: '/2.0/mlflow/registered-models/rename',
    ability: 'ml:write',
    summary: 'Rename a registered model',
    async handle(call) {
      return { registered_model: presentRegisteredModel(await call.services.models.rename(call.access, name(call), call.message.string('new_name'))) };
    },
  },
  {
    method: 'PATCH',
    path: '/2.0/mlflow/registered-models/update',
    ability: 'ml:write',
    summary: "Update a registered model's description",
    async handle(call) {
      return { registered_model: presentRegisteredModel(await call.services.models.update(call.access, name(call), { description: call.message.string('description') ?? '' })) };
    },
  },
  {
    method: 'DELETE',
    path: '/2.0/mlflow/registered-models/delete',
    ability: 'ml:write',
    summary: 'Delete a registered model and its versions',
    async handle(call) {
      await call.services.models.delete(call.access, name(call));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/2.0/mlflow/registered-models/get',
    ability: 'ml:read',
    summary: 'Get a registered model',
    async handle(call) {
      return { registered_model: presentRegisteredModel(await call.services.models.get(call.access, name(call))) };
    },
  },
  {
    method: 'GET',
    path: '/2.0/mlflow/registered-models/search',
    ability: 'ml:read',
    summary: 'Search registered models',
    async handle(call) {
      const m = call.message;
      const result = await call.services.models.search(call.access, { filter: m.string('filter'), maxResults: m.int64('max_results'), orderBy: m.stringList('order_by'), pageToken: m.string('page_token') });
      return withoutUnset({ registered_models: result.models.length > 0 ? result.models.map(presentRegisteredModel) : undefined, next_page_token: result.nextPageToken });
    },
  },
  ...(['POST', 'GET'] as const).map(
    (method): MlflowEndpoint => ({
      method,
      path: '/2.0/mlflow/registered-models/get-latest-versions',
      ability: 'ml:read',
      summary: 'The latest version in each stage',
      async handle(call) {
        const versions = await call.services.versions.latestVersions(call.access, name(call), call.message.stringList('stages'));
        return withoutUnset({ model_versions: versions.length > 0 ? versions.map(presentModelVersion) : undefined });
      },
    }),
  ),
  {
    method: 'POST',
    path: '/2.0/mlflow/registered-models/set-tag',
    ability: 'ml:write',
    summary: 'Set a registered model tag',
    async handle(call) {
      await call.services.models.setTag(call.access, name(call), call.message.requiredString('key'), call.message.requiredPresentString('value'));
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/2.0/mlflow/registered-models/delete-tag',
    ability: 'ml:write',
    summary: 'Delete a registered model tag',
    async handle(call) {
      await call.services.models.deleteTag(call.access, name(call), call.message.requiredString('key'));
      return {};
    },
  },
  {
    method: 'POST',
    path: '/2.0/mlflow/registered-models/alias',
    ability: 'ml:write',
    summary: 'Point an alias at a version (protected aliases: maintainers only)',
    async handle(call) {
      await call.services.aliases.set(call.access, name(call), call.message.string('alias'), version(call));
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/2.0/mlflow/registered-models/alias',
    ability: 'ml:write',
    summary: 'Delete an alias',
    async handle(call) {
      await call.services.aliases.delete(call.access, name(call), call.message.string('alias'));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/2.0/mlflow/registered-models/alias',
    ability: 'ml:read',
    summary: 'The version an alias points at',
    async handle(call) {
      return { model_version: presentModelVersion(await call.services.aliases.resolve(call.access, name(call), call.message.string('alias'))) };
    },
  },
  {
    method: 'POST',
    path: '/2.0/mlflow/model-versions/create',
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
  },
  {
    method: 'PATCH',
    path: '/2.0/mlflow/model-versions/update',
    ability: 'ml:write',
    summary: "Update a version's description",
    async handle(call) {
      return { model_version: presentModelVersion(await call.services.versions.update(call.access, name(call), version(call), { description: call.message.string('description') ?? '' })) };
    },
  },
  {
    method: 'POST',
    path: '/2.0/mlflow/model-versions/transition-stage',
    ability: 'ml:write',
    summary: 'Move a version to a stage (MLflow stages, still accepted)',
    async handle(call) {
      const m = call.message;
      const moved = await call.services.versions.transitionStage(call.access, name(call), version(call), m.requiredString('stage'), m.bool('archive_existing_versions') ?? false);
      return { model_version: presentModelVersion(moved) };
    },
  },
  {
    method: 'DELETE',
    path: '/2.0/mlflow/model-versions/delete',
    ability: 'ml:write',
    summary: 'Delete a model version',
    async handle(call) {
      await call.services.versions.delete(call.access, name(call), version(call));
      return {};
    },
  },
  {
    method: 'GET',
    path: '/2.0/mlflow/model-versions/get',
    ability: 'ml:read',
    summary: 'Get a model version',
    async handle(call) {
      return { model_version: presentModelVersion(await call.services.versions.get(call.access, name(call), version(call))) };
    },
  },
  {
    method: 'GET',
    path: '/2.0/mlflow/model-versions/search',
    ability: 'ml:read',
    summary: 'Search model versions',
    async handle(call) {
      const m = call.message;
      const result = await call.services.versions.search(call.access, { filter: m.string('filter'), maxResults: m.int64('max_results'), orderBy: m.stringList('order_by'), pageToken: m.string('page_token') });
      return withoutUnset({ model_versions: result.versions.length > 0 ? result.versions.map(presentModelVersion) : undefined, next_page_token: result.nextPageToken });
    },
  },
  {
    method: 'GET',
    path: '/2.0/mlflow/model-versions/get-download-uri',
    ability: 'ml:read',
    summary: "Where a version's files are downloaded from",
    async handle(call) {
      return { artifact_uri: await call.services.versions.downloadUri(call.access, name(call), version(call), call.services.publicUrl) };
    },
  },
  {
    method: 'POST',
    path: '/2.0/mlflow/model-versions/set-tag',
    ability: 'ml:write',
    summary: 'Set a model version tag',
    async handle(call) {
      await call.services.versions.setTag(call.access, name(call), version(call), call.message.requiredString('key'), call.message.requiredPresentString('value'));
      return {};
    },
  },
  {
    method: 'DELETE',
    path: '/2.0/mlflow/model-versions/delete-tag',
    ability: 'ml:write',
    summary: 'Delete a model version tag',
    async handle(call) {
      await call.services.versions.deleteTag(call.access, name(call), version(call), call.message.requiredString('key'));
      return {};
    },
  },
];
