import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { acceptRawBodies, uploadOf } from '../../http/raw-body.ts';
import { ARTIFACT_FILE_FIELD, ArtifactUploadQuery } from '../../runner-protocol/artifacts.ts';
import {
  JobRequest,
  LAST_UPDATE_HEADER,
  LONG_POLL_SECONDS,
  RegisterRunnerRequest,
  ResetTokenRequest,
  UnregisterRunnerManagerRequest,
  UnregisterRunnerRequest,
  UpdateJobRequest,
  VerifyRunnerRequest,
} from '../../runner-protocol/requests.ts';
import { JOB_STATUS_HEADER, MAX_TRACE_PATCH_BYTES, parseContentRange } from '../../runner-protocol/trace.ts';
import { sendDownload } from '../../http/download.ts';
import { receiveMultipartFile } from '../../http/multipart-file.ts';
import { NoContent, replies } from '../../http/responses.ts';
import { NumericId } from '../../http/schemas.ts';
import { ArtifactUploaded, JobResponse, JobUpdated, ResetRunnerToken, RunnerToken, TraceAppended, ZipDownload } from '../contract.ts';
import type { App } from '../../http/types.ts';
import type { JobHandouts } from '../job-handouts.ts';
import type { Handout, JobQueue } from '../job-queue.ts';
import type { RunnerJobsService } from '../runner-jobs-service.ts';
import { runnerInfoOf, tagList, type RunnersService } from '../runners-service.ts';
import { traceRangeError } from '../traces-service.ts';
import { PipelineErrors } from '../errors.ts';

const tags = ['runner protocol'];
const JobIdParams = Type.Object({ job_id: NumericId });

const jobToken = (headers: Record<string, string | string[] | undefined>, query?: unknown): string | undefined => {
  const value = headers['job-token'];
  const fromHeader = Array.isArray(value) ? value[0] : value;
  const fromQuery = (query as { token?: unknown } | undefined)?.token;
  return fromHeader ?? (typeof fromQuery === 'string' ? fromQuery : undefined);
};

/** A refusal because the job stopped running carries its status, as GitLab's `Job-Status`: the runner stops the job on it. */
async function withJobStatus<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (PipelineErrors.JOB_NOT_RUNNING.is(error)) reply.header(JOB_STATUS_HEADER, String(error.details?.jobStatus));
    throw error;
  }
}

export interface RunnerRouteDeps {
  runners: RunnersService;
  queue: JobQueue;
  handouts: JobHandouts;
  runnerJobs: RunnerJobsService;
}

/**
 * GitLab's runner API (docs/runner-protocol.md), which GitLab Runner and `modelyard runner` both
 * speak: authorized by the runner's token or the job's token, never by a person's. Request
 * bodies may carry fields the server does not know, as GitLab allows.
 */
