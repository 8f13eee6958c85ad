import { Authenticator } from '../auth/authenticate.ts';
import { PersonalTokensService } from '../auth/personal-tokens-service.ts';
import { ProjectAccessTokensService } from '../auth/project-tokens-service.ts';
import { SessionsService } from '../auth/sessions-service.ts';
import { OidcClients } from '../auth/sso/oidc-clients.ts';
import { SignInStates } from '../auth/sso/sign-in-states.ts';
import { SsoService } from '../auth/sso/sso-service.ts';
import { GroupLinksService } from '../auth/sso/group-links-service.ts';
import { SignInService } from '../auth/sign-in-service.ts';
import { SignInThrottle } from '../auth/sign-in-throttle.ts';
import { PasswordChangeService } from '../auth/password-change-service.ts';
import { TokensService } from '../auth/tokens-service.ts';
import { UsersService } from '../auth/users-service.ts';
import { UserAdminService } from '../auth/user-admin-service.ts';
import type { Database } from '../db/database.ts';
import { MembersService } from '../projects/members-service.ts';
import { MemberRolesService } from '../auth/custom-roles/member-roles-service.ts';
import { ProjectsService } from '../projects/projects-service.ts';
import type { Config } from '../config/config.ts';
import type { Keyring } from '../secrets/keyring.ts';
import { ArtifactsService } from '../artifacts/artifacts-service.ts';
import { UploadsService } from '../artifacts/uploads-service.ts';
import type { BlobStore } from '../storage/blob-store.ts';
import { openBlobStore } from '../storage/open-store.ts';
import { PackagesService } from '../packages/packages-service.ts';
import { PackageUploads } from '../packages/package-uploads.ts';
import { AliasesService } from '../registry/aliases-service.ts';
import { ApprovalsService } from '../registry/approvals-service.ts';
import { ReviewGate } from '../issues/review-gate.ts';
import { createIssueServices, type IssueServices } from './issues-wiring.ts';
import { LineageService } from '../registry/lineage-service.ts';
import { CardFiller } from '../registry/card-filler.ts';
import { AuditLogService } from '../events/audit-log-service.ts';
import { WebhooksService } from '../events/webhooks-service.ts';
import { RegisteredModelsService } from '../registry/models-service.ts';
import { RegistrySettingsService } from '../registry/settings-service.ts';
import { ModelVersionsService } from '../registry/versions-service.ts';
import { VersionRuns } from '../registry/version-run.ts';
import { VersionArchiveService } from '../registry/version-archive.ts';
import { VersionContents } from '../registry/version-contents.ts';
import { HubRepositories } from '../hub/repositories-service.ts';
import { ExperimentsService } from '../tracking/experiments-service.ts';
import { LoggedModelsService } from '../tracking/logged-models-service.ts';
import { MetricsService } from '../tracking/metrics-service.ts';
import { RunsService } from '../tracking/runs-service.ts';
import { deleteMetricsOfProject } from '../tracking/metrics/metric-writer.ts';
import { EvaluationsService } from '../registry/evaluations-service.ts';
import { VersionImagesService } from '../registry/version-images-service.ts';
import { GoogleCloudIntegrations } from '../integrations/google/project-integration.ts';
import { CiSettingsService } from '../pipelines/ci-settings-service.ts';
import { OutboundPolicy, systemResolver, type Resolver } from '../outbound/outbound-policy.ts';
import { ArchiveLinks } from '../registry/archive-links.ts';
import { RepositoryMirror } from '../pipelines/git/repository-mirror.ts';
import { JobArtifactsService } from '../pipelines/job-artifacts-service.ts';
import { JobHandouts } from '../pipelines/job-handouts.ts';
import { JobLifecycle } from '../pipelines/job-lifecycle.ts';
import { JobQueue } from '../pipelines/job-queue.ts';
import { jobTokenResolver } from '../pipelines/job-tokens.ts';
import { PipelineCreator } from '../pipelines/pipeline-creator.ts';
import { PipelinesService } from '../pipelines/pipelines-service.ts';
import { RunnerJobsService } from '../pipelines/runner-jobs-service.ts';
import { RunnersService } from '../pipelines/runners-service.ts';
import { TracesService } from '../pipelines/traces-service.ts';
import { TriggersService } from '../pipelines/triggers-service.ts';
import { VariablesService } from '../pipelines/variables-service.ts';
import { createDeploymentServices, type DeploymentServices } from './deployments-wiring.ts';
import { createImportServices, type ImportServices } from './imports-wiring.ts';
import { createLogger } from './logger.ts';

