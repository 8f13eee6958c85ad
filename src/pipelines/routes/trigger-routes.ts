import { Type } from 'typebox';
import type { ProjectsService } from '../../projects/projects-service.ts';
import { bracketVariables, parseForm } from '../../http/form-body.ts';
import { replies } from '../../http/responses.ts';
import { ProjectIdParams } from '../../http/schemas.ts';
import { Pipeline, WebhookOutcome } from '../contract.ts';
import type { App } from '../../http/types.ts';
import { AppError, invalid, notFound } from '../../shared/errors.ts';
import { parseUntrustedJson } from '../../shared/json-depth.ts';
import type { CiSettingsService } from '../ci-settings-service.ts';
import { verifyPushWebhook, type GitProvider } from '../git/push-events.ts';
import type { PipelineCreator } from '../pipeline-creator.ts';
import { presentPipeline } from '../presenters.ts';
import type { TriggersService } from '../triggers-service.ts';
import { PipelineErrors } from '../errors.ts';
import { InputErrors } from '../../shared/input-errors.ts';

const tags = ['pipelines'];
/** Push payloads list commits; GitHub's can reach several MiB. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;
const PROVIDERS = ['gitlab', 'github', 'gitea'] as const;

/**
 * Routes authorized by their own secret: pipeline trigger tokens (GitLab's
 * `/trigger/pipeline`) and push webhooks from GitLab, GitHub and Gitea. Both read the raw
 * body: a webhook's signature covers the exact bytes, and curl sends trigger forms with -F.
 */
export async function triggerRoutes(app: App, deps: { projects: ProjectsService; settings: CiSettingsService; triggers: TriggersService; creator: PipelineCreator }): Promise<void> {
  const { projects, settings, triggers, creator } = deps;

  await app.register(async (raw: App) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_request, body, done) => done(null, body));

    raw.post(
      '/api/v4/projects/:id/trigger/pipeline',
      {
        config: { ability: 'ci:trigger' },
        schema: {
          tags,
          summary: 'Run a pipeline with a trigger token (JSON, form or query: token, ref, variables[KEY])',
          params: ProjectIdParams,
          querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 200 })), ref: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: true }),
          response: replies({ 201: Pipeline }),
        },
      },
      async (request, reply) => {
        const body = request.body as Buffer | undefined;
        const contentType = String(request.headers['content-type'] ?? '');
        let fields: Record<string, unknown> = { ...(request.query as Record<string, string>) };
        if (body && body.length > 0) {
          if (contentType.includes('json')) {
            try {
              fields = { ...fields, ...(parseUntrustedJson(body) as Record<string, unknown>) };
            } catch (error) {
              if (error instanceof AppError) throw error;
              throw InputErrors.MALFORMED_JSON({});
            }
          } else fields = { ...fields, ...parseForm(contentType, body) };
        }
        const token = typeof fields.token === 'string' ? fields.token : undefined;
        const ref = typeof fields.ref === 'string' ? fields.ref : undefined;
        if (!token) throw invalid('token is missing');
        if (!ref) throw invalid('ref is missing');
        const project = await projects.find(request.params.id);
        const trigger = project ? await triggers.resolve(project.id, token) : undefined;
        if (!project || !trigger) throw notFound('404 Project');
        const variables = typeof fields.variables === 'object' && fields.variables !== null ? (fields.variables as Record<string, string>) : bracketVariables(fields as Record<string, string>);
        const outcome = await creator.create({ projectId: project.id, source: 'trigger', ref, variables, userId: trigger.owner_id });
        if (!outcome.created) throw PipelineErrors.PIPELINE_FILTERED({ reason: outcome.reason });
        return reply.status(201).send(presentPipeline(outcome.pipeline, raw.publicUrl));
      },
    );

    raw.post(
      '/api/v4/projects/:id/ci/push/:provider',
      {
        config: { ability: 'ci:trigger' },
        schema: {
          tags,
          summary: 'Push webhook from GitLab, GitHub or Gitea (secret-verified): runs the pipeline of the pushed commit',
          params: Type.Intersect([ProjectIdParams, Type.Object({ provider: Type.Union(PROVIDERS.map((p) => Type.Literal(p))) })]),
          response: replies({ 200: WebhookOutcome, 201: Pipeline }),
        },
      },
      async (request, reply) => {
        const project = await projects.find(request.params.id);
        const ci = project ? await settings.of(project.id) : undefined;
        if (!project || !ci || ci.webhook_secret === null || ci.repository_url === null) throw notFound('404 Project');
        const verified = verifyPushWebhook(request.params.provider as GitProvider, request.headers, (request.body as Buffer | undefined) ?? Buffer.alloc(0), ci.webhook_secret);
        if (!verified.ok) throw (verified.status === 401 ? PipelineErrors.WEBHOOK_NOT_VERIFIED : PipelineErrors.WEBHOOK_REJECTED)({ detail: verified.message });
        if ('ignored' in verified) return reply.status(200).send({ message: `ignored: ${verified.ignored}` });
        const event = verified.event;
        if (event.deleted) return reply.status(200).send({ message: 'ignored: the ref was deleted' });
        const outcome = await creator.create({
          projectId: project.id,
          source: 'push',
          ref: event.branch ?? event.tag ?? event.ref,
          tag: event.tag !== undefined,
          sha: event.after,
          beforeSha: event.before,
          userId: ci.run_as_user_id,
        });
        if (!outcome.created) return reply.status(200).send({ message: `no pipeline: ${outcome.reason}` });
        return reply.status(201).send(presentPipeline(outcome.pipeline, raw.publicUrl));
      },
    );
  });
}
