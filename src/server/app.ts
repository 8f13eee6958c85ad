import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { authRoutes } from '../auth/routes.ts';
import { ssoRoutes } from '../auth/sso/routes.ts';
import { groupLinkRoutes } from '../auth/sso/group-link-routes.ts';
import { userAdminRoutes } from '../auth/user-admin-routes.ts';
import { memberRoleRoutes } from '../auth/custom-roles/routes.ts';
import { userSettingsRoutes } from '../auth/user-settings-routes.ts';
import { auditRoutes } from '../events/routes.ts';
import { webhookRoutes } from '../events/webhook-routes.ts';
import { projectRoutes } from '../projects/routes.ts';
import { mlflowRoutes } from '../mlflow/plugin.ts';
import { trackingRoutes } from '../tracking/routes.ts';
import { packageRoutes } from '../packages/routes.ts';
import { packageUploadRoutes } from '../packages/upload-routes.ts';
import { registryRoutes } from '../registry/routes.ts';
import { VersionFiles } from '../registry/version-files.ts';
import { versionArchiveRoutes } from '../registry/version-archive-routes.ts';
import { versionImageRoutes } from '../registry/version-image-routes.ts';
import { htmlPreviewRoutes } from '../artifacts/html-preview-routes.ts';
import { hubRoutes } from '../hub/routes.ts';
import { issueRoutes } from '../issues/routes.ts';
import { importRoutes } from '../imports/routes.ts';
import { healthRoutes } from './health-routes.ts';
import { ciConfigRoutes } from '../pipelines/routes/ci-config-routes.ts';
import { pipelineRoutes } from '../pipelines/routes/pipeline-routes.ts';
import { gitHttpRoutes } from '../pipelines/routes/git-http-routes.ts';
import { runnerAdminRoutes } from '../pipelines/routes/runner-admin-routes.ts';
import { runnerRoutes } from '../pipelines/routes/runner-routes.ts';
import { triggerRoutes } from '../pipelines/routes/trigger-routes.ts';
import { webRoutes } from './web-routes.ts';
import { deploymentRoutes } from '../deployments/deployment-routes.ts';
import { environmentRoutes } from '../deployments/environment-routes.ts';
import { environmentTargetRoutes } from '../deployments/environment-target-routes.ts';
import { googleCloudIntegrationRoutes } from '../integrations/google/integration-routes.ts';
import { protectionRoutes } from '../deployments/protection-routes.ts';
import { gatewayRoutes, INVOCATION_BODY_LIMIT } from '../serving/gateway-routes.ts';
import { InvocationsFastPath } from '../serving/invocations-fast-path.ts';
import { serverWithFastPath } from '../http/server-factory.ts';
import { resultsRoutes } from '../serving/results-routes.ts';
import { agentAdminRoutes, agentProtocolRoutes } from '../targets/local-agent/routes.ts';
import { installJsonParser } from '../http/plugins/body-parsers.ts';
import { installUrlEncodingCheck } from '../http/plugins/url-encoding.ts';
import { installNativeErrors } from '../http/plugins/errors.ts';
import { installMetrics, RequestMetrics } from '../http/plugins/metrics.ts';
import { MetricsAccess } from '../http/metrics-access.ts';
import { trustFunction } from '../http/client-address.ts';
import { limitConnectionsPerAddress } from '../http/connection-budget.ts';
import { dropStalledRequests } from '../http/stalled-requests.ts';
import { installAuthorization, type RouteEntry } from '../auth/authorization-hook.ts';
import { requestIdFor } from '../http/plugins/request-id.ts';
import { lazyRequestLogger } from '../http/lazy-request-logger.ts';
import { installResponseCheck } from '../http/plugins/response-check.ts';
import { installValidation } from '../http/plugins/validation.ts';
import type { Services } from './services.ts';
import type { App } from '../http/types.ts';
import { answerClientError } from '../http/client-errors.ts';
import { VERSION } from '../shared/version.ts';

export interface BuiltApp {
  app: App;
  /** Every route with its declared ability: what the authorization matrix test walks. */
  routes: RouteEntry[];
  metrics: RequestMetrics;
  metricsAccess: MetricsAccess;
  /** Predictions answered before Fastify's routing (what the fast-path tests look at). */
  invocations: InvocationsFastPath;
}

