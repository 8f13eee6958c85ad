import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { NoContent, replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import { DeploymentSettings, DeploymentSettingsBody, ProtectedEnvironment, ProtectedEnvironmentParams, ProtectEnvironmentBody, UpdateProtectionBody } from './contract.ts';
import type { DeploymentsDomain } from './domain.ts';

const tags = ['deployments'];

/** GitLab's protected environments API, and the project's deployment settings. */
export async function protectionRoutes(app: App, domain: DeploymentsDomain): Promise<void> {
  const { protection, settings } = domain;

  app.get(
    '/api/v4/projects/:id/protected_environments',
    {
      config: { ability: 'environments:admin-read' },
      schema: { tags, summary: "A project's protected environments", params: ProjectIdParams, response: replies({ 200: Type.Array(ProtectedEnvironment) }) },
    },
    async (request) => protection.list(accessOf(request)),
  );

  app.get(
    '/api/v4/projects/:id/protected_environments/:name',
    {
      config: { ability: 'environments:admin-read' },
      schema: { tags, summary: "One environment's protection rules", params: ProtectedEnvironmentParams, response: replies({ 200: ProtectedEnvironment }) },
    },
    async (request) => protection.get(accessOf(request), request.params.name),
  );

  app.post(
    '/api/v4/projects/:id/protected_environments',
    {
      config: { ability: 'environments:admin' },
      schema: {
        tags,
        summary: 'Protect an environment: who may deploy, how many approvals, who approves',
        params: ProjectIdParams,
        body: ProtectEnvironmentBody,
        response: replies({ 201: ProtectedEnvironment }),
      },
    },
    async (request, reply) => reply.status(201).send(await protection.protect(accessOf(request), request.body)),
  );

  app.put(
    '/api/v4/projects/:id/protected_environments/:name',
    {
      config: { ability: 'environments:admin' },
      schema: { tags, summary: "Change an environment's protection rules", params: ProtectedEnvironmentParams, body: UpdateProtectionBody, response: replies({ 200: ProtectedEnvironment }) },
    },
    async (request) => protection.update(accessOf(request), request.params.name, request.body),
  );

  app.delete(
    '/api/v4/projects/:id/protected_environments/:name',
    { config: { ability: 'environments:admin' }, schema: { tags, summary: 'Unprotect an environment', params: ProtectedEnvironmentParams, response: replies({ 204: NoContent }) } },
    async (request, reply) => {
      await protection.unprotect(accessOf(request), request.params.name);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v4/projects/:id/deployment_settings',
    { config: { ability: 'deployments:read' }, schema: { tags, summary: "The project's deployment settings", params: ProjectIdParams, response: replies({ 200: DeploymentSettings }) } },
    async (request) => settings.get(accessOf(request).project.id),
  );

  app.put(
    '/api/v4/projects/:id/deployment_settings',
    {
      config: { ability: 'environments:admin' },
      schema: {
        tags,
        summary: 'Let only registry-approved versions reach production-tier environments, or not',
        params: ProjectIdParams,
        body: DeploymentSettingsBody,
        response: replies({ 200: DeploymentSettings }),
      },
    },
    async (request) => settings.update(accessOf(request), request.body),
  );
}
