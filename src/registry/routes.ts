import { Type } from 'typebox';
import { PackageFileNative } from '../packages/contract.ts';
import type { PackagesService } from '../packages/packages-service.ts';
import { presentPackageFile } from '../packages/present.ts';
import { sendDownload } from '../http/download.ts';
import { acceptRawBodies, uploadOf } from '../http/raw-body.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { Bytes, NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams, isTrue } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import { accessOf } from '../auth/request-context.ts';
import type { AliasesService } from './aliases-service.ts';
import type { ApprovalsService } from './approvals-service.ts';
import type { CardFiller } from './card-filler.ts';
import {
  AliasParams,
  ApprovalRequestNative,
  CommentBody,
  CreateModelBody,
  CreateVersionBody,
  DeleteModelQuery,
  EditModelBody,
  EditVersionBody,
  EvaluationNative,
  LabelBody,
  LineageNative,
  ModelLabelParams,
  ModelNative,
  ModelParams,
  ModelSearchQuery,
  RecordEvaluationBody,
  RegistrySettingsNative,
  RunParams,
  RunVersionNative,
  SetAliasBody,
  SettingsBody,
  VersionFileParams,
  VersionLabelParams,
  VersionNative,
  VersionParams,
  VersionRowParams,
} from './contract.ts';
import type { EvaluationsService } from './evaluations-service.ts';
import type { LineageService } from './lineage-service.ts';
import type { RegisteredModelsService } from './models-service.ts';
import type { ModelVersion } from './registry-model.ts';
import { presentApprovalHistory, presentEvaluation, presentLineage, presentModelNative, presentRegistrySettings, presentRunVersion, presentVersionNative } from './present.ts';
import type { RegistrySettingsService } from './settings-service.ts';
import { VersionFiles } from './version-files.ts';
import type { ModelVersionsService } from './versions-service.ts';

export interface RegistryRouteDeps {
  models: RegisteredModelsService;
  versions: ModelVersionsService;
  aliases: AliasesService;
  approvals: ApprovalsService;
  settings: RegistrySettingsService;
  lineage: LineageService;
  packages: PackagesService;
  cardFiller: CardFiller;
  evaluations: EvaluationsService;
}

const tags = ['registry'];

/** The model a native route names by its id. */
const modelOf = (request: { params: { model_id: number } }) => ({ id: request.params.model_id });

/** A version is presented with its project, which places its files (its card's images). */
const presentVersion = (request: { access: ProjectAccess | null }) => (version: ModelVersion) => presentVersionNative(version, accessOf(request).project.id);

