import { Type } from 'typebox';
import type { PackagesService } from '../packages/packages-service.ts';
import { presentPackageFile } from '../packages/present.ts';
import { sendDownload } from '../http/download.ts';
import { acceptRawBodies, uploadOf } from '../http/raw-body.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { NumericId, ProjectIdParams, QueryBoolean, isTrue } from '../http/schemas.ts';
import { type App } from '../http/types.ts';
import { accessOf } from '../auth/request-context.ts';
import { AppError } from '../shared/errors.ts';
import type { ProjectAccess } from '../auth/policy.ts';
import { validateCard } from './model-card.ts';
import type { AliasesService } from './aliases-service.ts';
import type { ApprovalsService } from './approvals-service.ts';
import type { CardFiller } from './card-filler.ts';
import { presentEvaluation, type EvaluationsService } from './evaluations-service.ts';
import type { LineageService } from './lineage-service.ts';
import type { RegisteredModelsService } from './models-service.ts';
import { presentModelNative, presentVersionNative } from './presenters.ts';
import type { RegistrySettingsService } from './settings-service.ts';
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

const ModelParams = Type.Intersect([ProjectIdParams, Type.Object({ model_id: NumericId })]);
const VersionParams = Type.Intersect([ModelParams, Type.Object({ version: Type.Integer({ minimum: 1 }) })]);
const Card = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 20_000 }), Type.Null()]));
const Comment = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 10_000 })) }, { additionalProperties: false });
const tags = ['registry'];

