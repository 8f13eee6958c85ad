import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { pageWindow, PaginationQuery, sendPage } from '../http/pagination.ts';
import { replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import { CreateHuggingFaceImportBody, CreateVertexImportBody, ImportJobNative, ImportListQuery, ImportParams, ListVertexModelsBody, VertexModelNative } from './contract.ts';
import type { HuggingFaceFetcher } from './hf/huggingface-fetcher.ts';
import type { ImportJobsService } from './import-jobs-service.ts';
import { ImportErrors } from './errors.ts';
import { presentImportJob } from './present.ts';
import type { VertexFetcher } from './vertex/vertex-fetcher.ts';

export interface ImportRouteDeps {
  jobs: ImportJobsService;
  huggingFace: HuggingFaceFetcher;
  vertex: VertexFetcher;
  /** The project's Google Cloud integration: its key serves a Vertex AI request that brings none. */
  googleKeyOf: (projectId: number) => Promise<string | null>;
}

const tags = ['imports'];

/**
 * Import jobs: whoever may create model versions in the project may import one (`ml:write`),
 * and the project's readers follow the jobs (`ml:read`).
 */
export async function importRoutes(app: App, deps: ImportRouteDeps): Promise<void> {
  /** The key given, else the project's integration's; none at all is the caller's 400. */
  const vertexKey = async (given: string | undefined, projectId: number): Promise<string> => {
    const key = given ?? (await deps.googleKeyOf(projectId));
    if (key === null) throw ImportErrors.VERTEX_KEY_MISSING();
    return key;
  };

  app.post(
    '/api/v4/projects/:id/ml/imports/huggingface',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Import a Hugging Face repository at a revision into a new version of a model (a background job)',
        description:
          'The revision is resolved to its commit and the files listed now, so a missing repository, revision or file is answered here; the copy runs in the background. Importing the same commit and patterns into the same model again answers the version made before.',
        params: ProjectIdParams,
        body: CreateHuggingFaceImportBody,
        response: replies({ 201: ImportJobNative }),
      },
    },
    async (request, reply) => {
      const { token, ...body } = request.body;
      const job = await deps.jobs.create(accessOf(request), deps.huggingFace, body, token ?? null);
      return reply.status(201).send(presentImportJob(job));
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/imports/vertex',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: 'Import versions of a Vertex AI model, each into a new version of a registered model (background jobs, one per version)',
        description:
          "The key is checked and exchanged for a token, the versions resolved (aliases to ids) and each one's Cloud Storage artifacts listed now, so a bad key, a missing model or version, or an empty artifact folder is answered here; the copies run in the background. Importing a version into the same model again answers the version made before.",
        params: ProjectIdParams,
        body: CreateVertexImportBody,
        response: replies({ 201: Type.Array(ImportJobNative) }),
      },
    },
    async (request, reply) => {
      const { key: given, versions: _versions, ...body } = request.body;
      const key = await vertexKey(given, accessOf(request).project.id);
      const versions = await deps.vertex.selectVersions(request.body, key);
      const jobs = await deps.jobs.createAll(
        accessOf(request),
        deps.vertex,
        versions.map((version) => ({ ...body, version })),
        key,
      );
      return reply.status(201).send(jobs.map(presentImportJob));
    },
  );

  app.post(
    '/api/v4/projects/:id/ml/imports/vertex/models',
    {
      config: { ability: 'ml:write' },
      schema: {
        tags,
        summary: "List a Vertex AI registry's models (at their default versions), or one model's versions, to pick what to import",
        description: 'A POST because it carries the service account key; it changes nothing. Who may import may list.',
        params: ProjectIdParams,
        body: ListVertexModelsBody,
        response: replies({ 200: Type.Array(VertexModelNative) }),
      },
    },
    // The route's ability checks the project; what the key may see is Google's to say.
    async (request) => deps.vertex.list({ ...request.body, key: await vertexKey(request.body.key, accessOf(request).project.id) }),
  );

  app.get(
    '/api/v4/projects/:id/ml/imports',
    {
      config: { ability: 'ml:read' },
      schema: {
        tags,
        summary: "The project's import jobs, newest first",
        params: ProjectIdParams,
        querystring: Type.Intersect([PaginationQuery, ImportListQuery]),
        response: replies({ 200: Type.Array(ImportJobNative) }),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await deps.jobs.list(accessOf(request), { ...window, state: request.query.state });
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentImportJob) });
    },
  );

  app.get(
    '/api/v4/projects/:id/ml/imports/:import_id',
    {
      config: { ability: 'ml:read' },
      schema: { tags, summary: 'One import job: its state and progress (bytes, files, rate, time left)', params: ImportParams, response: replies({ 200: ImportJobNative }) },
    },
    async (request) => presentImportJob(await deps.jobs.get(accessOf(request), request.params.import_id)),
  );

  app.post(
    '/api/v4/projects/:id/ml/imports/:import_id/cancel',
    { config: { ability: 'ml:write' }, schema: { tags, summary: 'Cancel a queued or running import; what it stored is removed', params: ImportParams, response: replies({ 200: ImportJobNative }) } },
    async (request) => presentImportJob(await deps.jobs.cancel(accessOf(request), request.params.import_id)),
  );
}
