import type { Logger } from 'pino';
import type { Authenticator } from '../auth/authenticate.ts';
import type { UsersService } from '../auth/users-service.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { DeploymentApprovals } from '../deployments/approvals.ts';
import { DeployService } from '../deployments/deploy-service.ts';
import { DeploymentQueries } from '../deployments/deployment-queries.ts';
import type { VersionGate } from '../registry/version-gate.ts';
import type { DeploymentsDomain } from '../deployments/domain.ts';
import { ProtectionService } from '../deployments/protection.ts';
import { RegistryVersions } from '../deployments/registry-versions.ts';
import { Rollouts } from '../deployments/rollouts.ts';
import { DeploymentSettingsService } from '../deployments/settings-service.ts';
import { DeploymentsWorker } from '../deployments/worker.ts';
import type { JobLifecycle } from '../pipelines/job-lifecycle.ts';
import type { ProjectsService } from '../projects/projects-service.ts';
import type { AliasesService } from '../registry/aliases-service.ts';
import type { RegisteredModelsService } from '../registry/models-service.ts';
import type { ModelVersionsService } from '../registry/versions-service.ts';
import { Gateway } from '../serving/gateway.ts';
import { GateEvaluator } from '../serving/gate-evaluator.ts';
import { ServingMetrics } from '../serving/metrics-recorder.ts';
import { ServingResultsService } from '../serving/results.ts';
import { RouteTable } from '../serving/route-table.ts';
import { ServeAuthorizer } from '../serving/serve-tokens.ts';
import { Upstreams } from '../serving/upstreams.ts';
import { AgentsService } from '../targets/local-agent/agents-service.ts';
import type { VersionArchives } from '../targets/local-agent/archives.ts';
import { AssignmentsService } from '../targets/local-agent/assignments.ts';
import { LocalAgentTarget } from '../targets/local-agent/local-agent-target.ts';
import type { OutboundPolicy } from '../outbound/outbound-policy.ts';
import type { ArchiveLinks } from '../registry/archive-links.ts';
import type { VersionArchiveService } from '../registry/version-archive.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { EnvironmentTargets } from '../targets/environment-targets.ts';
import { KubernetesBindings } from '../targets/kserve/bindings.ts';
import { KServeTarget } from '../targets/kserve/kserve-target.ts';
import { ServedVersions } from '../targets/kserve/served-versions.ts';
import { VertexBindings } from '../targets/vertex/bindings.ts';
import { VersionUploads } from '../targets/vertex/version-uploads.ts';
import { VertexTarget } from '../targets/vertex/vertex-target.ts';
import { WorkLeases } from '../events/work-leases.ts';
import { GoogleAccessTokens } from '../integrations/google/access-tokens.ts';
import { GoogleApi } from '../integrations/google/google-api.ts';
import { jwtBearerGrant } from '../integrations/google/token-grant.ts';
import type { GoogleCloudIntegrations } from '../integrations/google/project-integration.ts';
import { optionalDeployment } from '../deployments/records.ts';
import { EnvironmentsService, targetDeployment, targetEnvironment } from '../deployments/environments-service.ts';

/** The serving side of the composition root: what deployments, agents and the gateway share. */
export interface DeploymentServices {
  deployments: DeploymentsDomain;
  deploymentsWorker: DeploymentsWorker;
  agents: AgentsService;
  assignments: AssignmentsService;
  localAgent: LocalAgentTarget;
  /** InferenceServices in a Kubernetes namespace, for environments bound to one (issue 18). */
  kserve: KServeTarget;
  /** Versions as KServe loads them, and whether an environment's archive link is still good. */
  servedVersions: ServedVersions;
  kubernetesBindings: KubernetesBindings;
  /** Endpoints of Vertex AI, for environments bound to a Google Cloud project (issue 18). */
  vertex: VertexTarget;
  vertexBindings: VertexBindings;
  /** Where agents' model files come from: the registry's version archives (`current`, which a test may replace with fakes). */
  agentArchives: { current: VersionArchives };
  serving: {
    gateway: Gateway;
    routes: RouteTable;
    metrics: ServingMetrics;
    results: ServingResultsService;
    upstreams: Upstreams;
    authorizer: ServeAuthorizer;
    gates: GateEvaluator;
  };
}

