import { Type, type Static } from 'typebox';
import { ModelVersion, RegisteredModel } from './entities.ts';
import { BoolIn, EmptyResponse, Int64In, KeyValueIn, RequestMessage, ResponseMessage, StringsIn } from './message-spec.ts';

/** model_registry.proto's messages, as Modelyard serves them. */

const Name = Type.String({ description: 'The registered model name' });
const Version = Type.String({ description: "MLflow's integer version, as a string" });
const Description = Type.Optional(Type.String({ description: 'The model card, in Markdown' }));
const SearchFields = {
  filter: Type.Optional(Type.String()),
  max_results: Type.Optional(Int64In),
  order_by: Type.Optional(StringsIn),
  page_token: Type.Optional(Type.String()),
};

export const CreateRegisteredModel = RequestMessage('CreateRegisteredModel', { name: Name, tags: Type.Optional(Type.Array(KeyValueIn('RegisteredModelTag'))), description: Description });
export const CreateRegisteredModel_Response = ResponseMessage('CreateRegisteredModel_Response', { registered_model: RegisteredModel });
export type CreateRegisteredModel_Response = Static<typeof CreateRegisteredModel_Response>;

export const RenameRegisteredModel = RequestMessage('RenameRegisteredModel', { name: Name, new_name: Type.Optional(Type.String()) });
export const RenameRegisteredModel_Response = ResponseMessage('RenameRegisteredModel_Response', { registered_model: RegisteredModel });
export type RenameRegisteredModel_Response = Static<typeof RenameRegisteredModel_Response>;

export const UpdateRegisteredModel = RequestMessage('UpdateRegisteredModel', { name: Name, description: Description });
export const UpdateRegisteredModel_Response = ResponseMessage('UpdateRegisteredModel_Response', { registered_model: RegisteredModel });
export type UpdateRegisteredModel_Response = Static<typeof UpdateRegisteredModel_Response>;

export const DeleteRegisteredModel = RequestMessage('DeleteRegisteredModel', { name: Name });
export const DeleteRegisteredModel_Response = EmptyResponse('DeleteRegisteredModel_Response');

export const GetRegisteredModel = RequestMessage('GetRegisteredModel', { name: Name });
export const GetRegisteredModel_Response = ResponseMessage('GetRegisteredModel_Response', { registered_model: RegisteredModel });
export type GetRegisteredModel_Response = Static<typeof GetRegisteredModel_Response>;

export const SearchRegisteredModels = RequestMessage('SearchRegisteredModels', SearchFields);
export const SearchRegisteredModels_Response = ResponseMessage('SearchRegisteredModels_Response', {
  registered_models: Type.Optional(Type.Array(RegisteredModel)),
  next_page_token: Type.Optional(Type.String()),
});
export type SearchRegisteredModels_Response = Static<typeof SearchRegisteredModels_Response>;

export const GetLatestVersions = RequestMessage('GetLatestVersions', { name: Name, stages: Type.Optional(StringsIn) });
export const GetLatestVersions_Response = ResponseMessage('GetLatestVersions_Response', { model_versions: Type.Optional(Type.Array(ModelVersion)) });
export type GetLatestVersions_Response = Static<typeof GetLatestVersions_Response>;

export const SetRegisteredModelTag = RequestMessage('SetRegisteredModelTag', { name: Name, key: Type.String(), value: Type.String() });
export const SetRegisteredModelTag_Response = EmptyResponse('SetRegisteredModelTag_Response');
export const DeleteRegisteredModelTag = RequestMessage('DeleteRegisteredModelTag', { name: Name, key: Type.String() });
export const DeleteRegisteredModelTag_Response = EmptyResponse('DeleteRegisteredModelTag_Response');

