import { Type } from 'typebox';
import { NoContent, replies } from '../../http/responses.ts';
import { NumericId, ProjectIdParams } from '../../http/schemas.ts';
import { CiSettings, CiVariable, LintResult, RegistrationToken, StoredConfig, Trigger } from '../contract.ts';
import { invalid } from '../../shared/errors.ts';
import { type App } from '../../http/types.ts';
import { accessOf } from '../../auth/request-context.ts';
import { presentCiSettings, type CiSettingsService } from '../ci-settings-service.ts';
import { compileConfig } from '../config/compile.ts';
import { planPipeline } from '../config/plan.ts';
import type { ConfigError } from '../config/types.ts';
import { bundledTemplate } from '../templates/catalog.ts';
import { presentTrigger, type TriggersService } from '../triggers-service.ts';
import { presentVariable, type VariablesService } from '../variables-service.ts';

const tags = ['pipelines'];
const VariableKeyParams = Type.Intersect([ProjectIdParams, Type.Object({ key: Type.String({ minLength: 1, maxLength: 255 }) })]);
const TriggerParams = Type.Intersect([ProjectIdParams, Type.Object({ trigger_id: NumericId })]);
const VariableBody = {
  value: Type.Optional(Type.String({ maxLength: 10_000 })),
  masked: Type.Optional(Type.Boolean()),
  protected: Type.Optional(Type.Boolean()),
  description: Type.Optional(Type.String({ maxLength: 255 })),
  variable_type: Type.Optional(Type.Literal('env_var')),
  raw: Type.Optional(Type.Boolean()),
  environment_scope: Type.Optional(Type.Literal('*')),
};

const errorLine = (e: ConfigError) => `line ${e.line}, column ${e.column}: ${e.message}`;

/** GitLab's lint answer: valid, errors with their lines, and the jobs a push to the default branch would run. */
export function lint(content: string) {
  const compiled = compileConfig(content, { templates: bundledTemplate });
  if (!compiled.ok) return { valid: false, errors: compiled.errors.map(errorLine), error_details: compiled.errors, warnings: [], jobs: [] };
  const plan = planPipeline(compiled.config, { CI: 'true', CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_DEFAULT_BRANCH: 'main' });
  if (!plan.created && 'errors' in plan) return { valid: false, errors: plan.errors.map(errorLine), error_details: plan.errors, warnings: [], jobs: [] };
  const jobs = plan.created ? plan.jobs.map((j) => ({ name: j.name, stage: j.stage, when: j.when, needs: j.needs, tag_list: j.tags, allow_failure: j.allowFailure })) : [];
  return { valid: true, errors: [], error_details: [], warnings: plan.created ? [] : [plan.reason], stages: compiled.config.stages, jobs };
}