export function createDeploymentServices(
  config: Config,
  database: Database,
  core: {
    logger: Logger;
    users: UsersService;
    projects: ProjectsService;
    authenticator: Authenticator;
    models: RegisteredModelsService;
    versions: ModelVersionsService;
    aliases: AliasesService;
    jobLifecycle: JobLifecycle;
    /** The registry's version archives: what agents download. */
    archives: VersionArchives;
    /** The same archives, described, and the signed links KServe's storage initializer downloads them by. */
    archiveService: VersionArchiveService;
    archiveLinks: ArchiveLinks;
    secrets: SecretBox;
    outbound: OutboundPolicy;
    /** What holds a version back from protected environments (the issue review gate). */
    gate: VersionGate;
    /** Projects' Google Cloud keys, for Vertex AI environments without one of their own. */
    googleCloudIntegrations: GoogleCloudIntegrations;
  },
): DeploymentServices {
  const db = database.db;
  const { serving: settings } = config;
  const agentArchives = { current: core.archives };
  const assignments = new AssignmentsService(db, { projects: core.projects, archives: () => agentArchives.current, logger: core.logger });
  const localAgent = new LocalAgentTarget(db, assignments, settings.agentStaleMs, { outbound: core.outbound, logger: core.logger });
  const served = new ServedVersions(db, { archives: core.archiveService, links: core.archiveLinks, projectFacts: (id) => core.projects.getRow(id) });
  const kserve = new KServeTarget(db, { secrets: core.secrets, outbound: core.outbound, served, logger: core.logger });
  const projectKey = (projectId: number) => core.googleCloudIntegrations.keyText(projectId);
  const vertex = new VertexTarget(db, {
    secrets: core.secrets,
    projectKey,
    api: new GoogleApi(core.outbound, new GoogleAccessTokens(jwtBearerGrant(core.outbound))),
    uploads: new VersionUploads(db, { archives: core.archiveService, projectFacts: (id) => core.projects.getRow(id) }),
    leases: new WorkLeases(db),
    current: async (environmentId) => {
      const env = await db.selectFrom('environments').selectAll().where('id', '=', environmentId).executeTakeFirst();
      if (!env || env.state !== 'available') return null;
      const current = await optionalDeployment(db, env.current_deployment_id);
      return current ? { environment: targetEnvironment(env), deployment: targetDeployment(current) } : null;
    },
    logger: core.logger,
  });
  const target = new EnvironmentTargets({ agent: localAgent, kserve, vertex });
  const protection = new ProtectionService(db, core.users);
  const rollouts = new Rollouts(database, { target, protection });
  const environments = new EnvironmentsService(database, { target, lifecycle: core.jobLifecycle });
  const versions = new RegistryVersions(db, { models: core.models, versions: core.versions, aliases: core.aliases });
  const deploymentSettings = new DeploymentSettingsService(db);
  const deployments: DeploymentsDomain = {
    environments,
    deploy: new DeployService(database, { versions, settings: deploymentSettings, protection, environments, rollouts, gate: core.gate }),
    queries: new DeploymentQueries(db),
    approvals: new DeploymentApprovals(database, { protection, rollouts }),
    rollouts,
    protection,
    settings: deploymentSettings,
    versions,
  };
  localAgent.onReport((environmentId) => rollouts.refresh(environmentId));

  const routes = new RouteTable(db, target, settings.cacheMs);
  // What this replica changes, its gateway and its agents' long polls see at once.
  rollouts.onChange(() => {
    routes.invalidate();
    assignments.notify();
  });
  localAgent.onReport(async () => routes.invalidate());
  const metrics = new ServingMetrics(db, core.logger);
  const results = new ServingResultsService(db);
  const upstreams = new Upstreams();
  const authorizer = new ServeAuthorizer({ authenticator: core.authenticator, projects: core.projects }, settings.cacheMs);
  return {
    deployments,
    deploymentsWorker: new DeploymentsWorker(database, { rollouts, environments, logger: core.logger }),
    agents: new AgentsService(db, settings.agentStaleMs),
    assignments,
    localAgent,
    kserve,
    servedVersions: served,
    kubernetesBindings: new KubernetesBindings(db, { secrets: core.secrets, outbound: core.outbound }),
    vertex,
    vertexBindings: new VertexBindings(db, { secrets: core.secrets, outbound: core.outbound, projectKey }),
    agentArchives,
    serving: {
      gateway: new Gateway(db, { authorizer, routes, upstreams, metrics, logger: core.logger }),
      routes,
      metrics,
      results,
      upstreams,
      authorizer,
      gates: new GateEvaluator(database, { rollouts, results, logger: core.logger }),
    },
  };
}
