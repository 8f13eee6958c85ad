import { Type, type Static } from 'typebox';
import { Bytes } from '../../http/responses.ts';
import { FileInfo } from './entities.ts';
import { EmptyResponse, Int64In, RequestMessage, ResponseMessage } from './message-spec.ts';

/** mlflow_artifacts.proto's messages (the artifact proxy), as Modelyard serves them. */

export const ArtifactPathParams = Type.Object({ '*': Type.String({ description: "The artifact path, relative to the project's mlflow-artifacts:/ root" }) });

export const DownloadArtifact_Response = Bytes('application/octet-stream', "The file's bytes (its media type by name; Range requests answer 206)");
export const UploadArtifact_Response = EmptyResponse('UploadArtifact_Response');
export type UploadArtifact_Response = Static<typeof UploadArtifact_Response>;
export const DeleteArtifact_Response = EmptyResponse('DeleteArtifact_Response');

export const ProxyListArtifacts = RequestMessage('mlflow.artifacts.ListArtifacts', { path: Type.Optional(Type.String({ maxLength: 1024 })) });
export const ProxyListArtifacts_Response = ResponseMessage('mlflow.artifacts.ListArtifacts_Response', { files: Type.Array(FileInfo) });
export type ProxyListArtifacts_Response = Static<typeof ProxyListArtifacts_Response>;

export const CreateMultipartUpload = RequestMessage('CreateMultipartUpload', { path: Type.String({ description: "The client's local file; its name is kept" }), num_parts: Type.Optional(Int64In) });
export const MultipartUploadCredential = ResponseMessage('MultipartUploadCredential', {
  url: Type.String(),
  part_number: Type.Integer(),
  headers: Type.Record(Type.String(), Type.String()),
});
export type MultipartUploadCredential = Static<typeof MultipartUploadCredential>;
export const CreateMultipartUpload_Response = ResponseMessage('CreateMultipartUpload_Response', { upload_id: Type.String(), credentials: Type.Array(MultipartUploadCredential) });
export type CreateMultipartUpload_Response = Static<typeof CreateMultipartUpload_Response>;

export const CompleteMultipartUpload = RequestMessage('CompleteMultipartUpload', {
  path: Type.String(),
  upload_id: Type.String(),
  parts: Type.Array(Type.Object({ part_number: Int64In, etag: Type.Optional(Type.String()), url: Type.Optional(Type.String()) }, { title: 'MultipartUploadPart', additionalProperties: true })),
});
export const CompleteMultipartUpload_Response = EmptyResponse('CompleteMultipartUpload_Response');

export const AbortMultipartUpload = RequestMessage('AbortMultipartUpload', { path: Type.String(), upload_id: Type.String() });
export const AbortMultipartUpload_Response = EmptyResponse('AbortMultipartUpload_Response');

export const UploadPartParams = Type.Object({ upload_id: Type.String({ maxLength: 64 }), part_number: Type.Integer({ minimum: 1, maximum: 10_000 }) });
export const UploadPart_Response = EmptyResponse('UploadPart_Response');
