import { Type } from 'typebox';
import { sha256Hex } from '../../auth/secrets.ts';
import { sendDownload } from '../../http/download.ts';
import { acceptRawBodies, uploadOf } from '../../http/raw-body.ts';
import { pageWindow, PaginationQuery, sendPage } from '../../http/pagination.ts';
import { Int32, NumericId, ProjectIdParams } from '../../http/schemas.ts';
import { type App } from '../../http/types.ts';
import { accessOf } from '../../auth/request-context.ts';
import { AppError, notFound } from '../../shared/errors.ts';
import type { Database } from '../../db/database.ts';
import type { JobArtifactsService } from '../job-artifacts-service.ts';
import type { JobLifecycle } from '../job-lifecycle.ts';
import type { JobQueue } from '../job-queue.ts';
import { jobOfToken } from '../job-tokens.ts';
import { presentRunner, type RunnersService } from '../runners-service.ts';
import { traceRangeError, type TracesService } from '../traces-service.ts';

const tags = ['runners'];
const RunnerParams = Type.Object({ runner_id: NumericId });
const JobIdParams = Type.Object({ job_id: NumericId });
const Tags = Type.Union([Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }), Type.String({ maxLength: 3300 })]);
const tagList = (tags: string[] | string | undefined) => (typeof tags === 'string' ? tags.split(',').map((t) => t.trim()).filter(Boolean) : tags);
const Info = Type.Optional(
  Type.Object(
    {
      version: Type.Optional(Type.String({ maxLength: 100 })),
      platform: Type.Optional(Type.String({ maxLength: 100 })),
      architecture: Type.Optional(Type.String({ maxLength: 100 })),
      executor: Type.Optional(Type.String({ maxLength: 100 })),
      gpus: Type.Optional(Type.Array(Type.Object({ name: Type.String({ maxLength: 200 }), memory_mib: Type.Optional(Type.Integer({ minimum: 0 })), driver: Type.Optional(Type.String({ maxLength: 100 })) }), { maxItems: 64 })),
    },
    { additionalProperties: true },
  ),
);
const RunnerFields = {
  description: Type.Optional(Type.String({ maxLength: 255 })),
  tag_list: Type.Optional(Tags),
  run_untagged: Type.Optional(Type.Boolean()),
  paused: Type.Optional(Type.Boolean()),
};
/** A runner waits at most this long for a job in one request. */
const MAX_WAIT_SECONDS = 50;

const jobToken = (headers: Record<string, string | string[] | undefined>) => {
  const value = headers['job-token'];
  return Array.isArray(value) ? value[0] : value;
};

export interface RunnerRouteDeps {
  database: Database;
  runners: RunnersService;
  queue: JobQueue;
  lifecycle: JobLifecycle;
  traces: TracesService;
  artifacts: JobArtifactsService;
}

/**
 * Runners: their administration (GitLab's `/user/runners`, `/runners`), and the protocol a
 * runner speaks with the server (docs/runner-protocol.md), authorized by the runner's token or
 * the job's token, never by a person's.
 */
