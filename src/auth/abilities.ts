import type { CredentialKind, TokenScope } from './caller.ts';
import type { Role } from './roles.ts';

/**
 * Every route names one of these. An ability says which role it takes on a project, whether
 * non-members may use it on a project they can see (public, or internal for signed-in users),
 * which token scopes allow it, and which kinds of credential may use it at all.
 *
 * The `credentials` list is the one place that says how far each credential reaches: a kind
 * that is not listed gets 403 whatever its user's role. Project access tokens and CI job tokens
 * are limited to one project; they reach an instance ability only where it lists them.
 */
export type PresentedCredential = Exclude<CredentialKind, 'anonymous'>;

/**
 * 'own': the route is authorized by a secret of its own (a runner token, a trigger token, a
 * webhook signature, a job's token checked against its job); no caller credential is read.
 */
export type CredentialReach = readonly PresentedCredential[] | 'own';

interface ProjectAbility {
  scope: 'project';
  minRole: Role;
  /** Readers of a visible project may use it, members below minRole included (roles are monotonic). */
  openToVisibleReaders: boolean;
  scopes: readonly TokenScope[];
  credentials: readonly PresentedCredential[];
}

interface InstanceAbility {
  scope: 'instance';
  who: 'anyone' | 'signed_in' | 'admin';
  scopes: readonly TokenScope[] | 'any';
  credentials: CredentialReach;
}

const READ_GENERAL: readonly TokenScope[] = ['api', 'read_api'];
const WRITE_GENERAL: readonly TokenScope[] = ['api'];
const READ_ML: readonly TokenScope[] = ['api', 'read_api', 'read_model_registry', 'write_model_registry'];
const WRITE_ML: readonly TokenScope[] = ['api', 'write_model_registry'];

/** A person's own credentials: a browser session or a personal access token. */
const PEOPLE: readonly PresentedCredential[] = ['session', 'personal_token'];
/** ... and a project access token (a bot member of one project, with the role it was given). */
const PEOPLE_AND_BOTS: readonly PresentedCredential[] = [...PEOPLE, 'project_token'];
/** ... and a running CI job's token (GitLab's short job-token list: reading the project, ML, packages, pipelines). */
const PEOPLE_BOTS_AND_JOBS: readonly PresentedCredential[] = [...PEOPLE_AND_BOTS, 'job_token'];