export async function runnerRoutes(app: App, deps: RunnerRouteDeps): Promise<void> {
  const { runners, queue, handouts, runnerJobs } = deps;
  const own = { ability: 'runner:protocol' as const };
  // A server told to stop answers every waiting runner "no job" at once rather than hold its
  // shutdown for their long polls (up to 50 s); the runners ask the next replica.
  const shuttingDown = new AbortController();
  app.addHook('preClose', async () => shuttingDown.abort());

  app.post(
    '/api/v4/runners',
    {
      config: own,
      schema: {
        tags,
        summary: "Register a runner with a registration token (GitLab's legacy workflow): 201 with its token (glrtr-…)",
        body: RegisterRunnerRequest,
        response: replies({ 201: RunnerToken }),
      },
    },
    async (request, reply) => {
      const { token, ...input } = request.body;
      const info = runnerInfoOf(input.info);
      const created = await runners.register(token, {
        description: input.description,
        tag_list: tagList(input.tag_list),
        run_untagged: input.run_untagged,
        paused: input.paused ?? (input.active === undefined ? undefined : !input.active),
        ...(info ? { info } : {}),
      });
      return reply.status(201).send({ id: created.row.id, token: created.token, token_expires_at: null });
    },
  );

  app.post(
    '/api/v4/runners/verify',
    {
      config: own,
      schema: { tags, summary: "Check a runner's authentication token (GitLab Runner's register with a glrt- token)", body: VerifyRunnerRequest, response: replies({ 200: RunnerToken }) },
    },
    async (request) => {
      const runner = await runners.authenticate(request.body.token);
      await runners.touch(runner, undefined, request.ip);
      return { id: runner.id, token: request.body.token, token_expires_at: null };
    },
  );

  app.delete(
    '/api/v4/runners',
    { config: own, schema: { tags, summary: 'A registered runner removes itself', body: UnregisterRunnerRequest, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await runners.unregister(request.body.token);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/v4/runners/managers',
    {
      config: own,
      schema: { tags, summary: 'One machine of a runner created by a person stops using it; the runner stays', body: UnregisterRunnerManagerRequest, response: replies({ 204: NoContent }) },
    },
    async (request, reply) => {
      await runners.authenticate(request.body.token);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v4/runners/reset_authentication_token',
    { config: own, schema: { tags, summary: "Replace a runner's authentication token with a new one", body: ResetTokenRequest, response: replies({ 201: ResetRunnerToken }) } },
    async (request, reply) => {
      const reset = await runners.resetToken(request.body.token);
      return reply.status(201).send({ token: reset.token, token_expires_at: null });
    },
  );

  app.post(
    '/api/v4/jobs/request',
    {
      config: own,
      schema: {
        tags,
        summary: `A runner asks for a job: 201 with GitLab's job response, or 204. A request with last_update waits up to ${LONG_POLL_SECONDS} s for one (long polling)`,
        body: JobRequest,
        response: replies({ 201: JobResponse, 204: NoContent }),
      },
    },
    async (request, reply) => {
      const runner = await runners.authenticate(request.body.token);
      await runners.touch(runner, runnerInfoOf(request.body.info), request.ip);
      // The response closing before it was written whole means the runner hung up: stop waiting,
      // and a job already handed to this request goes back to the queue at once.
      const gone = new AbortController();
      let handout: Handout | null = null;
      let written = false;
      reply.raw.once('finish', () => (written = true));
      reply.raw.once('close', () => {
        if (written || reply.raw.writableFinished) return;
        gone.abort();
        if (handout) void handouts.giveBack(handout.jobId, handout.tokenHash).catch((error: unknown) => request.log.error({ err: error }, 'putting back an undelivered job failed'));
      });
      const waitMs = request.body.last_update && runner.paused === 0 ? LONG_POLL_SECONDS * 1000 : 0;
      handout = await queue.request(runner, waitMs, AbortSignal.any([gone.signal, shuttingDown.signal]));
      reply.header(LAST_UPDATE_HEADER, String(Date.now()));
      if (!handout) return reply.status(204).send(null);
      if (gone.signal.aborted) {
        await handouts.giveBack(handout.jobId, handout.tokenHash);
        return reply.status(204).send(null);
      }
      return reply.status(201).send(handout.response);
    },
  );

  app.put(
    '/api/v4/jobs/:job_id',
    {
      config: own,
      schema: {
        tags,
        summary: "The runner's report on a job: alive (state running) or done; 403 with Job-Status once it is no longer running",
        params: JobIdParams,
        body: UpdateJobRequest,
        response: replies({ 200: JobUpdated, 202: JobUpdated }),
      },
    },
    async (request, reply) => {
      const outcome = await withJobStatus(reply, () => runnerJobs.update(request.params.job_id, request.body));
      reply.header(JOB_STATUS_HEADER, outcome.status);
      return reply.status(outcome.code).send({ id: request.params.job_id, status: outcome.status });
    },
  );

  app.get(
    '/api/v4/jobs/:job_id/artifacts',
    {
      config: own,
      schema: {
        tags,
        summary: "A job's artifacts zip, for a running job of the same pipeline (its JOB-TOKEN) or the job itself",
        params: JobIdParams,
        querystring: Type.Object({ direct_download: Type.Optional(Type.String()), token: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: replies(ZipDownload),
      },
    },
    async (request, reply) => sendDownload(request, reply, await withJobStatus(reply, () => runnerJobs.dependencyArchive(request.params.job_id, jobToken(request.headers, request.query)))),
  );

  await app.register(async (raw: App) => {
    acceptRawBodies(raw);

    raw.patch(
      '/api/v4/jobs/:job_id/trace',
      {
        config: own,
        schema: {
          tags,
          summary: "Append to a job's log: Content-Range `start-end` (bytes, inclusive); 202 with Range, 416 with the log's size if it does not start at the end",
          params: JobIdParams,
          response: replies({ 202: TraceAppended }),
        },
      },
      async (request, reply) => {
        const range = request.headers['content-range'];
        if (range === undefined) throw PipelineErrors.CONTENT_RANGE_MISSING();
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of uploadOf(request).body) {
          size += (chunk as Buffer).length;
          if (size > MAX_TRACE_PATCH_BYTES) throw PipelineErrors.TRACE_CHUNK_TOO_LARGE();
          chunks.push(chunk as Buffer);
        }
        const parsed = parseContentRange(String(range));
        const outcome = await withJobStatus(reply, () => runnerJobs.appendTrace(request.params.job_id, jobToken(request.headers), parsed?.start ?? -1, Buffer.concat(chunks)));
        reply.header(JOB_STATUS_HEADER, await runnerJobs.statusOf(request.params.job_id));
        reply.header('Range', `0-${outcome.size}`);
        if (!outcome.ok && outcome.status === 'not_running') throw PipelineErrors.JOB_NOT_RUNNING({ status: 'not running' });
        if (!outcome.ok) throw traceRangeError(outcome.size);
        return reply.status(202).send({ size: outcome.size });
      },
    );

    raw.post(
      '/api/v4/jobs/:job_id/artifacts',
      {
        config: own,
        schema: {
          tags,
          summary: 'Upload an artifacts archive or report of a running job: multipart, the file in `file` (streamed)',
          params: JobIdParams,
          querystring: ArtifactUploadQuery,
          response: replies({ 201: ArtifactUploaded }),
        },
      },
      async (request, reply) => {
        // The job and its token are checked before a byte of the body is read.
        const job = await withJobStatus(reply, () => runnerJobs.runningJob(request.params.job_id, jobToken(request.headers, request.query)));
        const query = request.query;
        const row = await receiveMultipartFile(uploadOf(request).body, request.headers, ARTIFACT_FILE_FIELD, (file, filename) =>
          runnerJobs.uploadArtifact(job, { type: query.artifact_type, format: query.artifact_format, expireIn: query.expire_in, filename }, file),
        );
        return reply.status(201).send({ id: row.id, file_type: row.file_type, file_format: row.file_format, filename: row.filename, size: row.size });
      },
    );
  });
}
