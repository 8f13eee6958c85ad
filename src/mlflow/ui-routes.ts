import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { sendDownload } from '../http/download.ts';
import { acceptRawBodies } from '../http/raw-body.ts';
import { Bytes, mlflowReplies, NoContent } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { requestedPath, proxiedPath, under } from './artifact-paths.ts';
import { GetLoggedModelArtifact, ModelIdParams, UploadArtifact_Response } from './contract.ts';
import { RequestMessage } from './contract/message-spec.ts';
import { MLFLOW_DOWNLOAD_LABEL } from './download-headers.ts';
import type { MlflowServices } from './endpoint.ts';
import { MlflowErrors } from './errors.ts';
import { Message } from './message.ts';
import { given } from './proto-json.ts';
import { pathParams, readsLeniently, trackingBases, type Mount, type TrackingBase } from './mount.ts';
import { MLFLOW_PROTOCOL_VERSION } from './protocol-version.ts';

/** MLflow's limit for the UI's upload-artifact (10 MB), which reads the whole body at once. */
const MAX_UI_UPLOAD_BYTES = 10 * 1024 * 1024;

const GetArtifact = RequestMessage('GetArtifact', {
  run_id: Type.Optional(Type.String()),
  run_uuid: Type.Optional(Type.String({ description: 'The same as run_id' })),
  path: Type.String({ description: "A file relative to the run's artifact root" }),
});
const GetModelVersionArtifact = RequestMessage('GetModelVersionArtifact', {
  name: Type.String(),
  version: Type.String(),
  path: Type.String({ description: "A file relative to the version's source" }),
});
const UploadArtifact = RequestMessage('UploadArtifact', { run_uuid: Type.String(), path: Type.String({ description: "Where under the run's artifact root" }) });
const Download = mlflowReplies({
  200: Bytes('application/octet-stream', "The file's bytes, labelled as MLflow labels them (attachment, its type by name)"),
  206: Bytes('application/octet-stream', 'The byte range asked for'),
  304: NoContent,
});
const PlainText = (description: string) => mlflowReplies({ 200: Bytes('text/plain', description) });

function asMount(base: TrackingBase): Mount {
  return { prefix: base.path, locate: base.locate, documented: base.documented, params: base.params };
}

/** A file under an artifact root of the project, sent as MLflow sends it; other stores are never read. */
async function fileUnder(services: MlflowServices, access: ReturnType<typeof accessOf>, rootUri: string, path: string, source = rootUri) {
  const root = proxiedPath(rootUri);
  if (root === null) throw MlflowErrors.SOURCE_NOT_SERVED({ source });
  return services.artifacts.file(access, under(root, path));
}

/**
 * The MLflow UI's endpoints outside the REST API, at every tracking URI: its file downloads
 * (`get-artifact`, `model-versions/get-artifact`, a logged model's files), its upload, `/health`
 * and `/version` (which the client reads), and the browser's way from a printed run link to
 * Modelyard's own pages.
 */
