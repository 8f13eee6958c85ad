import type { ArtifactsService } from '../artifacts/artifacts-service.ts';
import { UPLOAD_TOKEN_HEADER, type UploadsService } from '../artifacts/uploads-service.ts';
import { sendDownload } from '../http/download.ts';
import { acceptRawBodies, uploadOf } from '../http/raw-body.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { Bytes, mlflowReplies, NoContent } from '../http/responses.ts';
import {
  AbortMultipartUpload,
  AbortMultipartUpload_Response,
  ArtifactPathParams,
  CompleteMultipartUpload,
  CompleteMultipartUpload_Response,
  CreateMultipartUpload,
  CreateMultipartUpload_Response,
  DeleteArtifact_Response,
  DownloadArtifact_Response,
  ProxyListArtifacts,
  ProxyListArtifacts_Response,
  UploadArtifact_Response,
  UploadPart_Response,
  UploadPartParams,
} from './contract.ts';
import { Message } from './message.ts';
import { MLFLOW_DOWNLOAD_LABEL } from './download-headers.ts';
import { given } from './proto-json.ts';
import { pathParams, readsLeniently, type Mount } from './mount.ts';

export interface ArtifactRouteDeps {
  artifacts: ArtifactsService;
  uploads: UploadsService;
  mounts: Mount[];
}

/** A download: the file (or the byte range asked for), or nothing new since the ETag the client has. */
const Download = mlflowReplies({
  200: DownloadArtifact_Response,
  206: Bytes('application/octet-stream', 'The byte range asked for'),
  304: NoContent,
});

function wildcard(params: unknown): string {
  return (params as Record<string, string>)['*'] ?? '';
}

/**
 * MLflow's multipart endpoints name the destination directory in the URL and the client's
 * local file in `path`; the artifact is that file's name inside the directory, as MLflow's
 * own server makes it.
 */
function multipartTarget(params: unknown, message: Message): string {
  const local = message.requiredString('path');
  const name = local.split(/[\\/]/).pop() ?? '';
  const dir = wildcard(params).replace(/\/+$/, '');
  return dir ? `${dir}/${name}` : name;
}

/**
 * MLflow's artifact proxy (`/api/2.0/mlflow-artifacts/...`): every byte streams through to the
 * BlobStore and back, nothing is buffered, and every path goes through safe-path.ts.
 */
