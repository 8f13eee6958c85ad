/**
 * Every server path the web UI calls, built in one place. A route renamed or moved on the
 * server changes one line here, not a search through the pages; `test/unit/web-api-paths.test.ts`
 * refuses an API path written anywhere else in web/src. Identifiers that come from the browser's
 * address bar (a project path, a job id typed by hand) are encoded as one path segment, so they
 * cannot reach another route.
 */
const V4 = '/api/v4';

type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

/** `path?key=value&…`, each value encoded; null and undefined values are left out. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== null && value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** One path segment, whatever it holds. */
const segment = (value: string | number): string => encodeURIComponent(String(value));
/** A file path inside an archive or artifact folder: each segment encoded, the slashes kept. */
const filePath = (value: string): string => value.split('/').map(encodeURIComponent).join('/');

export interface ArtifactPaths {
  list: (folder: string) => string;
  file: (path: string) => string;
}

function artifactPaths(artifacts: string): ArtifactPaths {
  return { list: (folder) => withQuery(artifacts, { path: folder }), file: (path) => `${artifacts}/${filePath(path)}` };
}

function modelVersionPaths(model: string, version: string | number) {
  const self = `${model}/versions/${segment(version)}`;
  return {
    self,
    approvals: `${self}/approvals`,
    approvalRequests: `${self}/approval_requests`,
    approve: `${self}/approve`,
    reject: `${self}/reject`,
    lineage: `${self}/lineage`,
    fillCard: `${self}/card/fill`,
    evaluations: `${self}/evaluations`,
    deployments: `${self}/deployments`,
    /** The container images built of the version, newest first. */
    images: `${self}/images`,
    /** The version's OCI build context (tar.gz). */
    imageContext: `${self}/image-context`,
    labels: `${self}/labels`,
    label: (label: string) => `${self}/labels/${segment(label)}`,
  };
}

function modelPaths(project: string, modelId: string | number) {
  const self = `${project}/ml/models/${segment(modelId)}`;
  return {
    self,
    versions: (query?: Query) => withQuery(`${self}/versions`, query),
    version: (version: string | number) => modelVersionPaths(self, version),
    labels: `${self}/labels`,
    label: (label: string) => `${self}/labels/${segment(label)}`,
    alias: (alias: string) => `${self}/aliases/${segment(alias)}`,
  };
}

function jobPaths(project: string, jobId: string | number) {
  const self = `${project}/jobs/${segment(jobId)}`;
  return {
    self,
    /** retry, cancel, play. */
    action: (action: 'retry' | 'cancel' | 'play') => `${self}/${action}`,
    trace: `${self}/trace`,
    /** The whole artifacts archive (zip). */
    artifacts: `${self}/artifacts`,
    /** One file out of the artifacts archive. */
    artifactFile: (name: string) => `${self}/artifacts/${filePath(name)}`,
    artifactFiles: `${self}/artifact_files`,
  };
}

function environmentPaths(project: string, environmentId: string | number) {
  const self = `${project}/environments/${segment(environmentId)}`;
  return { self, results: `${self}/results`, promote: `${self}/promote`, rollback: `${self}/rollback`, stop: `${self}/stop`, target: `${self}/target` };
}

function issuePaths(project: string, iid: string | number) {
  const self = `${project}/issues/${segment(iid)}`;
  return {
    self,
    notes: (query?: Query) => withQuery(`${self}/notes`, query),
    note: (noteId: number) => `${self}/notes/${noteId}`,
    links: `${self}/links`,
    link: (linkId: number) => `${self}/links/${linkId}`,
  };
}