export async function mlflowUiRoutes(app: App, deps: { services: MlflowServices; defaultProject: string }): Promise<void> {
  const { services } = deps;
  for (const base of trackingBases(deps.defaultProject)) {
    const mount = asMount(base);
    const read = { ability: 'ml:read' as const, project: base.locate, protocol: 'mlflow' as const };
    const params = given('params', pathParams(mount));
    const schema = (summary: string) => ({ tags: ['mlflow-ui'], summary, hide: !base.documented, ...params });

    app.get(`${base.path}/health`, { config: { ability: 'public', protocol: 'mlflow' }, schema: { ...schema('Liveness, as MLflow answers it'), response: PlainText('OK') } }, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').send('OK'),
    );

    app.get(
      `${base.path}/version`,
      { config: { ability: 'public', protocol: 'mlflow' }, schema: { ...schema('The MLflow version whose protocol this server speaks'), response: PlainText(MLFLOW_PROTOCOL_VERSION) } },
      async (_request, reply) => reply.type('text/plain; charset=utf-8').send(MLFLOW_PROTOCOL_VERSION),
    );

    app.get(
      `${base.path}/get-artifact`,
      { config: read, schema: { ...schema("Download a run's artifact (the MLflow UI)"), querystring: GetArtifact, response: Download }, validatorCompiler: readsLeniently },
      async (request, reply) => {
        const m = new Message(request.query);
        const path = requestedPath(m.requiredString('path'));
        const access = accessOf(request);
        const run = await services.runs.getRow(access, m.runId());
        return sendDownload(request, reply, await fileUnder(services, access, run.artifact_uri, path), MLFLOW_DOWNLOAD_LABEL);
      },
    );

    app.get(
      `${base.path}/model-versions/get-artifact`,
      {
        config: read,
        schema: { ...schema("Download a file of a model version's source (the MLflow UI)"), querystring: GetModelVersionArtifact, response: Download },
        validatorCompiler: readsLeniently,
      },
      async (request, reply) => {
        const m = new Message(request.query);
        const path = requestedPath(m.requiredString('path'));
        const access = accessOf(request);
        const root = await services.versions.downloadUri(access, m.requiredString('name'), m.requiredString('version'), services.publicUrl);
        return sendDownload(request, reply, await fileUnder(services, access, root, path), MLFLOW_DOWNLOAD_LABEL);
      },
    );

    // The client prints run links as `<tracking URI>/#/experiments/<id>/runs/<id>`; a browser
    // asks for the tracking URI itself (the fragment stays in the browser) and is sent on to the
    // project's pages, which read the fragment. The root's tracking URI is the web UI itself,
    // which sends such links here through `/api`.
    const roots = base.path === '' ? ['/api', '/ajax-api'] : [base.path];
    for (const root of roots) {
      app.get(
        root,
        {
          config: { ability: 'public', protocol: 'mlflow' },
          schema: { ...schema("A browser opening a tracking URI: on to the project's pages"), hide: !base.documented, response: mlflowReplies({ 302: NoContent }) },
        },
        async (request, reply) => {
          if (!String(request.headers.accept ?? '').includes('text/html')) throw MlflowErrors.ENDPOINT_NOT_FOUND({ method: request.method, path: request.url.split('?')[0] ?? '' });
          const project = base.path === '' ? deps.defaultProject : ((request.params as Record<string, string>).id ?? '');
          return reply.redirect(`/projects/${encodeURIComponent(project)}`, 302);
        },
      );
    }

    for (const api of ['api', 'ajax-api']) {
      app.get(
        `${base.path}/${api}/2.0/mlflow/logged-models/:model_id/artifacts/files`,
        {
          config: read,
          schema: {
            ...schema("Download a logged model's file (the MLflow UI)"),
            hide: !base.documented || api !== 'api',
            ...given('params', pathParams(mount, ModelIdParams)),
            querystring: GetLoggedModelArtifact,
            response: Download,
          },
          validatorCompiler: readsLeniently,
        },
        async (request, reply) => {
          const m = new Message(request.query);
          const path = requestedPath(m.requiredString('artifact_file_path'));
          const access = accessOf(request);
          const model = await services.loggedModels.get(access, (request.params as Record<string, string>).model_id!);
          return sendDownload(request, reply, await fileUnder(services, access, model.artifactUri, path), MLFLOW_DOWNLOAD_LABEL);
        },
      );
    }

    await app.register(async (raw: App) => {
      // The body is the file's bytes, of whatever type the browser gives it.
      acceptRawBodies(raw);
      for (const api of ['api', 'ajax-api']) {
        raw.post(
          `${base.path}/${api}/2.0/mlflow/upload-artifact`,
          {
            config: { ability: 'ml:write', project: base.locate, protocol: 'mlflow' },
            schema: {
              ...schema("Upload a file to a run's artifacts (the MLflow UI; at most 10 MB)"),
              hide: !base.documented || api !== 'api',
              querystring: UploadArtifact,
              response: mlflowReplies({ 200: UploadArtifact_Response }),
            },
            validatorCompiler: readsLeniently,
          },
          async (request): Promise<UploadArtifact_Response> => {
            const m = new Message(request.query);
            const runUuid = m.string('run_uuid');
            if (!runUuid) throw MlflowErrors.UPLOAD_RUN_MISSING();
            const rawPath = m.string('path');
            if (!rawPath) throw MlflowErrors.UPLOAD_PATH_MISSING();
            const path = requestedPath(rawPath);
            if (Number(request.headers['content-length'] ?? 0) > MAX_UI_UPLOAD_BYTES) throw MlflowErrors.UPLOAD_TOO_LARGE();
            const data = await readAtMost(request.body, MAX_UI_UPLOAD_BYTES);
            if (data.length === 0) throw MlflowErrors.UPLOAD_DATA_MISSING();
            const access = accessOf(request);
            const run = await services.runs.getRow(access, runUuid);
            const root = proxiedPath(run.artifact_uri);
            if (root === null) throw MlflowErrors.SOURCE_NOT_SERVED({ source: run.artifact_uri });
            await services.artifacts.put(access, under(root, path), Readable.from([data]), data.length);
            return {};
          },
        );
      }
    });
  }
}

/** A raw body read whole, refused past `limit` bytes; no body at all is an empty one. */
async function readAtMost(body: unknown, limit: number): Promise<Buffer> {
  if (!(body instanceof Readable)) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += bytes.length;
    if (size > limit) {
      body.destroy();
      throw MlflowErrors.UPLOAD_TOO_LARGE();
    }
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}