/** Every domain service, wired once; routes and the CLI take what they need from here. */
export interface Services extends DeploymentServices, ImportServices {
  config: Config;
  database: Database;
  /** The keys stored credentials are sealed with (src/secrets/). */
  keyring: Keyring;
  users: UsersService;
  tokens: TokensService;
  sessions: SessionsService;
  signInThrottle: SignInThrottle;
  signIn: SignInService;
  /** Single sign-on with the configured OpenID Connect providers (src/auth/sso/). */
  sso: SsoService;
  oidcClients: OidcClients;
  groupLinks: GroupLinksService;
  personalTokens: PersonalTokensService;
  passwordChange: PasswordChangeService;
  userAdmin: UserAdminService;
  memberRoles: MemberRolesService;
  authenticator: Authenticator;
  projects: ProjectsService;
  members: MembersService;
  projectTokens: ProjectAccessTokensService;
  experiments: ExperimentsService;
  runs: RunsService;
  metrics: MetricsService;
  loggedModels: LoggedModelsService;
  blobStore: BlobStore;
  artifacts: ArtifactsService;
  uploads: UploadsService;
  packages: PackagesService;
  packageUploads: PackageUploads;
  models: RegisteredModelsService;
  versions: ModelVersionsService;
  aliases: AliasesService;
  registrySettings: RegistrySettingsService;
  approvals: ApprovalsService;
  /** Model-development issues, their notes and links (src/issues/). */
  issues: IssueServices;
  lineage: LineageService;
  cardFiller: CardFiller;
  webhooks: WebhooksService;
  audit: AuditLogService;
  evaluations: EvaluationsService;
  /** Container images built of versions (what container-mode agents run). */
  versionImages: VersionImagesService;
  /** Versions' files as one deterministic tar.gz (what serving agents download). */
  versionArchives: VersionArchiveService;
  /** The registry as Hugging Face repositories (the Hub's read protocol). */
  hubRepositories: HubRepositories;
  /** Signed, expiring links to version archives (for KServe's storage initializer). */
  archiveLinks: ArchiveLinks;
  /** Each project's Google Cloud service-account key, for its Vertex AI imports and environments. */
  googleCloudIntegrations: GoogleCloudIntegrations;
  ciSettings: CiSettingsService;
  ciVariables: VariablesService;
  triggers: TriggersService;
  runners: RunnersService;
  pipelines: PipelinesService;
  pipelineCreator: PipelineCreator;
  jobQueue: JobQueue;
  jobLifecycle: JobLifecycle;
  jobHandouts: JobHandouts;
  runnerJobs: RunnerJobsService;
  traces: TracesService;
  jobArtifacts: JobArtifactsService;
  mirror: RepositoryMirror;
  /** The one gate for the server's outbound connections (webhooks, repositories, …). */
  outbound: OutboundPolicy;
}