function projectPaths(projectId: string | number) {
  const self = `${V4}/projects/${segment(projectId)}`;
  return {
    self,
    members: (query?: Query) => withQuery(`${self}/members`, query),
    member: (userId: number) => `${self}/members/${userId}`,
    accessTokens: (query?: Query) => withQuery(`${self}/access_tokens`, query),
    accessToken: (tokenId: number) => `${self}/access_tokens/${tokenId}`,
    hooks: `${self}/hooks`,
    hook: (hookId: number) => `${self}/hooks/${hookId}`,
    hookDeliveries: (hookId: number, query?: Query) => withQuery(`${self}/hooks/${hookId}/deliveries`, query),
    auditEvents: (query?: Query) => withQuery(`${self}/audit_events`, query),
    ssoGroupLinks: `${self}/sso_group_links`,
    ssoGroupLink: (linkId: number) => `${self}/sso_group_links/${linkId}`,
    registrySettings: `${self}/ml/registry/settings`,
    ciSettings: `${self}/ci/settings`,
    ciConfig: `${self}/ci/config`,
    ciLint: `${self}/ci/lint`,
    googleCloudIntegration: `${self}/integrations/google-cloud`,
    variables: `${self}/variables`,
    variable: (key: string) => `${self}/variables/${segment(key)}`,
    triggers: `${self}/triggers`,
    trigger: (triggerId: number) => `${self}/triggers/${triggerId}`,
    issues: (query?: Query) => withQuery(`${self}/issues`, query),
    issue: (iid: string | number) => issuePaths(self, iid),
    /** The issues linked to one model, version, experiment, run, pipeline or deployment. */
    linkedIssues: (type: string, targetId: string | number) => withQuery(`${self}/linked_issues`, { type, target_id: targetId }),
    createPipeline: `${self}/pipeline`,
    pipelines: (query?: Query) => withQuery(`${self}/pipelines`, query),
    pipeline: (pipelineId: string | number) => {
      const pipeline = `${self}/pipelines/${segment(pipelineId)}`;
      return { self: pipeline, jobs: `${pipeline}/jobs`, action: (action: 'retry' | 'cancel') => `${pipeline}/${action}` };
    },
    job: (jobId: string | number) => jobPaths(self, jobId),
    environments: (query?: Query) => withQuery(`${self}/environments`, query),
    environment: (environmentId: string | number) => environmentPaths(self, environmentId),
    deployments: (query?: Query) => withQuery(`${self}/deployments`, query),
    deploymentApproval: (deploymentId: number) => `${self}/deployments/${deploymentId}/approval`,
    packages: (query?: Query) => withQuery(`${self}/packages`, query),
    package: (packageId: string | number) => `${self}/packages/${segment(packageId)}`,
    packageFiles: (packageId: number, query?: Query) => withQuery(`${self}/packages/${packageId}/package_files`, query),
    /** A file of a generic package, by the package's name and version (GitLab's download path). */
    genericFile: (name: string, version: string, fileName: string) => `${self}/packages/generic/${segment(name)}/${segment(version)}/${segment(fileName)}`,
    /** A model version's file, as GitLab's model registry serves it. */
    modelVersionFile: (versionId: number, fileName: string) => `${self}/packages/ml_models/${versionId}/files/${filePath(fileName)}`,
    experiments: (query?: Query) => withQuery(`${self}/ml/experiments`, query),
    experiment: (experimentId: string | number) => `${self}/ml/experiments/${segment(experimentId)}`,
    /** Every metric, param and tag key of an experiment's runs: the columns its table offers. */
    experimentRunKeys: (experimentId: string | number) => `${self}/ml/experiments/${segment(experimentId)}/run_keys`,
    runs: (query?: Query | URLSearchParams) => (query instanceof URLSearchParams ? `${self}/ml/runs?${query.toString()}` : withQuery(`${self}/ml/runs`, query)),
    run: (runId: string) => ({
      self: `${self}/ml/runs/${segment(runId)}`,
      modelVersions: `${self}/ml/runs/${segment(runId)}/model_versions`,
      loggedModels: `${self}/ml/runs/${segment(runId)}/logged_models`,
    }),
    metricSeries: (query: URLSearchParams) => `${self}/ml/metrics/series?${query.toString()}`,
    models: (query?: Query) => withQuery(`${self}/ml/models`, query),
    huggingFaceImport: `${self}/ml/imports/huggingface`,
    vertexImport: `${self}/ml/imports/vertex`,
    /** A Vertex AI location's models, or one model's versions (a POST: it carries the key). */
    vertexModels: `${self}/ml/imports/vertex/models`,
    importJob: (importId: number) => ({ self: `${self}/ml/imports/${importId}`, cancel: `${self}/ml/imports/${importId}/cancel` }),
    model: (modelId: string | number) => modelPaths(self, modelId),
    /** A version by its row id (GitLab's model_version_id), as pipelines name it. */
    modelVersionByRow: (versionId: number) => `${self}/ml/model_versions/${versionId}`,
    /** The MLflow tracking URI a client sets for this project. */
    mlflowTracking: `${self}/ml/mlflow`,
    /** MLflow's run calls the runs table's bulk actions make (the native API has no tag or restore of its own). */
    mlflowRuns: {
      setTag: `${self}/ml/mlflow/api/2.0/mlflow/runs/set-tag`,
      deleteTag: `${self}/ml/mlflow/api/2.0/mlflow/runs/delete-tag`,
      update: `${self}/ml/mlflow/api/2.0/mlflow/runs/update`,
      restore: `${self}/ml/mlflow/api/2.0/mlflow/runs/restore`,
    },
    /** MLflow's artifact API for this project: a folder's listing, and one file's bytes. */
    mlflowArtifacts: artifactPaths(`${self}/ml/mlflow/api/2.0/mlflow-artifacts/artifacts`),
    /** An HTML artifact shown inline in a sandbox, for the preview frame (downloads stay attachments). */
    artifactPreview: (path: string) => `${self}/ml/artifact_previews/${filePath(path)}`,
  };
}

