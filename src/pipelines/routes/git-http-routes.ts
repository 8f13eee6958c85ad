import type { Readable } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { acceptRawBodies, uploadOf } from '../../http/raw-body.ts';
import { Bytes, replies } from '../../http/responses.ts';
import { type App } from '../../http/types.ts';
import { accessOf } from '../../auth/request-context.ts';
import { type AppError, isAppError } from '../../shared/errors.ts';
import type { CiSettingsService } from '../ci-settings-service.ts';
import type { RepositoryMirror } from '../git/repository-mirror.ts';
import { ADVERTISEMENT_TYPE, advertiseRefs, RESULT_TYPE, uploadPack } from '../git/upload-pack.ts';
import type { JobHandouts } from '../job-handouts.ts';
import { PipelineErrors } from '../errors.ts';

const tags = ['git'];
const RepoParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const REALM = 'Basic realm="Modelyard"';

/**
 * git asks without credentials first and sends the ones in its URL (`gitlab-ci-token:<job
 * token>@`, `user:<token>@`) only when challenged, so a refused anonymous request answers 401
 * with a Basic challenge instead of the API's 404.
 */
async function challengeAnonymous(this: unknown, error: FastifyError | AppError, request: FastifyRequest, reply: FastifyReply): Promise<never> {
  const refusedCaller = isAppError(error) && ['not_found', 'forbidden', 'unauthenticated'].includes(error.kind) && !PipelineErrors.REPOSITORY_NOT_FOUND.is(error);
  if (request.caller?.credential === 'anonymous' && refusedCaller) {
    reply.header('WWW-Authenticate', REALM);
    throw PipelineErrors.GIT_AUTH_REQUIRED();
  }
  throw error;
}

/** git's answers stream out of a git process as it writes them (typed replies expect a declared body). */
const sendStream = (reply: FastifyReply, type: string, body: Readable) => reply.type(type).send(body);

export interface GitHttpRouteDeps {
  settings: CiSettingsService;
  mirror: RepositoryMirror;
  handouts: JobHandouts;
}

/**
 * The project's linked repository over git's smart-HTTP protocol, at GitLab's URL
 * (`/<project>.git`): CI jobs fetch their code from here with their job token, as from GitLab,
 * and so may members with a token. Read-only: pushes go to the linked repository itself.
 */
export async function gitHttpRoutes(app: App, deps: GitHttpRouteDeps): Promise<void> {
  const gitDirOf = async (request: FastifyRequest): Promise<string> => {
    const access = accessOf(request);
    const settings = await deps.settings.of(access.project.id);
    if (!settings.repository_url) throw PipelineErrors.REPOSITORY_NOT_FOUND();
    // A job's fetch is its runner at work: it confirms the job, like a log chunk would.
    if (access.caller.credential === 'job_token' && access.caller.jobId !== null) await deps.handouts.confirmById(access.caller.jobId);
    return deps.mirror.gitDirOf(settings.repository_url);
  };

  await app.register(async (raw: App) => {
    acceptRawBodies(raw);

    raw.get(
      '/:id.git/info/refs',
      {
        config: { ability: 'code:read' },
        errorHandler: challengeAnonymous,
        schema: {
          tags,
          summary: "git smart-HTTP: the refs of the project's repository (git-upload-pack only)",
          params: RepoParams,
          querystring: Type.Object({ service: Type.Optional(Type.String({ maxLength: 50 })) }),
          response: replies({ 200: Bytes(ADVERTISEMENT_TYPE, "git's ref advertisement") }),
        },
      },
      async (request, reply) => {
        if (request.query.service === 'git-receive-pack') throw PipelineErrors.GIT_PUSH_REFUSED();
        if (request.query.service !== 'git-upload-pack') throw PipelineErrors.GIT_SMART_HTTP_ONLY();
        const dir = await gitDirOf(request);
        reply.header('Cache-Control', 'no-cache');
        return sendStream(reply, ADVERTISEMENT_TYPE, advertiseRefs(dir, request.headers['git-protocol']));
      },
    );

    raw.post(
      '/:id.git/git-upload-pack',
      {
        config: { ability: 'code:read' },
        errorHandler: challengeAnonymous,
        schema: { tags, summary: "git smart-HTTP: fetch from the project's repository", params: RepoParams, response: replies({ 200: Bytes(RESULT_TYPE, 'The pack git asked for') }) },
      },
      async (request, reply) => {
        const dir = await gitDirOf(request);
        reply.header('Cache-Control', 'no-cache');
        return sendStream(reply, RESULT_TYPE, uploadPack(dir, { body: uploadOf(request).body, gzip: request.headers['content-encoding'] === 'gzip', protocolHeader: request.headers['git-protocol'] }));
      },
    );
  });
}