/** `resolver`: how outbound host names resolve (the system's DNS; tests give a fixed table). */
export function createServices(config: Config, database: Database, keyring: Keyring, resolver: Resolver = systemResolver): Services {
  const db = database.db;
  const secrets = keyring.box;
  const users = new UsersService(db);
  const tokens = new TokensService(db);
  const sessions = new SessionsService(db);
  const signInThrottle = new SignInThrottle(db);
  const oidcClients = new OidcClients(config.sso.providers);
  const projects = new ProjectsService(db);
  const memberRoles = new MemberRolesService(db);
  const members = new MembersService(db, users, memberRoles);
  const experiments = new ExperimentsService(db);
  const runs = new RunsService(db, experiments);
  projects.onDelete(deleteMetricsOfProject);
  const blobStore = openBlobStore(config.artifactsUrl);
  const artifacts = new ArtifactsService(db, blobStore, config.maxUploadBytes);
  projects.onDelete((trx, projectId) => artifacts.purgeProject(trx, projectId));
  const loggedModels = new LoggedModelsService(db, experiments, runs);
  const models = new RegisteredModelsService(db);
  const versions = new ModelVersionsService(db, models, runs, loggedModels, new VersionRuns(experiments, runs, config.publicUrl));
  const packages = new PackagesService(db, blobStore, config.maxUploadBytes);
  const registrySettings = new RegistrySettingsService(db);
  const lineage = new LineageService(db, versions, runs, experiments, loggedModels);
  const authenticator = new Authenticator(db, tokens, sessions);
  authenticator.registerJobTokenResolver(jobTokenResolver(db));
  const outbound = new OutboundPolicy(config.outboundAllow, resolver);
  const ciSettings = new CiSettingsService(db, outbound, secrets);
  const ciVariables = new VariablesService(db, secrets);
  const mirror = new RepositoryMirror(config.ci.gitCacheDir, { policy: outbound });
  const jobArtifacts = new JobArtifactsService(db, blobStore, config.maxUploadBytes);
  const jobQueue = new JobQueue(db, { projects, settings: ciSettings, variables: ciVariables, artifacts: jobArtifacts, publicUrl: config.publicUrl });
  const wake = () => jobQueue.notify();
  const aliases = new AliasesService(db, models, versions, registrySettings);
  const jobLifecycle = new JobLifecycle(database, wake);
  const jobHandouts = new JobHandouts(db, jobLifecycle, wake);
  const traces = new TracesService(db, ciVariables);
  const versionArchives = new VersionArchiveService({ models, versions, artifacts, packages });
  const versionImages = new VersionImagesService(db, versions);
  const archiveLinks = new ArchiveLinks(secrets, config.publicUrl);
  const googleCloudIntegrations = new GoogleCloudIntegrations(db, secrets);
  const reviewGate = new ReviewGate(db, registrySettings);
  const deploymentServices = createDeploymentServices(config, database, {
    logger: createLogger(config.logLevel),
    users,
    projects,
    authenticator,
    models,
    versions,
    aliases,
    jobLifecycle,
    archives: versionArchives,
    archiveService: versionArchives,
    archiveLinks,
    secrets,
    outbound,
    gate: reviewGate,
    googleCloudIntegrations,
  });
  const pipelines = new PipelinesService(db);
  const issues = createIssueServices(db, config.publicUrl, {
    users,
    members,
    targets: { models, versions, experiments, runs, pipelines, deployments: deploymentServices.deployments.queries },
  });
  const importServices = createImportServices(config, db, { secrets, outbound, blobStore, users, projects, models, versions, packages, logger: createLogger(config.logLevel) });
  return {
    ...deploymentServices,
    issues,
    ...importServices,
    config,
    database,
    outbound,
    keyring,
    users,
    tokens,
    sessions,
    signInThrottle,
    signIn: new SignInService(db, users, sessions, signInThrottle),
    oidcClients,
    groupLinks: new GroupLinksService(db, oidcClients, projects),
    sso: new SsoService(db, oidcClients, new SignInStates(db), users, sessions, config.publicUrl),
    personalTokens: new PersonalTokensService(db, users, tokens),
    passwordChange: new PasswordChangeService(db, users, sessions, signInThrottle),
    userAdmin: new UserAdminService(db, users, sessions),
    memberRoles,
    authenticator,
    projects,
    members,
    projectTokens: new ProjectAccessTokensService(db, users, members, tokens),
    experiments,
    runs,
    metrics: new MetricsService(db, database.dialect, runs),
    loggedModels,
    blobStore,
    artifacts,
    uploads: new UploadsService(db, blobStore, artifacts, config.publicUrl, config.maxUploadBytes),
    packages,
    packageUploads: new PackageUploads(db, blobStore, packages),
    models,
    versions,
    aliases,
    registrySettings,
    approvals: new ApprovalsService(db, versions, registrySettings, reviewGate),
    lineage,
    cardFiller: new CardFiller(versions, lineage),
    webhooks: new WebhooksService(db, outbound, secrets),
    audit: new AuditLogService(db),
    evaluations: new EvaluationsService(db, versions),
    versionImages,
    googleCloudIntegrations,
    versionArchives,
    hubRepositories: new HubRepositories({ models, versions, aliases, contents: new VersionContents({ versions, artifacts, packages }) }),
    archiveLinks,
    ciSettings,
    ciVariables,
    triggers: new TriggersService(db),
    runners: new RunnersService(db, projects, ciSettings, config.ci.runnerRegistrationToken),
    pipelines,
    pipelineCreator: new PipelineCreator(database, projects, ciSettings, ciVariables, mirror, config.publicUrl, wake),
    jobQueue,
    jobLifecycle,
    jobHandouts,
    runnerJobs: new RunnerJobsService(db, { lifecycle: jobLifecycle, handouts: jobHandouts, traces, artifacts: jobArtifacts }),
    traces,
    jobArtifacts,
    mirror,
  };
}