export async function runnerRoutes(app: App, deps: RunnerRouteDeps): Promise<void> {
  const { runners, queue, lifecycle, traces, artifacts } = deps;
  const db = deps.database.db;

  app.post(
    '/api/v4/user/runners',
    {
      config: { ability: 'runners:manage' },
      schema: { tags, summary: 'Create a runner; its authentication token is shown once', body: Type.Object({ runner_type: Type.Union([Type.Literal('instance_type'), Type.Literal('project_type')]), project_id: Type.Optional(NumericId), ...RunnerFields }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      const created = await runners.create(request.caller, { ...request.body, tag_list: tagList(request.body.tag_list) });
      return reply.status(201).send({ id: created.row.id, token: created.token, token_expires_at: null });
    },
  );

  app.get('/api/v4/runners', { config: { ability: 'runners:read' }, schema: { tags, summary: 'Runners the caller manages (all of them for admins)', querystring: PaginationQuery } }, async (request, reply) => {
    const window = pageWindow(request.query);
    const page = await runners.list(request.caller, window);
    return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentRunner) });
  });

  app.get('/api/v4/runners/:runner_id', { config: { ability: 'runners:read' }, schema: { tags, summary: 'One runner, with the GPUs it reported', params: RunnerParams } }, async (request) =>
    presentRunner(await runners.get(request.caller, request.params.runner_id)),
  );

  app.put('/api/v4/runners/:runner_id', { config: { ability: 'runners:manage' }, schema: { tags, summary: 'Change, pause or resume a runner', params: RunnerParams, body: Type.Object(RunnerFields, { additionalProperties: false, minProperties: 1 }) } }, async (request) =>
    presentRunner(await runners.update(request.caller, request.params.runner_id, { ...request.body, tag_list: tagList(request.body.tag_list) })),
  );

  app.delete('/api/v4/runners/:runner_id', { config: { ability: 'runners:manage' }, schema: { tags, summary: 'Delete a runner', params: RunnerParams } }, async (request, reply) => {
    await runners.delete(request.caller, request.params.runner_id);
    return reply.status(204).send();
  });

  app.get('/api/v4/projects/:id/runners', { config: { ability: 'ci:admin-read' }, schema: { tags, summary: "Runners that can take the project's jobs", params: ProjectIdParams, querystring: PaginationQuery } }, async (request, reply) => {
    const window = pageWindow(request.query);
    const page = await runners.list(request.caller, { ...window, projectId: accessOf(request).project.id });
    return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentRunner) });
  });

  // The runner protocol: runner:protocol routes check the runner's (or the job's) own token; no caller credential is read.
  const own = { ability: 'runner:protocol' as const };

  app.post(
    '/api/v4/runners',
    { config: own, schema: { tags, summary: 'Register a runner with a registration token (legacy workflow)', body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }), info: Info, ...RunnerFields }, { additionalProperties: false }) } },
    async (request, reply) => {
      const { token, ...input } = request.body;
      const created = await runners.register(token, { ...input, tag_list: tagList(input.tag_list) });
      return reply.status(201).send({ id: created.row.id, token: created.token, token_expires_at: null });
    },
  );

  app.post('/api/v4/runners/verify', { config: own, schema: { tags, summary: "Check a runner's authentication token", body: Type.Object({ token: Type.String({ maxLength: 200 }) }, { additionalProperties: false }) } }, async (request) => {
    const runner = await runners.authenticate(request.body.token);
    return { id: runner.id, token: request.body.token, token_expires_at: null };
  });

  app.delete('/api/v4/runners', { config: own, schema: { tags, summary: 'A runner removes itself', body: Type.Object({ token: Type.String({ maxLength: 200 }) }, { additionalProperties: false }) } }, async (request, reply) => {
    await runners.unregister(request.body.token);
    return reply.status(204).send();
  });

  app.post(
    '/api/v4/jobs/request',
    { config: own, schema: { tags, summary: 'A runner asks for a job, waiting up to wait_seconds (long polling): 201 with the job, or 204', body: Type.Object({ token: Type.String({ maxLength: 200 }), info: Info, wait_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_WAIT_SECONDS })) }, { additionalProperties: false }) } },
    async (request, reply) => {
      const runner = await runners.authenticate(request.body.token);
      await runners.touch(runner, request.body.info, request.ip);
      const gone = new AbortController();
      request.raw.once('close', () => gone.abort());
      const job = await queue.request(runner, (request.body.wait_seconds ?? 0) * 1000, gone.signal);
      if (!job) return reply.status(204).send();
      return reply.status(201).send(job);
    },
  );

  app.put(
    '/api/v4/jobs/:job_id',
    {
      config: own,
      schema: {
        tags,
        summary: "The runner's report on a job: alive (state running) or done; answers the job's status, which tells the runner to stop when canceled",
        params: JobIdParams,
        body: Type.Object(
          {
            token: Type.String({ maxLength: 200 }),
            state: Type.Optional(Type.Union([Type.Literal('running'), Type.Literal('success'), Type.Literal('failed')])),
            failure_reason: Type.Optional(Type.String({ maxLength: 100 })),
            exit_code: Type.Optional(Int32),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const job = await jobOfToken(db, request.params.job_id, request.body.token);
      const state = request.body.state ?? 'running';
      if (job.status === 'running') {
        if (state === 'running') await lifecycle.heartbeat(job);
        else await lifecycle.finish(job, { state, reason: request.body.failure_reason, exitCode: request.body.exit_code });
      }
      const now = await db.selectFrom('ci_jobs').select('status').where('id', '=', job.id).executeTakeFirstOrThrow();
      reply.header('Job-Status', now.status);
      return { id: job.id, status: now.status };
    },
  );

  await app.register(async (raw: App) => {
    acceptRawBodies(raw);

    raw.patch('/api/v4/jobs/:job_id/trace', { config: own, schema: { tags, summary: "Append to a job's log: Content-Range `start-end` in bytes; 416 with the current size if it does not start at the end", params: JobIdParams } }, async (request, reply) => {
      const job = await jobOfToken(db, request.params.job_id, jobToken(request.headers));
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of uploadOf(request).body) {
        size += (chunk as Buffer).length;
        if (size > 1024 * 1024) throw new AppError('too_large', 'TRACE_CHUNK_TOO_LARGE', 'a log chunk may be at most 1 MiB');
        chunks.push(chunk as Buffer);
      }
      const range = /^(\d+)-(\d+)$/.exec(String(request.headers['content-range'] ?? ''));
      const offset = range ? Number(range[1]) : job.trace_size;
      const outcome = await traces.append(job, offset, Buffer.concat(chunks).toString('utf8'));
      reply.header('Job-Status', job.status);
      reply.header('Range', `0-${outcome.size}`);
      if (!outcome.ok && outcome.status === 'not_running') throw new AppError('forbidden', 'JOB_NOT_RUNNING', `403 Forbidden: the job is ${job.status}`);
      if (!outcome.ok) throw traceRangeError(outcome.size);
      return reply.status(202).send({ size: outcome.size });
    });

    raw.put('/api/v4/jobs/:job_id/artifacts/*', { config: own, schema: { tags, summary: 'Upload one artifact file of a running job (streamed)', params: Type.Intersect([JobIdParams, Type.Object({ '*': Type.String() })]) } }, async (request, reply) => {
      const job = await jobOfToken(db, request.params.job_id, jobToken(request.headers));
      const upload = uploadOf(request);
      const row = await artifacts.upload(job, request.params['*'], upload.body, upload.contentLength);
      return reply.status(201).send({ path: row.path, size: row.size, sha256: row.sha256 });
    });
  });

  app.get(
    '/api/v4/jobs/:job_id/artifacts/*',
    { config: own, schema: { tags, summary: "Download an artifact of an earlier job of the same pipeline, with the running job's JOB-TOKEN", params: Type.Intersect([JobIdParams, Type.Object({ '*': Type.String() })]) } },
    async (request, reply) => {
      const token = jobToken(request.headers);
      const current = token ? await db.selectFrom('ci_jobs').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst() : undefined;
      if (!current || current.status !== 'running') throw new AppError('forbidden', 'INVALID_JOB_TOKEN', '403 Forbidden: invalid job token');
      const source = await db.selectFrom('ci_jobs').selectAll().where('id', '=', request.params.job_id).where('pipeline_id', '=', current.pipeline_id).executeTakeFirst();
      if (!source) throw notFound('404 Job');
      return sendDownload(request, reply, await artifacts.file(source, request.params['*']));
    },
  );
}
