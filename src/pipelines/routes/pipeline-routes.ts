import type { FastifyReply } from 'fastify';
import { noBodyIsEmpty } from '../../http/no-body.ts';
import { Type } from 'typebox';
import { sendDownload } from '../../http/download.ts';
import { pageWindow, PaginationQuery, sendPage } from '../../http/pagination.ts';
import { replies } from '../../http/responses.ts';
import { NumericId, ProjectIdParams, QueryBoolean, isTrue } from '../../http/schemas.ts';
import { ArtifactEntry, FileDownload, Job, JobWithReports, Pipeline, PipelineSource, PipelineStatus, TraceText, ZipDownload } from '../contract.ts';
import { type App } from '../../http/types.ts';
import { accessOf } from '../../auth/request-context.ts';
import type { JobArtifactsService } from '../job-artifacts-service.ts';
import type { JobLifecycle } from '../job-lifecycle.ts';
import type { JobRow } from '../job-payload.ts';
import type { PipelineCreator, PipelineRow } from '../pipeline-creator.ts';
import type { PipelinesService } from '../pipelines-service.ts';
import { presentJob, presentPipeline } from '../presenters.ts';
import type { RunnersService } from '../runners-service.ts';
import type { JobStatus } from '../tables.ts';
import type { TracesService } from '../traces-service.ts';
import { PipelineErrors } from '../errors.ts';

const tags = ['pipelines'];
const Status = PipelineStatus;
const PipelineParams = Type.Intersect([ProjectIdParams, Type.Object({ pipeline_id: NumericId })]);
const JobParams = Type.Intersect([ProjectIdParams, Type.Object({ job_id: NumericId })]);
const Scope = Type.Optional(Type.Union([Status, Type.Array(Status, { maxItems: 8 })]));
const scopeOf = (scope: JobStatus | JobStatus[] | undefined): JobStatus[] => (scope === undefined ? [] : Array.isArray(scope) ? scope : [scope]);
const Variables = Type.Array(
  Type.Object(
    { key: Type.String({ minLength: 1, maxLength: 255 }), value: Type.String({ maxLength: 10_000 }), variable_type: Type.Optional(Type.Literal('env_var')) },
    { additionalProperties: false },
  ),
  { maxItems: 200 },
);

export interface PipelineRouteDeps {
  pipelines: PipelinesService;
  creator: PipelineCreator;
  lifecycle: JobLifecycle;
  traces: TracesService;
  artifacts: JobArtifactsService;
  runners: RunnersService;
}