/** The model registry's native API, for the web UI and scripts: everything the MLflow protocol does and more. */
export async function registryRoutes(app: App, deps: RegistryRouteDeps): Promise<void> {
  const { models, versions, aliases, approvals } = deps;
  const files = new VersionFiles(versions, deps.packages);

  app.get(
    '/api/v4/projects/:id/ml/models',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags,
        summary: 'List registered models',
        params: ProjectIdParams,
        querystring: Type.Intersect([PaginationQuery, ModelSearchQuery]),
        response: replies({ 200: Type.Array(ModelNative) }),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await models.list(accessOf(request), { search: request.query.search, ...window });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentModelNative) });
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Create a registered model', params: ProjectIdParams, body: CreateModelBody, response: replies({ 201: ModelNative }) } },
    async (request, reply) => reply.status(201).send(presentModelNative(await models.create(accessOf(request), request.body))),
  );

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id',
    { config: { ability: 'ml:read' }, schema: { tags, summary: 'One model, with its rendered model card', params: ModelParams, response: replies({ 200: ModelNative }) } },
    async (request) => presentModelNative(await models.get(accessOf(request), modelOf(request))),
  );

  app.put(
    '/api/v4/projects/:id/ml/models/:model_id',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: 'Rename a model or edit its card (all of it, or nothing)', params: ModelParams, body: EditModelBody, response: replies({ 200: ModelNative }) },
    },
    async (request) => presentModelNative(await models.edit(accessOf(request), modelOf(request), request.body)),
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: 'Delete a model (approved versions keep it unless a maintainer forces)', params: ModelParams, querystring: DeleteModelQuery, response: replies({ 204: NoContent }) },
    },
    async (request, reply) => {
      await models.delete(accessOf(request), modelOf(request), { force: isTrue(request.query.force) });
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/labels',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Add a label (a scoped label replaces its scope)', params: ModelParams, body: LabelBody, response: replies({ 200: ModelNative }) } },
    async (request) => presentModelNative(await models.addLabel(accessOf(request), modelOf(request), request.body.label)),
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/labels/:label',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Remove a label', params: ModelLabelParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await models.removeLabel(accessOf(request), modelOf(request), request.params.label);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/api/v4/projects/:id/ml/models/:model_id/aliases/:alias',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: 'Point an alias at a version (protected aliases: maintainers)', params: AliasParams, body: SetAliasBody, response: replies({ 200: ModelNative }) },
    },
    async (request) => presentModelNative(await aliases.set(accessOf(request), modelOf(request), request.params.alias, request.body.version)),
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/aliases/:alias',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete an alias', params: AliasParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await aliases.delete(accessOf(request), modelOf(request), request.params.alias);
      return reply.status(204).send(null);
    },
  );

  // --- versions ------------------------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: "A model's versions, newest first", params: ModelParams, querystring: PaginationQuery, response: replies({ 200: Type.Array(VersionNative) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await versions.list(accessOf(request), modelOf(request), window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentVersion(request)) });
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Create a version from a run, a logged model, or (with no source) for uploaded files',
        params: ModelParams,
        body: CreateVersionBody,
        response: replies({ 201: VersionNative }),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await versions.create(accessOf(request), {
        name: modelOf(request),
        semver: b.semver,
        source: b.source,
        runId: b.run_id,
        modelId: b.logged_model_id,
        description: b.description,
        tags: Object.entries(b.tags ?? {}).map(([key, value]) => ({ key, value })),
      });
      return reply.status(201).send(presentVersion(request)(created));
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version',
    { config: { ability: 'ml:read' }, schema: { tags, summary: 'One version, with its rendered card', params: VersionParams, response: replies({ 200: VersionNative }) } },
    async (request) => presentVersion(request)(await versions.get(accessOf(request), modelOf(request), request.params.version)),
  );

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: "A version's evaluations and validations, newest first", params: VersionParams, response: replies({ 200: Type.Array(EvaluationNative) }) },
    },
    async (request) => (await deps.evaluations.list(accessOf(request), modelOf(request), request.params.version)).map(presentEvaluation),
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Record metrics computed on a version (an evaluate job), or a validation verdict',
        params: VersionParams,
        body: RecordEvaluationBody,
        response: replies({ 201: EvaluationNative }),
      },
    },
    async (request, reply) => reply.status(201).send(presentEvaluation(await deps.evaluations.record(accessOf(request), modelOf(request), request.params.version, request.body))),
  );

  app.put(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version',
    { config: { ability: 'ml:write' }, schema: { tags, summary: "Edit a version's card", params: VersionParams, body: EditVersionBody, response: replies({ 200: VersionNative }) } },
    async (request) => presentVersion(request)(await versions.edit(accessOf(request), modelOf(request), request.params.version, request.body)),
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete a version', params: VersionParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await versions.delete(accessOf(request), modelOf(request), request.params.version);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/labels',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: 'Label a version (a scoped label replaces its scope)', params: VersionParams, body: LabelBody, response: replies({ 200: VersionNative }) },
    },
    async (request) => presentVersion(request)(await versions.addLabel(accessOf(request), modelOf(request), request.params.version, request.body.label)),
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/labels/:label',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Remove a label from a version', params: VersionLabelParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await versions.removeLabel(accessOf(request), modelOf(request), request.params.version, request.params.label);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/card/fill',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: "Fill a version's card from its run's params, metrics and datasets", params: VersionParams, response: replies({ 200: VersionNative }) },
    },
    async (request) => presentVersion(request)(await deps.cardFiller.fill(accessOf(request), modelOf(request), request.params.version)),
  );

  // --- approvals -----------------------------------------------------------------------------
  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/approval_requests',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Ask maintainers to approve a version; answers its approval history',
        params: VersionParams,
        body: CommentBody,
        response: replies({ 201: Type.Array(ApprovalRequestNative) }),
      },
    },
    async (request, reply) => reply.status(201).send(presentApprovalHistory(await approvals.request(accessOf(request), modelOf(request), request.params.version, request.body?.comment))),
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v4/projects/:id/ml/models/:model_id/versions/:version/${decision}`,
      {
        config: { ability: 'registry:approve' },
        schema: {
          tags,
          summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a version (maintainers; never the requester)`,
          params: VersionParams,
          body: CommentBody,
          response: replies({ 200: VersionNative }),
        },
      },
      async (request) => presentVersion(request)(await approvals.decide(accessOf(request), modelOf(request), request.params.version, decision, request.body?.comment)),
    );
  }

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/approvals',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: 'Every approval request of a version and its decisions', params: VersionParams, response: replies({ 200: Type.Array(ApprovalRequestNative) }) },
    },
    async (request) => presentApprovalHistory(await approvals.history(accessOf(request), modelOf(request), request.params.version)),
  );

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/lineage',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: 'Version → logged model → run → experiment, params, metrics, datasets, commit, CI job', params: VersionParams, response: replies({ 200: LineageNative }) },
    },
    async (request) => presentLineage(await deps.lineage.ofVersion(accessOf(request), modelOf(request), request.params.version)),
  );

  app.get(
    '/api/v4/projects/:id/ml/model_versions/:model_version_id',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: "One version by its row id (GitLab's model_version_id)", params: VersionRowParams, response: replies({ 200: VersionNative }) },
    },
    async (request) => presentVersion(request)(await versions.getByRowId(accessOf(request), request.params.model_version_id)),
  );

  app.get(
    '/api/v4/projects/:id/ml/runs/:run_id/model_versions',
    { config: { ability: 'ml:read' }, schema: { tags, summary: 'The versions registered from a run', params: RunParams, response: replies({ 200: Type.Array(RunVersionNative) }) } },
    async (request) => (await deps.lineage.versionsOfRun(accessOf(request), request.params.run_id)).map(presentRunVersion),
  );

  // --- settings ------------------------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/ml/registry/settings',
    { config: { ability: 'ml:read' }, schema: { tags, summary: "The project's registry rules", params: ProjectIdParams, response: replies({ 200: RegistrySettingsNative }) } },
    async (request) => presentRegistrySettings(await deps.settings.get(accessOf(request).project.id)),
  );

  app.put(
    '/api/v4/projects/:id/ml/registry/settings',
    {
      config: { ability: 'registry:maintain' },
      schema: { tags, summary: 'Set the required approvals and the protected aliases (maintainers)', params: ProjectIdParams, body: SettingsBody, response: replies({ 200: RegistrySettingsNative }) },
    },
    async (request) => presentRegistrySettings(await deps.settings.update(accessOf(request), request.body)),
  );

  // --- files of a version: GitLab's ml_model packages --------------------------------------------
  await app.register(async (raw: App) => {
    acceptRawBodies(raw);
    raw.put(
      '/api/v4/projects/:id/packages/ml_models/:model_version_id/files/*',
      {
        config: { ability: 'ml:write' },
        schema: { tags, summary: "Upload a file (with directories) to a version's ml_model package", params: VersionFileParams, response: replies({ 201: PackageFileNative }) },
      },
      async (request, reply) => {
        const upload = uploadOf(request);
        return reply.status(201).send(presentPackageFile(await files.upload(accessOf(request), request.params.model_version_id, request.params['*'], upload.body, upload.contentLength)));
      },
    );
  });

  // HEAD declared with GET, not left to Fastify's HEAD route, which would answer `Content-Length: 0`.
  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/v4/projects/:id/packages/ml_models/:model_version_id/files/*',
    config: { ability: 'ml:read' },
    schema: {
      tags,
      summary: "Download a file of a version's ml_model package (HEAD for its headers)",
      params: VersionFileParams,
      response: replies({
        200: Bytes('application/octet-stream', 'The file (its type by its name)'),
        206: Bytes('application/octet-stream', 'The byte range asked for'),
        304: Type.Null({ description: 'Not modified: the file still has the ETag asked about (If-None-Match)' }),
      }),
    },
    handler: async (request, reply) => sendDownload(request, reply, await files.file(accessOf(request), request.params.model_version_id, request.params['*'])),
  });
}