/** CI settings, the stored pipeline file, lint, CI variables and trigger tokens of a project. */
export async function ciConfigRoutes(app: App, deps: { settings: CiSettingsService; variables: VariablesService; triggers: TriggersService }): Promise<void> {
  const { settings, variables, triggers } = deps;

  app.get(
    '/api/v4/projects/:id/ci/settings',
    {
      config: { ability: 'ci:admin-read' },
      schema: { tags, summary: "The project's CI settings (linked repository, protected branches, triggers)", params: ProjectIdParams, response: replies({ 200: CiSettings }) },
    },
    async (request) => presentCiSettings(await settings.of(accessOf(request).project.id)),
  );

  app.put(
    '/api/v4/projects/:id/ci/settings',
    {
      config: { ability: 'ci:admin' },
      schema: {
        tags,
        summary: 'Link a git repository, set protected branches, the push webhook secret, registry triggers',
        params: ProjectIdParams,
        response: replies({ 200: CiSettings }),
        body: Type.Object(
          {
            repository_url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()])),
            default_branch: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            protected_branches: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100 })),
            registry_triggers: Type.Optional(Type.Boolean()),
            webhook_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => {
      const { settings: saved, webhookSecret } = await settings.update(accessOf(request), request.body);
      return { ...presentCiSettings(saved), ...(webhookSecret ? { webhook_secret: webhookSecret } : {}) };
    },
  );

  app.get(
    '/api/v4/projects/:id/ci/config',
    {
      config: { ability: 'pipelines:read' },
      schema: { tags, summary: 'The pipeline file stored in the project (used when no repository is linked)', params: ProjectIdParams, response: replies({ 200: StoredConfig }) },
    },
    async (request, reply) => {
      const row = await settings.of(accessOf(request).project.id);
      if (row.config_content === null) return reply.status(404).send({ message: '404 CI config Not Found' });
      return { content: row.config_content };
    },
  );

  app.put(
    '/api/v4/projects/:id/ci/config',
    {
      config: { ability: 'ci:admin' },
      schema: {
        tags,
        summary: 'Store the pipeline file in the project',
        params: ProjectIdParams,
        response: replies({ 200: StoredConfig }),
        body: Type.Object({ content: Type.String({ maxLength: 1024 * 1024 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const result = lint(request.body.content);
      await settings.setConfig(accessOf(request), request.body.content);
      return { content: request.body.content, valid: result.valid, errors: result.errors };
    },
  );

  app.post(
    '/api/v4/projects/:id/ci/lint',
    {
      config: { ability: 'pipelines:read' },
      schema: {
        tags,
        summary: 'Check a pipeline file: errors with line numbers, and the jobs it makes',
        params: ProjectIdParams,
        response: replies({ 200: LintResult }),
        body: Type.Object({ content: Type.String({ maxLength: 1024 * 1024 }), dry_run: Type.Optional(Type.Boolean()), include_jobs: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (request) => lint(request.body.content),
  );

  app.post(
    '/api/v4/projects/:id/runners/reset_registration_token',
    {
      config: { ability: 'ci:admin' },
      schema: { tags, summary: "A new registration token for the project's runners (shown once)", params: ProjectIdParams, response: replies({ 201: RegistrationToken }) },
    },
    async (request, reply) => reply.status(201).send({ token: await settings.resetRunnersToken(accessOf(request)) }),
  );

  app.get(
    '/api/v4/projects/:id/variables',
    { config: { ability: 'ci:admin-read' }, schema: { tags, summary: "The project's CI variables", params: ProjectIdParams, response: replies({ 200: Type.Array(CiVariable) }) } },
    async (request) => (await variables.list(accessOf(request).project.id)).map(presentVariable),
  );
  app.get(
    '/api/v4/projects/:id/variables/:key',
    { config: { ability: 'ci:admin-read' }, schema: { tags, summary: 'One CI variable', params: VariableKeyParams, response: replies({ 200: CiVariable }) } },
    async (request) => presentVariable(await variables.get(accessOf(request), request.params.key)),
  );
  app.post(
    '/api/v4/projects/:id/variables',
    {
      config: { ability: 'ci:admin' },
      schema: {
        tags,
        summary: 'Add a CI variable (masked: hidden in job logs; protected: only on protected branches)',
        params: ProjectIdParams,
        response: replies({ 201: CiVariable }),
        body: Type.Object({ key: Type.String({ minLength: 1, maxLength: 255 }), ...VariableBody }, { additionalProperties: false }),
      },
    },
    async (request, reply) => reply.status(201).send(presentVariable(await variables.create(accessOf(request), request.body))),
  );
  app.put(
    '/api/v4/projects/:id/variables/:key',
    // python-gitlab sends the key in the body as well; a different one would be a rename, which GitLab does not do.
    {
      config: { ability: 'ci:admin' },
      schema: {
        tags,
        summary: 'Change a CI variable',
        params: VariableKeyParams,
        response: replies({ 200: CiVariable }),
        body: Type.Object({ key: Type.Optional(Type.String({ maxLength: 255 })), ...VariableBody }, { additionalProperties: false }),
      },
    },
    async (request) => {
      if (request.body.key !== undefined && request.body.key !== request.params.key) throw invalid('key in the body differs from the key in the path');
      return presentVariable(await variables.update(accessOf(request), request.params.key, request.body));
    },
  );
  app.delete(
    '/api/v4/projects/:id/variables/:key',
    { config: { ability: 'ci:admin' }, schema: { tags, summary: 'Delete a CI variable', params: VariableKeyParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await variables.delete(accessOf(request), request.params.key);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/triggers',
    { config: { ability: 'ci:admin-read' }, schema: { tags, summary: "The project's pipeline trigger tokens", params: ProjectIdParams, response: replies({ 200: Type.Array(Trigger) }) } },
    async (request) => (await triggers.list(accessOf(request))).map((row) => presentTrigger(row)),
  );
  app.post(
    '/api/v4/projects/:id/triggers',
    {
      config: { ability: 'ci:admin' },
      schema: {
        tags,
        summary: 'Create a pipeline trigger token (shown once)',
        params: ProjectIdParams,
        response: replies({ 201: Trigger }),
        body: Type.Object({ description: Type.String({ maxLength: 255 }) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const created = await triggers.create(accessOf(request), request.body.description);
      return reply.status(201).send(presentTrigger(created.row, created.token));
    },
  );
  app.delete(
    '/api/v4/projects/:id/triggers/:trigger_id',
    { config: { ability: 'ci:admin' }, schema: { tags, summary: 'Delete a trigger token', params: TriggerParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await triggers.delete(accessOf(request), request.params.trigger_id);
      return reply.status(204).send(null);
    },
  );
}