export async function mlflowArtifactRoutes(app: App, deps: ArtifactRouteDeps): Promise<void> {
  const { artifacts, uploads } = deps;

  await app.register(async (raw: App) => {
    // Uploads arrive as raw bytes of any type (MLflow sends the file's own MIME type).
    acceptRawBodies(raw);
    for (const mount of deps.mounts) {
      raw.put(
        `${mount.prefix}/2.0/mlflow-artifacts/artifacts/*`,
        {
          config: { ability: 'ml:write', project: mount.locate, protocol: 'mlflow' },
          schema: {
            tags: ['mlflow-artifacts'],
            summary: 'Upload an artifact (streamed; any media type, the bytes are stored as sent)',
            hide: !mount.documented,
            ...given('params', pathParams(mount, ArtifactPathParams)),
            response: mlflowReplies({ 200: UploadArtifact_Response }),
          },
          validatorCompiler: readsLeniently,
        },
        async (request) => {
          const upload = uploadOf(request);
          await artifacts.put(accessOf(request), wildcard(request.params), upload.body, upload.contentLength);
          return {};
        },
      );
    }
    raw.put(
      '/api/v4/uploads/:upload_id/parts/:part_number',
      {
        config: { ability: 'upload:part', protocol: 'mlflow' },
        schema: {
          tags: ['mlflow-artifacts'],
          summary: 'Upload one part of a multipart upload (authorized by the upload token it was issued)',
          params: UploadPartParams,
          response: mlflowReplies({ 200: UploadPart_Response }),
        },
      },
      async (request, reply) => {
        const token = request.headers[UPLOAD_TOKEN_HEADER];
        const upload = uploadOf(request);
        const part = await uploads.putPart(request.params.upload_id, Array.isArray(token) ? token[0] : token, request.params.part_number, upload.body, upload.contentLength);
        reply.header('ETag', part.etag);
        return {};
      },
    );
  });

  for (const mount of deps.mounts) {
    const config = (ability: 'ml:read' | 'ml:write') => ({ ability, project: mount.locate, protocol: 'mlflow' as const });
    const schema = (summary: string) => ({ tags: ['mlflow-artifacts'], summary, hide: !mount.documented, ...given('params', pathParams(mount, ArtifactPathParams)) });

    app.get(
      `${mount.prefix}/2.0/mlflow-artifacts/artifacts/*`,
      { config: config('ml:read'), schema: { ...schema('Download an artifact (Range supported)'), response: Download }, validatorCompiler: readsLeniently },
      async (request, reply) => sendDownload(request, reply, await artifacts.file(accessOf(request), wildcard(request.params)), MLFLOW_DOWNLOAD_LABEL),
    );

    app.get(
      `${mount.prefix}/2.0/mlflow-artifacts/artifacts`,
      {
        config: config('ml:read'),
        schema: {
          tags: ['mlflow-artifacts'],
          summary: 'List the artifacts in a directory',
          hide: !mount.documented,
          ...given('params', pathParams(mount)),
          querystring: ProxyListArtifacts,
          response: mlflowReplies({ 200: ProxyListArtifacts_Response }),
        },
      },
      async (request): Promise<ProxyListArtifacts_Response> => {
        const entries = await artifacts.list(accessOf(request), request.query.path);
        // Sorted by path, as MLflow lists (a.txt before dir); the service lists directories first.
        return {
          files: entries
            .map((e) => (e.isDir ? { path: e.path, is_dir: true } : { path: e.path, is_dir: false, ...given('file_size', e.size) }))
            .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
        };
      },
    );

    app.delete(
      `${mount.prefix}/2.0/mlflow-artifacts/artifacts/*`,
      { config: config('ml:write'), schema: { ...schema('Delete an artifact or a directory'), response: mlflowReplies({ 200: DeleteArtifact_Response }) }, validatorCompiler: readsLeniently },
      async (request) => {
        await artifacts.delete(accessOf(request), wildcard(request.params));
        return {};
      },
    );

    app.post(
      `${mount.prefix}/2.0/mlflow-artifacts/mpu/create/*`,
      {
        config: config('ml:write'),
        schema: { ...schema('Start a multipart upload'), body: CreateMultipartUpload, response: mlflowReplies({ 200: CreateMultipartUpload_Response }) },
        validatorCompiler: readsLeniently,
      },
      async (request): Promise<CreateMultipartUpload_Response> => {
        const message = new Message(request.body);
        const created = await uploads.create(accessOf(request), multipartTarget(request.params, message), message.int64('num_parts') ?? 1);
        return { upload_id: created.uploadId, credentials: created.credentials };
      },
    );

    app.post(
      `${mount.prefix}/2.0/mlflow-artifacts/mpu/complete/*`,
      {
        config: config('ml:write'),
        schema: { ...schema('Complete a multipart upload'), body: CompleteMultipartUpload, response: mlflowReplies({ 200: CompleteMultipartUpload_Response }) },
        validatorCompiler: readsLeniently,
      },
      async (request) => {
        const message = new Message(request.body);
        const parts = message.messages('parts').map((p) => ({ partNumber: p.requiredInt64('part_number'), etag: p.string('etag') ?? '' }));
        await uploads.complete(accessOf(request), multipartTarget(request.params, message), message.requiredString('upload_id'), parts);
        return {};
      },
    );

    app.post(
      `${mount.prefix}/2.0/mlflow-artifacts/mpu/abort/*`,
      {
        config: config('ml:write'),
        schema: { ...schema('Abort a multipart upload'), body: AbortMultipartUpload, response: mlflowReplies({ 200: AbortMultipartUpload_Response }) },
        validatorCompiler: readsLeniently,
      },
      async (request) => {
        const message = new Message(request.body);
        await uploads.abort(accessOf(request), multipartTarget(request.params, message), message.requiredString('upload_id'));
        return {};
      },
    );
  }
}