/** The model registry's native API, for the web UI and scripts: everything the MLflow protocol does and more. */
export async function registryRoutes(app: App, deps: RegistryRouteDeps): Promise<void> {
  const { models, versions, aliases, approvals } = deps;
  const modelName = async (request: { params: { model_id: number }; access: ProjectAccess | null }) => (await models.getRowById(accessOf(request), request.params.model_id)).name;

  app.get(
    '/api/v4/projects/:id/ml/models',
    { config: { ability: 'ml:read' }, schema: { tags, summary: 'List registered models', params: ProjectIdParams, querystring: Type.Intersect([PaginationQuery, Type.Object({ search: Type.Optional(Type.String({ maxLength: 255 })) })]) } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await models.list(accessOf(request), { search: request.query.search, ...window });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentModelNative) });
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: 'Create a registered model', params: ProjectIdParams, body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }), description: Type.Optional(Type.String({ maxLength: 100_000 })), card: Type.Optional(Card) }, { additionalProperties: false }) },
    },
    async (request, reply) => reply.status(201).send(presentModelNative(await models.create(accessOf(request), request.body))),
  );

  app.get('/api/v4/projects/:id/ml/models/:model_id', { config: { ability: 'ml:read' }, schema: { tags, summary: 'One model, with its rendered model card', params: ModelParams } }, async (request) =>
    presentModelNative(await models.get(accessOf(request), await modelName(request))),
  );

  app.put(
    '/api/v4/projects/:id/ml/models/:model_id',
    {
      config: { ability: 'ml:write' },
      schema: { tags, summary: 'Rename a model or edit its card', params: ModelParams, body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), description: Type.Optional(Type.String({ maxLength: 100_000 })), card: Type.Optional(Card) }, { additionalProperties: false, minProperties: 1 }) },
    },
    async (request) => {
      const access = accessOf(request);
      let name = await modelName(request);
      if (request.body.name !== undefined && request.body.name !== name) name = (await models.rename(access, name, request.body.name)).row.name;
      const card = request.body.card === undefined ? undefined : Object.fromEntries(Object.entries(request.body.card).filter(([, v]) => v !== null));
      if (request.body.description !== undefined || card !== undefined) await models.update(access, name, { description: request.body.description, card });
      return presentModelNative(await models.get(access, name));
    },
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete a model (approved versions keep it unless a maintainer forces)', params: ModelParams, querystring: Type.Object({ force: Type.Optional(QueryBoolean) }) } },
    async (request, reply) => {
      await models.delete(accessOf(request), await modelName(request), { force: isTrue(request.query.force) });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/labels',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Add a label (a scoped label replaces its scope)', params: ModelParams, body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }) } },
    async (request) => {
      const name = await modelName(request);
      await models.addLabel(accessOf(request), name, request.body.label);
      return presentModelNative(await models.get(accessOf(request), name));
    },
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/labels/:label',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Remove a label', params: Type.Intersect([ModelParams, Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) })]) } },
    async (request, reply) => {
      await models.removeLabel(accessOf(request), await modelName(request), request.params.label);
      return reply.status(204).send();
    },
  );

  app.put(
    '/api/v4/projects/:id/ml/models/:model_id/aliases/:alias',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Point an alias at a version (protected aliases: maintainers)', params: Type.Intersect([ModelParams, Type.Object({ alias: Type.String({ minLength: 1, maxLength: 255 }) })]), body: Type.Object({ version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }) } },
    async (request) => {
      const name = await modelName(request);
      await aliases.set(accessOf(request), name, request.params.alias, request.body.version);
      return presentModelNative(await models.get(accessOf(request), name));
    },
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/aliases/:alias',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete an alias', params: Type.Intersect([ModelParams, Type.Object({ alias: Type.String({ minLength: 1, maxLength: 255 }) })]) } },
    async (request, reply) => {
      await aliases.delete(accessOf(request), await modelName(request), request.params.alias);
      return reply.status(204).send();
    },
  );

  // --- versions ------------------------------------------------------------------------------
  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions',
    { config: { ability: 'ml:read' }, schema: { tags, summary: "A model's versions, newest first", params: ModelParams, querystring: PaginationQuery } },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const model = await models.getRowById(accessOf(request), request.params.model_id);
      const page = await versions.list(accessOf(request), model, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((version) => presentVersionNative(version, accessOf(request).project.id)) });
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
        body: Type.Object(
          {
            semver: Type.Optional(Type.String({ maxLength: 64 })),
            source: Type.Optional(Type.String({ maxLength: 2000 })),
            run_id: Type.Optional(Type.String({ maxLength: 64 })),
            logged_model_id: Type.Optional(Type.String({ maxLength: 64 })),
            description: Type.Optional(Type.String({ maxLength: 100_000 })),
            tags: Type.Optional(Type.Record(Type.String({ maxLength: 250 }), Type.String({ maxLength: 100_000 }))),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const b = request.body;
      const created = await versions.create(accessOf(request), {
        name: await modelName(request),
        semver: b.semver,
        source: b.source,
        runId: b.run_id,
        modelId: b.logged_model_id,
        description: b.description,
        tags: Object.entries(b.tags ?? {}).map(([key, value]) => ({ key, value })),
      });
      return reply.status(201).send(presentVersionNative(created, accessOf(request).project.id));
    },
  );

  app.get('/api/v4/projects/:id/ml/models/:model_id/versions/:version', { config: { ability: 'ml:read' }, schema: { tags, summary: 'One version, with its rendered card', params: VersionParams } }, async (request) =>
    presentVersionNative(await versions.get(accessOf(request), await modelName(request), request.params.version), accessOf(request).project.id),
  );

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations',
    { config: { ability: 'ml:read' }, schema: { tags, summary: "A version's evaluations and validations, newest first", params: VersionParams } },
    async (request) => (await deps.evaluations.list(accessOf(request), await modelName(request), request.params.version)).map(presentEvaluation),
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/evaluations',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Record metrics computed on a version (an evaluate job), or a validation verdict',
        params: VersionParams,
        body: Type.Object(
          {
            metrics: Type.Record(Type.String({ maxLength: 250 }), Type.Number()),
            dataset: Type.Optional(Type.String({ maxLength: 1000 })),
            passed: Type.Optional(Type.Boolean()),
            thresholds: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => reply.status(201).send(presentEvaluation(await deps.evaluations.record(accessOf(request), await modelName(request), request.params.version, request.body))),
  );

  app.put(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version',
    { config: { ability: 'ml:write' }, schema: { tags, summary: "Edit a version's card", params: VersionParams, body: Type.Object({ description: Type.Optional(Type.String({ maxLength: 100_000 })), card: Type.Optional(Card) }, { additionalProperties: false, minProperties: 1 }) } },
    async (request) => {
      const card = request.body.card === undefined ? undefined : Object.fromEntries(Object.entries(request.body.card).filter(([, v]) => v !== null));
      return presentVersionNative(await versions.update(accessOf(request), await modelName(request), request.params.version, { description: request.body.description, card: card === undefined ? undefined : validateCard(card) }), accessOf(request).project.id);
    },
  );

  app.delete('/api/v4/projects/:id/ml/models/:model_id/versions/:version', { config: { ability: 'ml:write' }, schema: { tags, summary: 'Delete a version', params: VersionParams } }, async (request, reply) => {
    await versions.delete(accessOf(request), await modelName(request), request.params.version);
    return reply.status(204).send();
  });

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/labels',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Label a version (a scoped label replaces its scope)', params: VersionParams, body: Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false }) } },
    async (request) => {
      const name = await modelName(request);
      await versions.addLabel(accessOf(request), name, request.params.version, request.body.label);
      return presentVersionNative(await versions.get(accessOf(request), name, request.params.version), accessOf(request).project.id);
    },
  );

  app.delete(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/labels/:label',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Remove a label from a version', params: Type.Intersect([VersionParams, Type.Object({ label: Type.String({ minLength: 1, maxLength: 255 }) })]) } },
    async (request, reply) => {
      await versions.removeLabel(accessOf(request), await modelName(request), request.params.version, request.params.label);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/card/fill',
    { config: { ability: 'ml:write' }, schema: { tags, summary: "Fill a version's card from its run's params, metrics and datasets", params: VersionParams } },
    async (request) => presentVersionNative(await deps.cardFiller.fill(accessOf(request), await modelName(request), request.params.version), accessOf(request).project.id),
  );

  // --- approvals -----------------------------------------------------------------------------
  app.post(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/approval_requests',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Ask maintainers to approve a version', params: VersionParams, body: Comment } },
    async (request, reply) => {
      await approvals.request(accessOf(request), await modelName(request), request.params.version, request.body?.comment);
      return reply.status(201).send(await approvals.history(accessOf(request), await modelName(request), request.params.version));
    },
  );

  for (const decision of ['approve', 'reject'] as const) {
    app.post(
      `/api/v4/projects/:id/ml/models/:model_id/versions/:version/${decision}`,
      { config: { ability: 'registry:approve' }, schema: { tags, summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a version (maintainers; never the requester)`, params: VersionParams, body: Comment } },
      async (request) => {
        const name = await modelName(request);
        await approvals.decide(accessOf(request), name, request.params.version, decision, request.body?.comment);
        return presentVersionNative(await versions.get(accessOf(request), name, request.params.version), accessOf(request).project.id);
      },
    );
  }

  app.get('/api/v4/projects/:id/ml/models/:model_id/versions/:version/approvals', { config: { ability: 'ml:read' }, schema: { tags, summary: 'Every approval request of a version and its decisions', params: VersionParams } }, async (request) =>
    approvals.history(accessOf(request), await modelName(request), request.params.version),
  );

  app.get('/api/v4/projects/:id/ml/models/:model_id/versions/:version/lineage', { config: { ability: 'ml:read' }, schema: { tags, summary: 'Version → logged model → run → experiment, params, metrics, datasets, commit, CI job', params: VersionParams } }, async (request) =>
    deps.lineage.ofVersion(accessOf(request), await modelName(request), request.params.version),
  );

  app.get(
    '/api/v4/projects/:id/ml/runs/:run_id/model_versions',
    { config: { ability: 'ml:read' }, schema: { tags, summary: 'The versions registered from a run', params: Type.Intersect([ProjectIdParams, Type.Object({ run_id: Type.String({ pattern: '^[0-9a-f]{32}$' }) })]) } },
    async (request) => deps.lineage.versionsOfRun(accessOf(request), request.params.run_id),
  );

  // --- settings ------------------------------------------------------------------------------
  app.get('/api/v4/projects/:id/ml/registry/settings', { config: { ability: 'ml:read' }, schema: { tags, summary: "The project's registry rules", params: ProjectIdParams } }, async (request) =>
    deps.settings.get(accessOf(request).project.id),
  );

  app.put(
    '/api/v4/projects/:id/ml/registry/settings',
    {
      config: { ability: 'registry:maintain' },
      schema: { tags, summary: 'Set the required approvals and the protected aliases (maintainers)', params: ProjectIdParams, body: Type.Object({ required_approvals: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })), protected_aliases: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 })) }, { additionalProperties: false, minProperties: 1 }) },
    },
    async (request) => deps.settings.update(accessOf(request), request.body),
  );

  // --- files of a version: GitLab's ml_model packages --------------------------------------------
  await app.register(async (raw: App) => {
    acceptRawBodies(raw);
    raw.put(
      '/api/v4/projects/:id/packages/ml_models/:model_version_id/files/*',
      { config: { ability: 'ml:write' }, schema: { tags, summary: "Upload a file (with directories) to a version's ml_model package", params: Type.Intersect([ProjectIdParams, Type.Object({ model_version_id: NumericId, '*': Type.String({ minLength: 1, maxLength: 1024 }) })]) } },
      async (request, reply) => {
        const access = accessOf(request);
        const { model, row } = await versions.getById(access, request.params.model_version_id);
        const upload = uploadOf(request);
        const { file } = await deps.packages.upload(access, { type: 'ml_model', name: model.name, version: row.semver, fileName: request.params['*'] }, upload.body, upload.contentLength);
        return reply.status(201).send(presentPackageFile(file));
      },
    );
  });

  app.get(
    '/api/v4/projects/:id/packages/ml_models/:model_version_id/files/*',
    { config: { ability: 'ml:read' }, schema: { tags, summary: "Download a file of a version's ml_model package", params: Type.Intersect([ProjectIdParams, Type.Object({ model_version_id: NumericId, '*': Type.String({ minLength: 1, maxLength: 1024 }) })]) } },
    async (request, reply) => {
      const access = accessOf(request);
      const { model, row } = await versions.getById(access, request.params.model_version_id);
      const pkg = await deps.packages.findPackage(access, 'ml_model', model.name, row.semver).catch((error: unknown) => {
        throw error instanceof AppError && error.kind === 'not_found' ? new AppError('not_found', 'NOT_FOUND', '404 File Not Found') : error;
      });
      return sendDownload(request, reply, await deps.packages.fileOf(pkg, request.params['*']));
    },
  );
}