export const SetRegisteredModelAlias = RequestMessage('SetRegisteredModelAlias', { name: Name, alias: Type.String(), version: Version });
export const SetRegisteredModelAlias_Response = EmptyResponse('SetRegisteredModelAlias_Response');
export const DeleteRegisteredModelAlias = RequestMessage('DeleteRegisteredModelAlias', { name: Name, alias: Type.String() });
export const DeleteRegisteredModelAlias_Response = EmptyResponse('DeleteRegisteredModelAlias_Response');
export const GetModelVersionByAlias = RequestMessage('GetModelVersionByAlias', { name: Name, alias: Type.String() });
export const GetModelVersionByAlias_Response = ResponseMessage('GetModelVersionByAlias_Response', { model_version: ModelVersion });
export type GetModelVersionByAlias_Response = Static<typeof GetModelVersionByAlias_Response>;

export const CreateModelVersion = RequestMessage('CreateModelVersion', {
  name: Name,
  source: Type.String({
    description: "Where the files are: models:/<model_id>, runs:/<run_id>/<path>, mlflow-artifacts:/<path>, or any other URI MLflow accepts (stored as given; read only through the project's storage)",
  }),
  run_id: Type.Optional(Type.String()),
  tags: Type.Optional(Type.Array(KeyValueIn('ModelVersionTag'))),
  run_link: Type.Optional(Type.String()),
  description: Description,
  model_id: Type.Optional(Type.String({ description: 'The logged model this version registers' })),
});
export const CreateModelVersion_Response = ResponseMessage('CreateModelVersion_Response', { model_version: ModelVersion });
export type CreateModelVersion_Response = Static<typeof CreateModelVersion_Response>;

export const UpdateModelVersion = RequestMessage('UpdateModelVersion', { name: Name, version: Version, description: Description });
export const UpdateModelVersion_Response = ResponseMessage('UpdateModelVersion_Response', { model_version: ModelVersion });
export type UpdateModelVersion_Response = Static<typeof UpdateModelVersion_Response>;

export const TransitionModelVersionStage = RequestMessage('TransitionModelVersionStage', {
  name: Name,
  version: Version,
  stage: Type.String({ description: 'None, Staging, Production or Archived' }),
  archive_existing_versions: Type.Optional(BoolIn),
});
export const TransitionModelVersionStage_Response = ResponseMessage('TransitionModelVersionStage_Response', { model_version: ModelVersion });
export type TransitionModelVersionStage_Response = Static<typeof TransitionModelVersionStage_Response>;

export const DeleteModelVersion = RequestMessage('DeleteModelVersion', { name: Name, version: Version });
export const DeleteModelVersion_Response = EmptyResponse('DeleteModelVersion_Response');

export const GetModelVersion = RequestMessage('GetModelVersion', { name: Name, version: Version });
export const GetModelVersion_Response = ResponseMessage('GetModelVersion_Response', { model_version: ModelVersion });
export type GetModelVersion_Response = Static<typeof GetModelVersion_Response>;

export const SearchModelVersions = RequestMessage('SearchModelVersions', SearchFields);
export const SearchModelVersions_Response = ResponseMessage('SearchModelVersions_Response', {
  model_versions: Type.Optional(Type.Array(ModelVersion)),
  next_page_token: Type.Optional(Type.String()),
});
export type SearchModelVersions_Response = Static<typeof SearchModelVersions_Response>;

export const GetModelVersionDownloadUri = RequestMessage('GetModelVersionDownloadUri', { name: Name, version: Version });
export const GetModelVersionDownloadUri_Response = ResponseMessage('GetModelVersionDownloadUri_Response', { artifact_uri: Type.String() });
export type GetModelVersionDownloadUri_Response = Static<typeof GetModelVersionDownloadUri_Response>;

export const SetModelVersionTag = RequestMessage('SetModelVersionTag', { name: Name, version: Version, key: Type.String(), value: Type.String() });
export const SetModelVersionTag_Response = EmptyResponse('SetModelVersionTag_Response');
export const DeleteModelVersionTag = RequestMessage('DeleteModelVersionTag', { name: Name, version: Version, key: Type.String() });
export const DeleteModelVersionTag_Response = EmptyResponse('DeleteModelVersionTag_Response');