/** GitLab's pipelines and jobs API, so curl scripts and python-gitlab work unchanged. */
export async function pipelineRoutes(app: App, deps: PipelineRouteDeps): Promise<void> {
  const { pipelines, creator, lifecycle, traces, artifacts } = deps;
  const url = app.publicUrl;

  const presentJobs = async (rows: JobRow[], pipelineOf: (job: JobRow) => Promise<PipelineRow>) => {
    const files = await artifacts.listed(rows.map((r) => r.id));
    const out = [];
    for (const row of rows) out.push(presentJob(row, await pipelineOf(row), url, { artifacts: files.get(row.id) ?? [] }));
    return out;
  };

  app.post(
    '/api/v4/projects/:id/pipeline',
    {
      config: { ability: 'pipelines:run' },
      schema: {
        tags,
        summary: 'Run a pipeline for a branch or tag',
        params: ProjectIdParams,
        response: replies({ 201: Pipeline }),
        body: Type.Object({ ref: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), variables: Type.Optional(Variables) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const access = accessOf(request);
      const outcome = await creator.create({
        projectId: access.project.id,
        source: access.caller.credential === 'session' ? 'web' : 'api',
        ref: request.body.ref,
        variables: Object.fromEntries((request.body.variables ?? []).map((v) => [v.key, v.value])),
        userId: access.caller.user?.id ?? null,
      });
      if (!outcome.created) throw PipelineErrors.PIPELINE_FILTERED({ reason: outcome.reason });
      return reply.status(201).send(presentPipeline(outcome.pipeline, url));
    },
  );

  app.get(
    '/api/v4/projects/:id/pipelines',
    {
      config: { ability: 'pipelines:read' },
      schema: {
        tags,
        summary: "A project's pipelines, newest first",
        params: ProjectIdParams,
        response: replies({ 200: Type.Array(Pipeline) }),
        querystring: Type.Intersect([
          PaginationQuery,
          Type.Object({
            status: Type.Optional(Status),
            ref: Type.Optional(Type.String({ maxLength: 255 })),
            sha: Type.Optional(Type.String({ maxLength: 64 })),
            source: Type.Optional(PipelineSource),
            model_version_id: Type.Optional(NumericId),
          }),
        ]),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const q = request.query;
      const page = await pipelines.list(accessOf(request), { status: q.status, ref: q.ref, sha: q.sha, source: q.source, modelVersionId: q.model_version_id }, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map((p) => presentPipeline(p, url)) });
    },
  );

  app.get(
    '/api/v4/projects/:id/pipelines/:pipeline_id',
    { config: { ability: 'pipelines:read' }, schema: { tags, summary: 'One pipeline', params: PipelineParams, response: replies({ 200: Pipeline }) } },
    async (request) => presentPipeline(await pipelines.get(accessOf(request), request.params.pipeline_id), url),
  );

  app.get(
    '/api/v4/projects/:id/pipelines/:pipeline_id/jobs',
    {
      config: { ability: 'pipelines:read' },
      schema: {
        tags,
        summary: "A pipeline's jobs",
        params: PipelineParams,
        response: replies({ 200: Type.Array(Job) }),
        querystring: Type.Object({ scope: Scope, include_retried: Type.Optional(QueryBoolean) }),
      },
    },
    async (request) => {
      const access = accessOf(request);
      const pipeline = await pipelines.get(access, request.params.pipeline_id);
      const rows = await pipelines.jobs(access, pipeline.id, { includeRetried: isTrue(request.query.include_retried), scope: scopeOf(request.query.scope) });
      return presentJobs(rows, async () => pipeline);
    },
  );

  app.post(
    '/api/v4/projects/:id/pipelines/:pipeline_id/cancel',
    { config: { ability: 'pipelines:run' }, schema: { tags, summary: "Cancel a pipeline's unfinished jobs", params: PipelineParams, response: replies({ 200: Pipeline }) } },
    async (request) => {
      const access = accessOf(request);
      const pipeline = await pipelines.get(access, request.params.pipeline_id);
      await lifecycle.cancelPipeline(access.caller, pipeline.id, access.project.id);
      return presentPipeline(await pipelines.get(access, pipeline.id), url);
    },
  );

  app.post(
    '/api/v4/projects/:id/pipelines/:pipeline_id/retry',
    { config: { ability: 'pipelines:run' }, schema: { tags, summary: "Retry a pipeline's failed and canceled jobs", params: PipelineParams, response: replies({ 201: Pipeline }) } },
    async (request, reply) => {
      const access = accessOf(request);
      const pipeline = await pipelines.get(access, request.params.pipeline_id);
      await lifecycle.retryPipeline(access.caller, pipeline.id, access.project.id);
      return reply.status(201).send(presentPipeline(await pipelines.get(access, pipeline.id), url));
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs',
    {
      config: { ability: 'pipelines:read' },
      schema: {
        tags,
        summary: "A project's jobs, newest first",
        params: ProjectIdParams,
        response: replies({ 200: Type.Array(Job) }),
        querystring: Type.Intersect([PaginationQuery, Type.Object({ scope: Scope })]),
      },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await pipelines.projectJobs(accessOf(request), scopeOf(request.query.scope), window);
      return sendPage(request, reply, window, { total: page.total, items: await presentJobs(page.items, (job) => pipelines.pipelineOfJob(job)) });
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs/:job_id',
    { config: { ability: 'pipelines:read' }, schema: { tags, summary: 'One job', params: JobParams, response: replies({ 200: JobWithReports }) } },
    async (request) => {
      const { job, pipeline } = await pipelines.job(accessOf(request), request.params.job_id);
      const runner = job.runner_id === null ? null : await deps.runners.byId(job.runner_id);
      return { ...presentJob(job, pipeline, url, { artifacts: (await artifacts.listed([job.id])).get(job.id) ?? [], runner }), reports: await artifacts.reports(job.id) };
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs/:job_id/trace',
    { config: { ability: 'pipelines:read' }, schema: { tags, summary: "A job's log (plain text; `Range: bytes=N-` for what came after N)", params: JobParams, response: replies(TraceText) } },
    async (request, reply) => {
      const { job } = await pipelines.job(accessOf(request), request.params.job_id);
      const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
      const from = range ? Math.min(Number(range[1]), job.trace_size) : 0;
      const body = await traces.read(job.id, from);
      reply.header('Content-Type', 'text/plain; charset=utf-8');
      reply.header('X-Job-Status', job.status);
      reply.header('X-Trace-Size', String(job.trace_size));
      if (range) {
        reply.status(206);
        reply.header('Content-Range', `bytes ${from}-${Math.max(from, job.trace_size - 1)}/${job.trace_size}`);
      }
      // The log's bytes as stored: a range may start inside a multi-byte character.
      return (reply as FastifyReply).send(body);
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs/:job_id/artifacts',
    { config: { ability: 'pipelines:read' }, schema: { tags, summary: "A job's artifacts archive (zip), as its runner uploaded it", params: JobParams, response: replies(ZipDownload) } },
    async (request, reply) => {
      const { job } = await pipelines.job(accessOf(request), request.params.job_id);
      return sendDownload(request, reply, await artifacts.archive(job.id));
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs/:job_id/artifacts/*',
    {
      config: { ability: 'pipelines:read' },
      schema: { tags, summary: "One file out of a job's artifacts archive", params: Type.Intersect([JobParams, Type.Object({ '*': Type.String() })]), response: replies(FileDownload) },
    },
    async (request, reply) => {
      const { job } = await pipelines.job(accessOf(request), request.params.job_id);
      return sendDownload(request, reply, await artifacts.file(job.id, request.params['*']));
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs/:job_id/artifact_files',
    {
      config: { ability: 'pipelines:read' },
      schema: { tags, summary: "Modelyard: the files in a job's artifacts archive, for browsing", params: JobParams, response: replies({ 200: Type.Array(ArtifactEntry) }) },
    },
    async (request) => {
      const { job } = await pipelines.job(accessOf(request), request.params.job_id);
      return artifacts.entries(job.id);
    },
  );

  app.get(
    '/api/v4/projects/:id/jobs/artifacts/:ref_name/download',
    {
      config: { ability: 'pipelines:read' },
      schema: {
        tags,
        summary: 'The artifacts archive of the named job of the newest successful pipeline for a branch or tag',
        params: Type.Intersect([ProjectIdParams, Type.Object({ ref_name: Type.String({ minLength: 1, maxLength: 255 }) })]),
        querystring: Type.Object({ job: Type.String({ minLength: 1, maxLength: 255 }) }),
        response: replies(ZipDownload),
      },
    },
    async (request, reply) => {
      const job = await pipelines.latestSuccessfulJob(accessOf(request), request.params.ref_name, request.query.job);
      return sendDownload(request, reply, await artifacts.archive(job.id));
    },
  );

  for (const action of ['retry', 'cancel', 'play'] as const) {
    app.post(
      `/api/v4/projects/:id/jobs/:job_id/${action}`,
      {
        config: { ability: 'pipelines:run' },
        // python-gitlab and curl send these without a body.
        preValidation: noBodyIsEmpty,
        schema: {
          tags,
          summary: { retry: 'Retry a finished job (a new attempt)', cancel: 'Cancel a job', play: 'Start a manual job, optionally with variables' }[action],
          params: JobParams,
          response: replies({ 200: Job, 201: Job }),
          body: Type.Object({ job_variables_attributes: Type.Optional(Variables) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        const access = accessOf(request);
        const { job } = await pipelines.job(access, request.params.job_id);
        if (action === 'retry') await lifecycle.retryJob(access.caller, job);
        if (action === 'cancel') await lifecycle.cancelJob(access.caller, job);
        if (action === 'play') await lifecycle.play(access.caller, job, Object.fromEntries((request.body.job_variables_attributes ?? []).map((v) => [v.key, v.value])));
        const rows = await pipelines.jobs(access, job.pipeline_id);
        const current = rows.find((r) => r.name === job.name) ?? job;
        const { pipeline } = await pipelines.job(access, current.id);
        return reply.status(action === 'retry' ? 201 : 200).send(presentJob(current, pipeline, url));
      },
    );
  }
}