export const ABILITIES = {
  /** Health probes, the OpenAPI document, signing in, the web UI. */
  public: { scope: 'instance', who: 'anyone', scopes: 'any', credentials: PEOPLE_BOTS_AND_JOBS },
  /** The caller's own user, its session, the token it is calling with (a bot may read itself, as in GitLab). */
  'user:self-read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Signing out; revoking the token the request was made with. */
  'user:self-write': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** A person's personal access tokens: listing and reading them. */
  'user:tokens-read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL, credentials: PEOPLE },
  /** Minting and revoking personal access tokens: a credential that outlives any job, so a person's act. */
  'user:tokens-write': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL, credentials: PEOPLE },
  /**
   * Changing one's own password: a person's act, and only with the person's own credentials (a
   * project bot has no password). The current password is checked under the sign-in throttle.
   */
  'user:password': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL, credentials: PEOPLE },
  /** The user directory is instance data; a project credential has no business in it. */
  'users:read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL, credentials: PEOPLE },
  /** A multipart part upload: authorized by the upload's own secret, not by a caller's token. */
  'upload:part': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: PEOPLE_BOTS_AND_JOBS },
  /** Lists only what the caller can see: a bot, its one project. */
  'projects:list': { scope: 'instance', who: 'anyone', scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  'projects:create': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL, credentials: PEOPLE },
  'admin:read': { scope: 'instance', who: 'admin', scopes: READ_GENERAL, credentials: PEOPLE },
  'admin:write': { scope: 'instance', who: 'admin', scopes: WRITE_GENERAL, credentials: PEOPLE },
  /** Runner registration and the runner's job protocol: authorized by a runner token, checked by the service. */
  'runner:protocol': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: 'own' },
  /** Prometheus metrics: callers on this machine, or a scraper with the metrics token, checked by the route. */
  'metrics:read': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: 'own' },
  /** Pipeline trigger tokens and push webhooks: authorized by their own secret, checked by the service. */
  'ci:trigger': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: 'own' },
  /** Runners the caller can see or create (admins: instance runners; maintainers: their projects'). */
  'runners:read': { scope: 'instance', who: 'signed_in', scopes: READ_GENERAL, credentials: PEOPLE },
  'runners:manage': { scope: 'instance', who: 'signed_in', scopes: WRITE_GENERAL, credentials: PEOPLE },

  'project:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  'project:update': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  'project:delete': { scope: 'project', minRole: 'owner', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  'members:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  'members:manage': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  'access-tokens:read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  'access-tokens:manage': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  'audit:read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  'packages:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  'packages:write': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  /**
   * Registry settings, moving protected aliases, forcing the deletion of a model with approved
   * versions. Not for job tokens: a registry-triggered pipeline runs as the maintainer who made
   * the change, with code any developer can push.
   */
  'registry:maintain': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_ML, credentials: PEOPLE_AND_BOTS },
  /** Approving or rejecting a version is a person's decision: no job, bot or trigger token makes it. */
  'registry:approve': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_ML, credentials: PEOPLE },
  'webhooks:read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  'webhooks:manage': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  'ml:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_ML, credentials: PEOPLE_BOTS_AND_JOBS },
  'ml:write': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_ML, credentials: PEOPLE_BOTS_AND_JOBS },
  /** Fetching the project's linked repository over git (GitLab's download_code): CI jobs fetch their code with it. */
  'code:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  'pipelines:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  /** Run, retry, cancel and play pipelines and jobs. */
  'pipelines:run': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** CI settings, variables, trigger tokens, project runners. */
  'ci:admin-read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  'ci:admin': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Environments, deployments, their history and approvals, agents' reports, serving results. */
  'deployments:read': { scope: 'project', minRole: 'reporter', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  /**
   * Deploying (every policy change is a deployment), stopping, rolling back, promoting. A CI job
   * token reaches only the environment its job names (`environment:`), checked by the service;
   * protected environments add their own rule of who may deploy.
   */
  'deployments:write': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_BOTS_AND_JOBS },
  /**
   * Deploying to a protected environment whose rule lets maintainers (or a lower role) deploy,
   * as a maintainer would. No route asks for it: the protection rules do (deployments/protection.ts),
   * so that a custom role can give it to a developer without making them a maintainer.
   */
  'deployments:protected': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE },
  /** Approving or rejecting a deployment to a protected environment is a person's decision: no job, bot, agent or serve token makes it. */
  'deployments:approve': { scope: 'project', minRole: 'developer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE },
  /** Protection rules, the project's deployment settings, the project's serving agents: reading them. */
  'environments:admin-read': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Environment settings, protection rules, deployment settings, creating and removing the project's serving agents. */
  'environments:admin': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /**
   * Calling an environment's model through the gateway. Only a token with the `serve` scope has
   * it (`api` does not imply it), and a `serve` token has nothing else: an application holding
   * one can predict, not read or change the project. The gateway decides it (and caches the
   * answer); no route declares it.
   */
  'serving:use': { scope: 'project', minRole: 'guest', openToVisibleReaders: false, scopes: ['serve'], credentials: ['personal_token', 'project_token'] },
  /** The gateway's routes: their `serve` token is checked by the gateway against `serving:use`, through its cache. */
  'serving:invoke': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: 'own' },
  /** The serving agent's protocol (check-in, assignments, reports): authorized by an agent token, checked by the service. */
  'agent:protocol': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: 'own' },
  /** A version's archive by a signed, expiring link (KServe's storage initializer): the link is the credential, checked by the route. */
  'archive:signed-link': { scope: 'instance', who: 'anyone', scopes: 'any', credentials: 'own' },

  // --- model-development issues (src/issues/, docs/issues.md): GitLab's rules -----------------
  /** Reading issues and their notes and links; confidential ones also need `issues:read-confidential`, authorship or assignment (checked by the service). */
  'issues:read': { scope: 'project', minRole: 'guest', openToVisibleReaders: true, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Opening issues and commenting (guests too, as GitLab); editing another person's issue needs `issues:manage` (checked by the service). */
  'issues:write': { scope: 'project', minRole: 'guest', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Seeing confidential issues: reporters and up. Asked by the service, named by no route. */
  'issues:read-confidential': { scope: 'project', minRole: 'reporter', openToVisibleReaders: false, scopes: READ_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Editing, closing, labelling and assigning anyone's issue: reporters and up. Asked by the service, named by no route. */
  'issues:manage': { scope: 'project', minRole: 'reporter', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Deleting another person's note: maintainers and up, as GitLab. Asked by the service, named by no route. */
  'issues:moderate': { scope: 'project', minRole: 'maintainer', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
  /** Deleting an issue: owners (and administrators), as GitLab. */
  'issues:delete': { scope: 'project', minRole: 'owner', openToVisibleReaders: false, scopes: WRITE_GENERAL, credentials: PEOPLE_AND_BOTS },
} as const satisfies Record<string, ProjectAbility | InstanceAbility>;

export type Ability = keyof typeof ABILITIES;
export type ProjectScopedAbility = {
  [K in Ability]: (typeof ABILITIES)[K] extends { scope: 'project' } ? K : never;
}[Ability];

export function isAbility(value: unknown): value is Ability {
  return typeof value === 'string' && Object.hasOwn(ABILITIES, value);
}

export function abilityDefinition(ability: Ability): ProjectAbility | InstanceAbility {
  return ABILITIES[ability];
}

/** Whether routes with this ability check a secret of their own instead of the caller's credential. */
export function checksOwnCredential(ability: Ability): boolean {
  const definition: ProjectAbility | InstanceAbility = ABILITIES[ability];
  return definition.scope === 'instance' && definition.credentials === 'own';
}