/** One MiB, MLflow's limit for a log-batch body; uploads stream and are not bound by it. */
const JSON_BODY_LIMIT = 1024 * 1024;

export async function buildApp(services: Services, logger: Logger): Promise<BuiltApp> {
  const connections = services.config.connections;
  const isTrustedProxy = trustFunction(connections.trustedProxies);
  const metrics = new RequestMetrics();
  const invocations = new InvocationsFastPath({
    gateway: services.serving.gateway,
    metrics,
    logger,
    bodyLimit: INVOCATION_BODY_LIMIT,
    isTrustedProxy: connections.trustedProxies.length > 0 ? (address: string) => isTrustedProxy(address) : undefined,
  });
  const app: App = Fastify({
    // Predictions through the gateway skip Fastify's routing and hooks (src/serving/invocations-fast-path.ts).
    serverFactory: serverWithFastPath((request, response, toFastify) => invocations.take(request, response, toFastify)),
    loggerInstance: logger as FastifyBaseLogger,
    // One debug line per request (below) instead of Fastify's two info lines: ingest runs hot.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: JSON_BODY_LIMIT,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // request.ip is then the client's address for every consumer (audit, throttles, job tokens).
    trustProxy: connections.trustedProxies.length > 0 ? (address: string) => isTrustedProxy(address) : false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('publicUrl', services.config.publicUrl);
  limitConnectionsPerAddress(app.server, { maxPerAddress: connections.maxConnectionsPerAddress, isTrustedProxy });
  dropStalledRequests(app.server, {
    idleTimeoutMs: connections.requestIdleTimeoutMs,
    onDrop: (request) => logger.info({ peer: request.socket.remoteAddress, method: request.method, url: request.url }, 'closed a connection whose request body stopped arriving'),
  });

  const routes: RouteEntry[] = [];
  metrics.addCollector(() => services.serving.metrics.render());
  const metricsAccess = new MetricsAccess({ token: services.config.metrics.token, isTrustedProxy });
  installValidation(app);
  if (services.config.checkResponses) installResponseCheck(app);
  installJsonParser(app);
  installUrlEncodingCheck(app);
  installNativeErrors(app);
  installMetrics(app, metrics);
  // Hooks on every request take a callback rather than returning a promise: the gateway's
  // hop is counted in microseconds, and each promise is an allocation and a microtask.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('X-Request-Id', request.id);
    reply.header('X-Content-Type-Options', 'nosniff');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    done();
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Modelyard API', version: VERSION, description: 'Native REST API (GitLab /api/v4 conventions) and the MLflow protocol.' },
      components: {
        securitySchemes: {
          privateToken: { type: 'apiKey', in: 'header', name: 'PRIVATE-TOKEN' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ privateToken: [] }, { bearer: [] }],
    },
  });
  installAuthorization(app, { authenticator: services.authenticator, projects: services.projects, database: services.database }, routes);

  await app.register(healthRoutes, { database: services.database, metrics, metricsAccess });
  await app.register(authRoutes, {
    users: services.users,
    signIn: services.signIn,
    personalTokens: services.personalTokens,
    projectTokens: services.projectTokens,
    secureCookies: services.config.publicUrl.startsWith('https://'),
    passwordSignIn: services.config.sso.passwordSignIn,
    sso: services.sso,
    userAdmin: services.userAdmin,
  });
  await app.register(ssoRoutes, {
    sso: services.sso,
    clients: services.oidcClients,
    passwordSignIn: services.config.sso.passwordSignIn,
    secureCookies: services.config.publicUrl.startsWith('https://'),
  });
  await app.register(userAdminRoutes, { userAdmin: services.userAdmin, oidcClients: services.oidcClients });
  await app.register(userSettingsRoutes, { passwordChange: services.passwordChange, personalTokens: services.personalTokens, passwordSignIn: services.config.sso.passwordSignIn });
  await app.register(memberRoleRoutes, { memberRoles: services.memberRoles });
  await app.register(projectRoutes, { projects: services.projects, members: services.members });
  await app.register(groupLinkRoutes, { groupLinks: services.groupLinks });
  await app.register(auditRoutes, { audit: services.audit });
  await app.register(webhookRoutes, { webhooks: services.webhooks });
  await app.register(packageRoutes, { packages: services.packages, artifacts: services.artifacts });
  await app.register(packageUploadRoutes, {
    uploads: services.packageUploads,
    versionTarget: (access, versionId, fileName) => new VersionFiles(services.versions, services.packages).target(access, versionId, fileName),
  });
  await app.register(registryRoutes, {
    models: services.models,
    versions: services.versions,
    aliases: services.aliases,
    approvals: services.approvals,
    settings: services.registrySettings,
    lineage: services.lineage,
    packages: services.packages,
    cardFiller: services.cardFiller,
    evaluations: services.evaluations,
  });
  await app.register(versionArchiveRoutes, {
    archives: services.versionArchives,
    links: services.archiveLinks,
    projectFacts: async (id) => services.projects.getRow(id),
    environmentServes: (environmentId, ref) => services.servedVersions.environmentServes(environmentId, ref),
  });
  await app.register(versionImageRoutes, { archives: services.versionArchives, images: services.versionImages });
  await app.register(htmlPreviewRoutes, { artifacts: services.artifacts });
  await app.register(hubRoutes, { repositories: services.hubRepositories });
  await app.register(issueRoutes, { ...services.issues, users: services.users });
  await app.register(importRoutes, {
    jobs: services.importJobs,
    huggingFace: services.huggingFaceFetcher,
    vertex: services.vertexFetcher,
    googleKeyOf: (projectId) => services.googleCloudIntegrations.keyText(projectId),
  });
  await app.register(googleCloudIntegrationRoutes, { integrations: services.googleCloudIntegrations });
  await app.register(ciConfigRoutes, { settings: services.ciSettings, variables: services.ciVariables, triggers: services.triggers });
  await app.register(pipelineRoutes, {
    pipelines: services.pipelines,
    creator: services.pipelineCreator,
    lifecycle: services.jobLifecycle,
    traces: services.traces,
    artifacts: services.jobArtifacts,
    runners: services.runners,
  });
  await app.register(triggerRoutes, { projects: services.projects, settings: services.ciSettings, triggers: services.triggers, creator: services.pipelineCreator });
  await app.register(runnerAdminRoutes, { runners: services.runners });
  await app.register(runnerRoutes, { runners: services.runners, queue: services.jobQueue, handouts: services.jobHandouts, runnerJobs: services.runnerJobs });
  await app.register(gitHttpRoutes, { settings: services.ciSettings, mirror: services.mirror, handouts: services.jobHandouts });
  await app.register(trackingRoutes, { experiments: services.experiments, runs: services.runs, metrics: services.metrics, loggedModels: services.loggedModels });
  await app.register(mlflowRoutes, {
    services: {
      db: services.database.db,
      experiments: services.experiments,
      runs: services.runs,
      metrics: services.metrics,
      loggedModels: services.loggedModels,
      models: services.models,
      versions: services.versions,
      aliases: services.aliases,
      artifacts: services.artifacts,
      publicUrl: services.config.publicUrl,
    },
    defaultProject: services.config.defaultProject,
    artifacts: services.artifacts,
    uploads: services.uploads,
  });

  await app.register(environmentRoutes, services.deployments);
  await app.register(environmentTargetRoutes, { environments: services.deployments.environments, bindings: services.kubernetesBindings, vertexBindings: services.vertexBindings });
  await app.register(deploymentRoutes, services.deployments);
  await app.register(protectionRoutes, services.deployments);
  await app.register(resultsRoutes, { results: services.serving.results });
  await app.register(gatewayRoutes, { gateway: services.serving.gateway });
  app.addHook('preClose', (done) => {
    invocations.close();
    done();
  });
  const agentDeps = {
    agents: services.agents,
    assignments: services.assignments,
    target: services.localAgent,
    projects: services.projects,
    archives: () => services.agentArchives.current,
    maxWaitSeconds: Math.max(1, Math.floor(services.config.serving.agentStaleMs / 2000)),
  };
  await app.register(agentAdminRoutes, agentDeps);
  await app.register(agentProtocolRoutes, agentDeps);

  await app.register(webRoutes, { distDir: new URL('../../web/dist', import.meta.url).pathname });

  await app.ready();
  return { app, routes, metrics, metricsAccess, invocations };
}
