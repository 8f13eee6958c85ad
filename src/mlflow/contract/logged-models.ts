import { Type, type Static } from 'typebox';
import { FileInfo, LoggedModel } from './entities.ts';
import { BoolIn, EmptyResponse, Int64In, KeyValueIn, RequestMessage, ResponseMessage } from './message-spec.ts';

/** service.proto's LoggedModel messages (MLflow 3), as Modelyard serves them. */

export const ModelIdParams = Type.Object({ model_id: Type.String({ description: 'm-<32 hexadecimal digits>' }) });
export const ModelTagParams = Type.Object({ model_id: Type.String(), tag_key: Type.String() });

export const CreateLoggedModel = RequestMessage('CreateLoggedModel', {
  experiment_id: Type.String(),
  name: Type.Optional(Type.String({ description: 'Generated when not given' })),
  model_type: Type.Optional(Type.String()),
  source_run_id: Type.Optional(Type.String({ description: 'Stored as given, as MLflow does; a run of the project links the model to it' })),
  params: Type.Optional(Type.Array(KeyValueIn('LoggedModelParameter'))),
  tags: Type.Optional(Type.Array(KeyValueIn('LoggedModelTag'))),
});
export const CreateLoggedModel_Response = ResponseMessage('CreateLoggedModel_Response', { model: LoggedModel });
export type CreateLoggedModel_Response = Static<typeof CreateLoggedModel_Response>;

export const GetLoggedModel = RequestMessage('GetLoggedModel', {});
export const GetLoggedModel_Response = ResponseMessage('GetLoggedModel_Response', { model: LoggedModel });
export type GetLoggedModel_Response = Static<typeof GetLoggedModel_Response>;

export const FinalizeLoggedModel = RequestMessage('FinalizeLoggedModel', {
  status: Type.Union([Type.Literal('LOGGED_MODEL_READY'), Type.Literal('LOGGED_MODEL_UPLOAD_FAILED'), Type.Literal('LOGGED_MODEL_PENDING')]),
});
export const FinalizeLoggedModel_Response = ResponseMessage('FinalizeLoggedModel_Response', { model: LoggedModel });
export type FinalizeLoggedModel_Response = Static<typeof FinalizeLoggedModel_Response>;

export const DeleteLoggedModel = RequestMessage('DeleteLoggedModel', {});
export const DeleteLoggedModel_Response = EmptyResponse('DeleteLoggedModel_Response');

export const SearchLoggedModels = RequestMessage('SearchLoggedModels', {
  experiment_ids: Type.Optional(Type.Array(Type.String())),
  filter: Type.Optional(Type.String({ description: 'e.g. params.alpha < 0.3 AND metrics.accuracy > 0.9' })),
  datasets: Type.Optional(
    Type.Array(Type.Object({ dataset_name: Type.String(), dataset_digest: Type.Optional(Type.String()) }, { title: 'SearchLoggedModels_Dataset', additionalProperties: true }), {
      description: 'Keep the models with a metric on one of these datasets, and filter on those metrics',
    }),
  ),
  max_results: Type.Optional(Int64In),
  order_by: Type.Optional(
    Type.Array(
      Type.Object(
        { field_name: Type.String(), ascending: Type.Optional(BoolIn), dataset_name: Type.Optional(Type.String()), dataset_digest: Type.Optional(Type.String()) },
        { title: 'SearchLoggedModels_OrderBy', additionalProperties: true },
      ),
    ),
  ),
  page_token: Type.Optional(Type.String()),
});
export const SearchLoggedModels_Response = ResponseMessage('SearchLoggedModels_Response', {
  models: Type.Array(LoggedModel),
  next_page_token: Type.Optional(Type.String()),
});
export type SearchLoggedModels_Response = Static<typeof SearchLoggedModels_Response>;

export const SetLoggedModelTags = RequestMessage('SetLoggedModelTags', { tags: Type.Optional(Type.Array(KeyValueIn('LoggedModelTag'))) });
export const SetLoggedModelTags_Response = EmptyResponse('SetLoggedModelTags_Response');

export const DeleteLoggedModelTag = RequestMessage('DeleteLoggedModelTag', {});
export const DeleteLoggedModelTag_Response = EmptyResponse('DeleteLoggedModelTag_Response');

export const LogLoggedModelParamsRequest = RequestMessage('LogLoggedModelParamsRequest', { params: Type.Optional(Type.Array(KeyValueIn('LoggedModelParameter'))) });
export const LogLoggedModelParamsRequest_Response = EmptyResponse('LogLoggedModelParamsRequest_Response');

export const ListLoggedModelArtifacts = RequestMessage('ListLoggedModelArtifacts', {
  artifact_directory_path: Type.Optional(Type.String({ description: "A directory relative to the model's artifact root" })),
  page_token: Type.Optional(Type.String()),
});
export const ListLoggedModelArtifacts_Response = ResponseMessage('ListLoggedModelArtifacts_Response', {
  root_uri: Type.String(),
  files: Type.Optional(Type.Array(FileInfo)),
});
export type ListLoggedModelArtifacts_Response = Static<typeof ListLoggedModelArtifacts_Response>;

/** The MLflow UI's download of one file of a logged model (no proto message). */
export const GetLoggedModelArtifact = RequestMessage('GetLoggedModelArtifact', { artifact_file_path: Type.String() });
