import { Type } from 'typebox';
import { accessOf } from '../auth/request-context.ts';
import { pageWindow, sendPage } from '../http/pagination.ts';
import { replies } from '../http/responses.ts';
import { ProjectIdParams } from '../http/schemas.ts';
import type { App } from '../http/types.ts';
import { Approval, ApprovalBody, DeployBody, Deployment, DeploymentParams, DeploymentsQuery, VersionDeployment, VersionDeploymentsParams } from './contract.ts';
import type { DeploymentsDomain } from './domain.ts';
import { presentDeployment } from './present.ts';

const tags = ['deployments'];

/** GitLab's deployments API (list, one, approvals) and Modelyard's deploy: a deployment of model versions under a traffic policy. */
export async function deploymentRoutes(app: App, domain: DeploymentsDomain): Promise<void> {
  const { queries, deploy, approvals, versions } = domain;

  app.get(
    '/api/v4/projects/:id/deployments',
    {
      config: { ability: 'deployments:read' },
      schema: { tags, summary: "A project's deployments", params: ProjectIdParams, querystring: DeploymentsQuery, response: replies({ 200: Type.Array(Deployment) }) },
    },
    async (request, reply) => {
      const window = pageWindow(request.query);
      const page = await queries.list(accessOf(request), request.query, window);
      return sendPage(request, reply, window, { total: page.total, items: page.items.map(presentDeployment) });
    },
  );

  app.post(
    '/api/v4/projects/:id/deployments',
    {
      config: { ability: 'deployments:write' },
      schema: {
        tags,
        summary: 'Deploy model versions to an environment under a traffic policy (single, canary, A/B; shadow variants with any)',
        description: 'A CI job token deploys only to the environment its job names. A protected environment that asks for approvals answers a `blocked` deployment.',
        params: ProjectIdParams,
        body: DeployBody,
        response: replies({ 201: Deployment }),
      },
    },
    async (request, reply) => reply.status(201).send(presentDeployment(await deploy.deploy(accessOf(request), request.body))),
  );

  app.get(
    '/api/v4/projects/:id/deployments/:deployment_id',
    { config: { ability: 'deployments:read' }, schema: { tags, summary: 'One deployment', params: DeploymentParams, response: replies({ 200: Deployment }) } },
    async (request) => presentDeployment(await queries.get(accessOf(request), request.params.deployment_id)),
  );

  app.post(
    '/api/v4/projects/:id/deployments/:deployment_id/approval',
    {
      config: { ability: 'deployments:approve' },
      schema: { tags, summary: 'Approve or reject a blocked deployment (people only, never their own)', params: DeploymentParams, body: ApprovalBody, response: replies({ 201: Approval }) },
    },
    async (request, reply) => reply.status(201).send((await approvals.decide(accessOf(request), request.params.deployment_id, request.body)).approval),
  );

  app.get(
    '/api/v4/projects/:id/ml/models/:model_id/versions/:version/deployments',
    {
      config: { ability: 'deployments:read' },
      schema: { tags, summary: 'Where a model version is deployed now', params: VersionDeploymentsParams, response: replies({ 200: Type.Array(VersionDeployment) }) },
    },
    async (request) => {
      const { versionId } = await versions.byModelId(accessOf(request), request.params.model_id, request.params.version);
      return queries.ofVersion(accessOf(request), versionId);
    },
  );
}