const PROJECT_TRACKING_URI = /^\/api\/v4\/projects\/([^/]+)\/ml\/mlflow\/*$/;

/** The project (id or path) whose MLflow tracking URI a URL path is, or null for any other path. */
export function projectOfTrackingUri(pathname: string): string | null {
  const m = PROJECT_TRACKING_URI.exec(pathname);
  return m ? decodeURIComponent(m[1]!) : null;
}

export const apiPaths = {
  session: `${V4}/session`,
  signInOptions: `${V4}/session/providers`,
  /** A provider's sign-in (its path as the server lists it), coming back to `returnTo`. */
  singleSignOn: (signInPath: string, returnTo: string) => withQuery(signInPath, { return_to: returnTo }),
  currentUser: `${V4}/user`,
  ownPassword: `${V4}/user/password`,
  users: (query?: Query) => withQuery(`${V4}/users`, query),
  user: (userId: number) => {
    const self = `${V4}/users/${userId}`;
    return { self, block: `${self}/block`, unblock: `${self}/unblock`, identity: (provider: string) => `${self}/identities/${segment(provider)}` };
  },
  memberRoles: `${V4}/member_roles`,
  memberRole: (memberRoleId: number) => `${V4}/member_roles/${memberRoleId}`,
  personalAccessTokens: (query?: Query) => withQuery(`${V4}/personal_access_tokens`, query),
  personalAccessToken: (tokenId: number) => `${V4}/personal_access_tokens/${tokenId}`,
  rotatePersonalAccessToken: (tokenId: number) => `${V4}/personal_access_tokens/${tokenId}/rotate`,
  createPersonalAccessToken: `${V4}/user/personal_access_tokens`,
  runners: (query?: Query) => withQuery(`${V4}/runners`, query),
  runner: (runnerId: number) => `${V4}/runners/${runnerId}`,
  createRunner: `${V4}/user/runners`,
  projects: (query?: Query) => withQuery(`${V4}/projects`, query),
  project: projectPaths,
  /** The server root's tracking URI as a browser opens it: the server sends it on to the default project's page. */
  defaultProjectPage: '/api',
};
